/**
 * Fixtures and fast-check arbitraries derived from the schemas of `@effect-clerk/schema`: the wire JSON is always
 * produced by encoding with those schemas, so it cannot drift from what the client decodes.
 *
 * @since 0.1.0
 */
import { ActorToken, ClerkErrorBody, Ids, Session } from "@effect-clerk/schema"
import * as Arbitrary from "effect/Arbitrary"
import type * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { defaultBaseUrl, type SigningKey } from "./Emulator.js"
import * as InternalSessionTokens from "./internal/emulator/sessionTokens.js"
import * as InternalSigningKey from "./internal/emulator/signingKey.js"
import { errors } from "./internal/wire.js"

const encodeCreateParams = Schema.encodeSync(ActorToken.CreateActorTokenParams)
const encodeActorToken = Schema.encodeSync(ActorToken.ActorToken)
const encodeErrorBody = Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)

// What a value becomes after a trip over the wire: encoded, sent as JSON, decoded. Arbitraries are mapped through
// it so every generated value survives the wire unchanged (JSON has no `-0`, no `undefined`, and a `__proto__` key
// is not kept by the schemas), and a round-trip property can compare with plain equality. The reviver drops
// `__proto__` keys at every depth: a record whose values are `Unknown` keeps nested objects as they are, so one
// nested below it would survive this trip and still be lost by a schema that rebuilds the object further on.
const dropProtoKeys = (key: string, value: unknown): unknown => key === "__proto__" ? undefined : value
const overTheWire = <A, I>(schema: Schema.Schema<A, I>) => {
  const encode = Schema.encodeSync(schema)
  const decode = Schema.decodeUnknownSync(schema)
  return (value: A): A => decode(JSON.parse(JSON.stringify(encode(value)), dropProtoKeys))
}

// ---------------------------------------------------------------------------------------------------------------
// arbitraries
// ---------------------------------------------------------------------------------------------------------------

/**
 * Valid parameters of "create actor token" (type side: camelCase, branded ids), e.g. for `ActorTokens.create`.
 * Every value survives encoding, JSON and decoding unchanged.
 *
 * @example
 * ```ts
 * import { ActorTokens } from "@effect-clerk/client"
 * import { Fixtures, TestClerk } from "@effect-clerk/test-kit"
 * import { expect, layer } from "@effect/vitest"
 * import { Effect } from "effect"
 *
 * layer(TestClerk.layer())((it) => {
 *   it.effect.prop("keeps the actor", [Fixtures.createParams], ([params]) =>
 *     Effect.map(ActorTokens.create(params), (token) => expect(token.userId).toBe(params.userId)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const createParams: FastCheck.Arbitrary<ActorToken.CreateActorTokenParams> = Arbitrary.make(
  ActorToken.CreateActorTokenParams
).map(overTheWire(ActorToken.CreateActorTokenParams))

/**
 * Valid create bodies as wire JSON (`user_id`, `actor`, `expires_in_seconds`, …).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const createBody: FastCheck.Arbitrary<ActorToken.CreateActorTokenBody> = createParams.map((params) =>
  encodeCreateParams(params)
)

/**
 * Actor tokens as the client decodes them (values that survive the wire unchanged).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const actorToken: FastCheck.Arbitrary<ActorToken.ActorToken> = Arbitrary.make(ActorToken.ActorToken).map(
  overTheWire(ActorToken.ActorToken)
)

/**
 * Actor tokens as Clerk sends them (wire JSON).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const actorTokenJson: FastCheck.Arbitrary<ActorToken.ActorTokenJson> = actorToken.map((token) =>
  encodeActorToken(token)
)

/**
 * Sessions as the client decodes them (values that survive the wire unchanged): impersonated or not, any status.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const session: FastCheck.Arbitrary<Session.Session> = Arbitrary.make(Session.Session).map(
  overTheWire(Session.Session)
)

/**
 * Sessions as Clerk sends them (wire JSON).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const sessionJson: FastCheck.Arbitrary<Session.SessionJson> = session.map((value) =>
  Schema.encodeSync(Session.Session)(value)
)

/**
 * Clerk error bodies, decoded.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const clerkErrorBody: FastCheck.Arbitrary<ClerkErrorBody.ClerkErrorBody> = Arbitrary.make(
  ClerkErrorBody.ClerkErrorBody
).map(overTheWire(ClerkErrorBody.ClerkErrorBody))

/**
 * Clerk error bodies as Clerk sends them (wire JSON).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const clerkErrorBodyJson: FastCheck.Arbitrary<ClerkErrorBody.ClerkErrorBodyJson> = clerkErrorBody.map((body) =>
  encodeErrorBody(body)
)

// ---------------------------------------------------------------------------------------------------------------
// named fixtures
// ---------------------------------------------------------------------------------------------------------------

const createdAt = Date.UTC(2026, 4, 12, 9, 30)
const ticket = "FixtureTicket0000000000000000000000000000000000000000000000000000"

/**
 * A pending token, as the client decodes it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const pendingToken: ActorToken.ActorToken = ActorToken.ActorToken.make({
  object: "actor_token",
  id: Ids.ActorTokenId.make("act_2EL6mQKzeUtoRwGuLZsznyfkIsH"),
  status: "pending",
  userId: Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"),
  actor: { sub: "user_2Support0Agent0000000000", reason: "ticket #1234" },
  token: Redacted.make(ticket),
  url: Redacted.make(`${defaultBaseUrl}/v1/tickets/accept?ticket=${ticket}`),
  createdAt,
  updatedAt: createdAt
})

/**
 * {@link pendingToken} as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const pendingTokenJson: ActorToken.ActorTokenJson = encodeActorToken(pendingToken)

/**
 * {@link pendingToken} after it was accepted, a minute later.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const acceptedToken: ActorToken.ActorToken = ActorToken.ActorToken.make({
  ...pendingToken,
  status: "accepted",
  updatedAt: createdAt + 60_000
})

/**
 * {@link acceptedToken} as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const acceptedTokenJson: ActorToken.ActorTokenJson = encodeActorToken(acceptedToken)

/**
 * {@link pendingToken} after it was revoked, a minute later.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const revokedToken: ActorToken.ActorToken = ActorToken.ActorToken.make({
  ...pendingToken,
  status: "revoked",
  updatedAt: createdAt + 60_000
})

/**
 * {@link revokedToken} as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const revokedTokenJson: ActorToken.ActorTokenJson = encodeActorToken(revokedToken)

/**
 * A Clerk error body (wire JSON) with these entries, exactly as the emulator sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const errorsJson = (
  entries: ReadonlyArray<ClerkErrorBody.ClerkErrorEntry>,
  clerkTraceId = "0123456789abcdef0123456789abcdef"
): ClerkErrorBody.ClerkErrorBodyJson => encodeErrorBody({ errors: entries, clerkTraceId })

/**
 * The error entries the emulator answers with (Clerk's codes and messages), to build expected bodies or script a
 * mock transport: `Fixtures.errorsJson([Fixtures.errorEntries.resourceNotFound()])`.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const errorEntries: typeof errors = errors

/**
 * 400 `actor_token_cannot_be_revoked_code` for a revoked token, as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const cannotBeRevokedJson: ClerkErrorBody.ClerkErrorBodyJson = errorsJson([errors.cannotBeRevoked("revoked")])

/**
 * 404 `resource_not_found`, as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const notFoundJson: ClerkErrorBody.ClerkErrorBodyJson = errorsJson([errors.resourceNotFound()])

/**
 * 422 `form_param_missing` for `actor.sub`, as Clerk sends it.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const actorSubMissingJson: ClerkErrorBody.ClerkErrorBodyJson = errorsJson([errors.formParamMissing("actor.sub")])

/**
 * 429 `too_many_requests`, as Clerk sends it (the `Retry-After` header goes beside it).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const tooManyRequestsJson: ClerkErrorBody.ClerkErrorBodyJson = errorsJson([errors.tooManyRequests()])

// ---------------------------------------------------------------------------------------------------------------
// session tokens
// ---------------------------------------------------------------------------------------------------------------

/**
 * The options of {@link signSessionToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignSessionTokenOptions {
  /** The key pair to sign with: the emulator's (`emulator.signingKey`) or another (`Emulator.generateSigningKey()`). */
  readonly key: SigningKey
  /** The header's `kid`, default the key's own: another one makes a token whose key the verifier cannot find. */
  readonly kid?: string | undefined
  /** Header fields set over the default `{ alg: "RS256", typ: "JWT", kid, cat: "cl_B7d4PD111AAA" }`. */
  readonly header?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A session token with exactly the claims given, signed RS256 with `key`: the tokens an application's own rules
 * must refuse or treat apart — expired (`exp` in the past), not yet valid, signed by a key the emulator does not
 * publish, naming another `kid`, `sts: "pending"`, an `act` of any shape. For a token the emulator would mint, use
 * `emulator.sessionToken(sessionId)`.
 *
 * @example
 * ```ts
 * import { Emulator, Fixtures } from "@effect-clerk/test-kit"
 * import { Clock, Effect } from "effect"
 *
 * const expired = Effect.gen(function*() {
 *   const emulator = yield* Emulator.Emulator
 *   const key = yield* emulator.signingKey
 *   const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
 *   return Fixtures.signSessionToken(
 *     { sub: "user_1", sid: "sess_1", iss: Emulator.defaultBaseUrl, iat: now - 120, nbf: now - 130, exp: now - 60, v: 2 },
 *     { key }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category session tokens
 */
export const signSessionToken = (
  claims: Readonly<Record<string, unknown>>,
  options: SignSessionTokenOptions
): string =>
  InternalSigningKey.sign(
    options.key.privateKey,
    { ...InternalSessionTokens.header(options.kid ?? options.key.kid), ...options.header },
    claims
  )
