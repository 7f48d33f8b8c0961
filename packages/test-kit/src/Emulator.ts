/**
 * A stateful emulator of Clerk's actor-token and session endpoints, and of the session tokens it signs: one
 * implementation of Clerk's behaviour, as an `@effect/platform` HTTP app, served in memory by `TestClerk` and on
 * loopback by `EmulatorServer`.
 *
 * Inside, it is a state machine with an HTTP face: pure transitions over one state value (`internal/emulator/`:
 * `tokens`, `sessions`, `quota`, `rateWindow`, `faults`, composed in `state`), and a router that maps requests to
 * them. This module holds the public API, and the one `Ref` the transitions run on.
 *
 * @since 0.1.0
 */
import { type Json, type Jwks, type Session, SessionToken } from "@effect-clerk/schema"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { KeyObject } from "node:crypto"
import type { ConnectionReset, StoredToken } from "./EmulatorModel.js"
import type { EmittedEvent, Endpoint } from "./EmulatorWebhooks.js"
import * as InternalFaults from "./internal/emulator/faults.js"
import * as InternalOptions from "./internal/emulator/options.js"
import * as InternalRouter from "./internal/emulator/router.js"
import * as InternalSessions from "./internal/emulator/sessions.js"
import * as InternalSessionTokenRoutes from "./internal/emulator/sessionTokenRoutes.js"
import * as InternalSigningKey from "./internal/emulator/signingKey.js"
import * as InternalState from "./internal/emulator/state.js"
import type * as InternalTokens from "./internal/emulator/tokens.js"
import * as InternalWebhooks from "./internal/emulator/webhooks.js"
import * as InternalRandom from "./internal/random.js"
import * as InternalWebhookDelivery from "./internal/webhookDelivery.js"

// ---------------------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------------------

/**
 * The secret key the emulator accepts when none is given. It is a test key (`sk_test_…`), valid only against the
 * emulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSecretKey: string = InternalOptions.defaultSecretKey

/**
 * The base URL used in ticket URLs when none is given. In memory nothing listens on it: open such a URL with
 * `TestClerk.httpClient`, or use `EmulatorServer`, whose base URL is its real listening address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: string = InternalOptions.defaultBaseUrl

/**
 * Clerk's development-instance rate limit: 100 requests per 10 seconds (`limit` per `interval`, the names of the
 * client's own `rateLimit` option).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimit: { readonly limit: number; readonly interval: Duration.Duration } =
  InternalOptions.defaultRateLimit

/**
 * The options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The only key accepted as `Authorization: Bearer <key>`; default {@link defaultSecretKey}. */
  readonly secretKey?: string | Redacted.Redacted<string> | undefined
  /** The emulator's own address, used in each token's `url`; default {@link defaultBaseUrl}. */
  readonly baseUrl?: string | URL | undefined
  /**
   * A fixed-window rate limit on the Backend API routes, off by default. `{}` is Clerk's 100 requests per 10 s; past
   * the limit a request is answered 429 `too_many_requests` with `Retry-After` (seconds until the window ends).
   */
  readonly rateLimit?: RateLimitOptions | undefined
  /** Tokens that may be created per calendar month (UTC), then 422 `impersonation_limit_exceeded`. Off by default. */
  readonly monthlyQuota?: number | undefined
  /** `false` emulates a plan without impersonation: creating a token answers 402. Default `true`. */
  readonly impersonationOnPlan?: boolean | undefined
  /**
   * The key pair that signs session tokens ({@link generateSigningKey}), e.g. one shared by the emulators of a test
   * suite. By default each emulator generates its own on first use.
   */
  readonly signingKey?: SigningKey | undefined
  /**
   * Endpoints to POST every webhook event to, signed with each one's secret; none by default (the events are then
   * only recorded, see {@link Service.webhookEvents}).
   */
  readonly webhooks?: ReadonlyArray<Endpoint> | undefined
}

/**
 * The rate limit of {@link Options}: `limit` requests per `interval`, default 100 per 10 seconds — the names of the
 * client's `rateLimit` option.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Requests admitted per interval, a whole number ≥ 1; default 100. */
  readonly limit?: number | undefined
  /** The length of the window, finite and above zero; default 10 seconds. */
  readonly interval?: Duration.DurationInput | undefined
}

/**
 * The options as the emulator uses them: checked, with the defaults filled in.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly secretKey: Redacted.Redacted<string>
  readonly baseUrl: string
  readonly rateLimit: Option.Option<{ readonly limit: number; readonly interval: Duration.Duration }>
  readonly monthlyQuota: Option.Option<number>
  readonly impersonationOnPlan: boolean
  readonly signingKey: Option.Option<SigningKey>
  readonly webhooks: ReadonlyArray<{ readonly url: string; readonly secret: Redacted.Redacted<string> }>
}

/**
 * The options given to {@link make} were refused; `option` names the offending option.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorConfigError extends Schema.TaggedError<EmulatorConfigError>()("EmulatorConfigError", {
  option: Schema.String,
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------------------------

/**
 * The parameters of {@link Service.seedSession}: a session of `userId` that did not come from a ticket, e.g. the user's own
 * sign-in, which is not an impersonation (`actor` defaults to `null`). Unset times default to: `createdAt` now,
 * `lastActiveAt` = `createdAt`, `expireAt` 7 days and `abandonAt` 30 days after `createdAt`; unset ids are random.
 *
 * @since 0.1.0
 * @category models
 */
export interface SeedSessionParams {
  readonly userId: string
  readonly id?: string | undefined
  readonly clientId?: string | undefined
  /** The impersonator's claims (JSON values), or `null` (the default) for a session the user started. */
  readonly actor?: Json.JsonObject | null | undefined
  /** The status it was given, default `active` (the time rules then apply to it). */
  readonly status?: Session.SessionStatus | undefined
  /** Unix milliseconds. */
  readonly createdAt?: number | undefined
  readonly lastActiveAt?: number | undefined
  readonly expireAt?: number | undefined
  readonly abandonAt?: number | undefined
}

/**
 * An RSA key pair that signs session tokens, and the `kid` their header names it by. Make one with
 * {@link generateSigningKey}, and give it to several emulators with their `signingKey` option to share it (key
 * generation takes a noticeable fraction of a second).
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningKey {
  readonly kid: string
  /** An RSA private key (`node:crypto`). */
  readonly privateKey: KeyObject
  /** Its public key. */
  readonly publicKey: KeyObject
}

/**
 * Generates an RSA-2048 key pair for signing session tokens, named by `kid` (default: a random `ins_…` id, like a
 * Clerk instance's). Give it to emulators as their `signingKey` option to share one key (and skip the fraction of a
 * second each generation takes), or sign tokens of your own with it (`Fixtures.signSessionToken`), e.g. under a key
 * the emulator does not publish.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const signingKey = yield* Emulator.generateSigningKey()
 *   const first = yield* Emulator.make({ signingKey })
 *   const second = yield* Emulator.make({ signingKey }) // the same kid, the same JWKS
 *   return [yield* first.jwks, yield* second.jwks]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSigningKey = (options: { readonly kid?: string | undefined } = {}): Effect.Effect<SigningKey> =>
  InternalSigningKey.generate(options.kid)

/**
 * The options of {@link Service.sessionToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionTokenOptions {
  /** The token's lifetime, 30–315360000 whole seconds; default 60. */
  readonly expiresInSeconds?: number | undefined
}

/**
 * The Backend API operations of the emulator: `create` and `revoke` (actor tokens), `listSessions`, `getSession` and
 * `revokeSession` (`GET /v1/sessions`, `GET /v1/sessions/:session_id`, `POST /v1/sessions/:session_id/revoke`),
 * `createSessionToken` (`POST /v1/sessions/:session_id/tokens`) and `getJwks` (`GET /v1/jwks`).
 *
 * @since 0.1.0
 * @category models
 */
export type Operation =
  | "create"
  | "revoke"
  | "listSessions"
  | "getSession"
  | "revokeSession"
  | "createSessionToken"
  | "getJwks"

/**
 * The routes whose requests are counted: the Backend API operations, the ticket-accept page, the Frontend API's key
 * set (`/.well-known/jwks.json`), and anything else (answered 404).
 *
 * @since 0.1.0
 * @category models
 */
export type Route = Operation | "accept" | "wellKnownJwks" | "unmatched"

/**
 * How many requests each route has seen since the start or the last {@link Service.reset}, faulted and refused
 * requests included.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestCounts = { readonly [R in Route]: number }

/**
 * A failure to inject in place of (or after) the normal handling of a request.
 *
 * - `Status`: that status (e.g. 500, 502, 503, 504) with Clerk's `internal_clerk_error` body.
 * - `RateLimited`: 429 `too_many_requests` with `Retry-After`, in whole seconds or, with `httpDate`, as an HTTP date
 *   computed from the `Clock`.
 * - `HtmlPage`: that status with a proxy's HTML error page (not JSON).
 * - `TruncatedJson`: 200 with the first half of an actor token's JSON.
 * - `WrongShape`: 200 with valid JSON that is not an actor token.
 * - `EmptyBody`: 200 with no body.
 * - `ConnectionReset`: no response: the connection is reset (`ECONNRESET`).
 * - `Stall`: no response, ever: only the client's timeout (or interruption) ends the request.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 *
 * const gatewayDown = Emulator.Fault.HtmlPage({ status: 502 })
 * const slowDown = Emulator.Fault.RateLimited({ retryAfter: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export type Fault = Data.TaggedEnum<{
  Status: { readonly status: number }
  RateLimited: { readonly retryAfter: Duration.DurationInput; readonly httpDate?: boolean | undefined }
  HtmlPage: { readonly status: number }
  TruncatedJson: {}
  WrongShape: {}
  EmptyBody: {}
  ConnectionReset: {}
  Stall: {}
}>

/**
 * The constructors of {@link Fault}: `Fault.Status({ status: 503 })`, `Fault.ConnectionReset()`, …
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault: Data.TaggedEnum.Constructor<Fault> = Data.taggedEnum<Fault>()

/**
 * Which requests a fault applies to, and when.
 *
 * @since 0.1.0
 * @category faults
 */
export interface FaultOptions {
  /** The operation whose requests are faulted; `"any"` (the default) is every Backend API operation. */
  readonly operation?: Operation | "any" | undefined
  /** How many matching requests are faulted, default 1 (a number below 1 injects nothing). */
  readonly times?: number | undefined
  /**
   * `false` (the default): the fault replaces the request, which is never processed (no state change). `true`: the
   * request is processed (a token is created or revoked, a session revoked) and then its response is lost to the fault — the
   * ambiguous failure a client must not blindly retry.
   */
  readonly afterProcessing?: boolean | undefined
}

/**
 * Why a ticket could not be accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export class TicketRejected extends Schema.TaggedError<TicketRejected>()("TicketRejected", {
  reason: Schema.Literal("NotFound", "Expired", "AlreadyAccepted", "Revoked"),
  message: Schema.String
}) {}

/**
 * Why a session could not be seeded, touched or given a token: `NotFound` (no session has the id), `NotActive`
 * (touching, or minting a token for, a session that is no longer active), `InvalidParams` (seed params or a token
 * lifetime that break a rule), `DuplicateId` (a seeded id in use).
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionRejected extends Schema.TaggedError<SessionRejected>()("SessionRejected", {
  reason: Schema.Literal("NotFound", "NotActive", "InvalidParams", "DuplicateId"),
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------------------------------------------
// service
// ---------------------------------------------------------------------------------------------------------------

/**
 * The emulator: its HTTP app, and inspection and control for tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The options in use. */
  readonly options: ResolvedOptions
  /**
   * The HTTP app: `POST /v1/actor_tokens`, `POST /v1/actor_tokens/:actor_token_id/revoke`, `GET /v1/sessions`,
   * `GET /v1/sessions/:session_id`, `POST /v1/sessions/:session_id/revoke`, `POST /v1/sessions/:session_id/tokens`,
   * `GET /v1/jwks`, `GET /v1/tickets/accept?ticket=…` and `GET /.well-known/jwks.json`. It fails only with
   * `EmulatorModel.ConnectionReset`; a stall never completes.
   */
  readonly httpApp: HttpApp.Default<ConnectionReset>
  /** Every token, oldest first, with its current status. */
  readonly tokens: Effect.Effect<ReadonlyArray<StoredToken>>
  /** The token with this id. */
  readonly find: (id: string) => Effect.Effect<Option.Option<StoredToken>>
  /**
   * Accepts the token with this id, as if its `url` had been opened: `pending` → `accepted`, and an `active` session
   * of its user starts, with its `actor`.
   */
  readonly accept: (id: string) => Effect.Effect<StoredToken, TicketRejected>
  /** Accepts the token whose `token` (the sign-in ticket) is this one. */
  readonly acceptTicket: (ticket: string) => Effect.Effect<StoredToken, TicketRejected>
  /** Every session, oldest first, with its status at the `Clock`'s now (expiry applied). */
  readonly sessions: Effect.Effect<ReadonlyArray<Session.Session>>
  /** The session with this id, with its status now. */
  readonly findSession: (id: string) => Effect.Effect<Option.Option<Session.Session>>
  /** Adds a session no ticket started: by default the user's own, not an impersonation (`actor: null`). */
  readonly seedSession: (params: SeedSessionParams) => Effect.Effect<Session.Session, SessionRejected>
  /** Activity on an active session: `last_active_at` = now, which restarts its 10-minute inactivity timeout. */
  readonly touchSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
  /**
   * The key pair that signs session tokens: the `signingKey` option, or one generated on first use and kept for the
   * emulator's life (`reset` keeps it, so its `kid` never changes).
   *
   * @since 0.1.0
   */
  readonly signingKey: Effect.Effect<SigningKey>
  /**
   * The public key set that `GET /v1/jwks` and `/.well-known/jwks.json` serve: one RSA key (`RS256`, `sig`) named by
   * the signing key's `kid`.
   *
   * @since 0.1.0
   */
  readonly jwks: Effect.Effect<Jwks.Jwks>
  /**
   * The public key as PEM (SPKI): Clerk's "JWT public key", what `@clerk/backend` takes as `jwtKey` to verify without
   * a network call.
   *
   * @since 0.1.0
   */
  readonly publicKeyPem: Effect.Effect<string>
  /**
   * A signed session token for a live (`active` or `pending`) session, as `POST /v1/sessions/:session_id/tokens`
   * mints it, without HTTP: `sub`, `sid`, `iss` (the base URL), `iat`, `nbf` = `iat` − 10, `exp` = `iat` + the
   * lifetime (default 60 s), `v: 2`, `sts` and, for an impersonation, `act` (the actor, verbatim); times from the
   * `Clock`. `SessionRejected`: `NotFound`, `NotActive`, or `InvalidParams` for a lifetime outside 30–315360000.
   *
   * @since 0.1.0
   */
  readonly sessionToken: (
    sessionId: string,
    options?: SessionTokenOptions
  ) => Effect.Effect<string, SessionRejected>
  /**
   * Ends a live session as a sign-out does (Clerk's Frontend API, which the emulator does not serve): `ended`, and a
   * `session.ended` webhook event.
   *
   * @since 0.1.0
   */
  readonly endSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
  /**
   * Removes a live session from its client: `removed`, and a `session.removed` webhook event.
   *
   * @since 0.1.0
   */
  readonly removeSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
  /** The requests seen per route. */
  readonly requestCounts: Effect.Effect<RequestCounts>
  /** The requests seen by one route. */
  readonly requestCount: (route: Route) => Effect.Effect<number>
  /** Makes the next `times` matching requests fail with `fault` (queued after faults already injected). */
  readonly injectFault: (fault: Fault, options?: FaultOptions) => Effect.Effect<void>
  /** How many faulted requests are still to come. */
  readonly pendingFaults: Effect.Effect<number>
  /** Drops the faults not yet used. */
  readonly clearFaults: Effect.Effect<void>
  /**
   * Every webhook event emitted, oldest first, with its delivery to each endpoint of the `webhooks` option (see
   * `EmulatorWebhooks`). Events are recorded with no endpoint too. Reading notices the sessions that expired since
   * the last request, as every request does.
   *
   * @example
   * ```ts
   * import { Emulator } from "@effect-clerk/test-kit"
   * import { Effect } from "effect"
   *
   * const program = Effect.gen(function*() {
   *   const emulator = yield* Emulator.make()
   *   const session = yield* emulator.seedSession({ userId: "user_1", actor: { sub: "user_admin" } })
   *   const [created] = yield* emulator.webhookEvents
   *   return created?.event.type === "session.created" && created.event.data.id === session.id
   * }).pipe(Effect.scoped)
   * ```
   *
   * @since 0.1.0
   */
  readonly webhookEvents: Effect.Effect<ReadonlyArray<EmittedEvent>>
  /**
   * Forgets every token, session, count, fault, rate-limit window and webhook event; the signing key stays, and
   * delivery ids are not reused.
   */
  readonly reset: Effect.Effect<void>
}

/**
 * The emulator service, provided by {@link layer} (and by `TestClerk.layer` and `EmulatorServer.layer`).
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@effect-clerk/test-kit/Emulator")<Emulator, Service>() {}

const decodeExpiresInSeconds = Schema.decodeUnknownEither(SessionToken.ExpiresInSeconds)

/**
 * Creates an emulator with empty state. Its background work (webhook deliveries, and the watch for session
 * deadlines when there is a webhook endpoint) runs until the scope closes.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.make({ monthlyQuota: 5 })
 *   yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "create" })
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, EmulatorConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* Either.mapLeft(
      InternalOptions.resolve(options),
      (refused) => new EmulatorConfigError(refused)
    )
    const state = yield* Ref.make(InternalState.initial)
    const webhooks = {
      instanceId: yield* InternalRandom.instanceId,
      idPrefix: yield* InternalRandom.messageIdPrefix,
      endpoints: resolved.webhooks.map((endpoint) => endpoint.url)
    }
    const delivery = yield* InternalWebhookDelivery.start(resolved.webhooks, state)
    // Every transition is followed, atomically, by the webhook events the sessions' changes emit; they are handed to
    // the delivery once the transition is done, which never waits for them to be sent.
    const run: InternalState.Run = (transition) =>
      Effect.gen(function*() {
        const now = yield* InternalState.currentMillis
        const request = yield* InternalWebhookDelivery.currentRequest
        const [result, emitted] = yield* Ref.modify(state, (s) => {
          const [result, next] = transition(s, now)
          const [emitted, log] = InternalWebhooks.observe(next.webhooks, next.sessions, now, { ...webhooks, request })
          return [[result, emitted] as const, { ...next, webhooks: log }]
        })
        yield* delivery.emitted(emitted)
        return result
      })
    // A transition that changes nothing: what time has ended since the last one is emitted.
    const observe = run((s) => [undefined, s])
    yield* delivery.watchDeadlines(observe)
    const read = <A>(f: (s: InternalState.State) => A): Effect.Effect<A> => Effect.map(Ref.get(state), f)

    const accept = (by: InternalTokens.AcceptBy): Effect.Effect<StoredToken, TicketRejected> =>
      Effect.gen(function*() {
        const sessionId = yield* InternalRandom.sessionId
        const clientId = yield* InternalRandom.clientId
        const accepted = yield* run((s, now) => InternalState.accept(s, now, { by, sessionId, clientId }))
        return yield* Either.mapLeft(accepted, (rejection) => new TicketRejected(rejection))
      })
    const endSession = (id: string, status: "ended" | "removed") =>
      Effect.flatMap(
        run((s, now) => InternalState.endSession(s, now, id, status)),
        Either.mapLeft((refused) => new SessionRejected(InternalSessions.rejection(refused)))
      )
    const readAt = <A>(f: (s: InternalState.State, now: number) => A): Effect.Effect<A> =>
      run((s, now) => [f(s, now), s])
    const signingKey = yield* Effect.cached(
      Option.match(resolved.signingKey, { onNone: () => InternalSigningKey.generateNow, onSome: Effect.succeed })
    )
    const tokenDeps = { issuer: resolved.baseUrl, run, signingKey }

    return Emulator.of({
      options: resolved,
      httpApp: InternalRouter.make({ options: resolved, run, signingKey }),
      tokens: read((s) => s.tokens),
      find: (id) => read((s) => Option.fromNullable(s.tokens.find((t) => t.id === id))),
      accept: (id) => accept({ id }),
      acceptTicket: (ticket) => accept({ ticket }),
      sessions: readAt((s, now) => InternalSessions.all(s.sessions, now)),
      findSession: (id) => readAt((s, now) => InternalSessions.find(s.sessions, now, id)),
      seedSession: (params) =>
        Effect.gen(function*() {
          const checked = yield* Either.mapLeft(
            InternalSessions.decodeSeedParams(params),
            (message) => new SessionRejected({ reason: "InvalidParams", message })
          )
          const input = {
            ...checked,
            id: checked.id ?? (yield* InternalRandom.sessionId),
            clientId: checked.clientId ?? (yield* InternalRandom.clientId)
          }
          const seeded = yield* run((s, now) => InternalState.seedSession(s, now, input))
          return yield* Either.mapLeft(
            seeded,
            () => new SessionRejected({ reason: "DuplicateId", message: `A session with the id ${input.id} exists.` })
          )
        }),
      touchSession: (id) =>
        Effect.flatMap(
          run((s, now) => InternalState.touchSession(s, now, id)),
          Either.mapLeft((refused) => new SessionRejected(InternalSessions.rejection(refused)))
        ),
      signingKey,
      jwks: Effect.map(signingKey, (key) => ({ keys: [InternalSigningKey.jwk(key)] })),
      publicKeyPem: Effect.map(signingKey, InternalSigningKey.publicKeyPem),
      sessionToken: (sessionId, tokenOptions = {}) =>
        Effect.gen(function*() {
          const expiresInSeconds = yield* Either.mapLeft(
            decodeExpiresInSeconds(tokenOptions.expiresInSeconds ?? SessionToken.defaultExpiresInSeconds),
            () =>
              new SessionRejected({
                reason: "InvalidParams",
                message:
                  `expiresInSeconds must be a whole number of seconds from ${SessionToken.minExpiresInSeconds} ` +
                  `to ${SessionToken.maxExpiresInSeconds}`
              })
          )
          const signed = yield* InternalSessionTokenRoutes.signedToken(tokenDeps, sessionId, expiresInSeconds)
          return yield* Either.mapLeft(signed, (refused) => new SessionRejected(InternalSessions.rejection(refused)))
        }),
      endSession: (id) => endSession(id, "ended"),
      removeSession: (id) => endSession(id, "removed"),
      requestCounts: read((s) => s.counts),
      requestCount: (route) => read((s) => s.counts[route]),
      injectFault: (fault, faultOptions) => Ref.update(state, (s) => InternalState.injectFault(s, fault, faultOptions)),
      pendingFaults: read((s) => InternalFaults.pending(s.faults)),
      clearFaults: Ref.update(state, InternalState.clearFaults),
      webhookEvents: Effect.zipRight(observe, read((s) => s.webhooks.events)),
      reset: Ref.update(state, (s) => ({ ...InternalState.initial, webhooks: InternalWebhooks.reset(s.webhooks) }))
    })
  })

/**
 * A layer of a fresh emulator.
 *
 * @example
 * ```ts
 * import { Emulator, TestClerk } from "@effect-clerk/test-kit"
 * import { Layer } from "effect"
 *
 * // The emulator with a monthly quota of 5, and its in-memory HttpClient for your own ClerkClient layer.
 * const EmulatorLive = Emulator.layer({ monthlyQuota: 5 })
 * const HttpLive = TestClerk.layerHttpClient.pipe(Layer.provide(EmulatorLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, EmulatorConfigError> =>
  Layer.scoped(Emulator, make(options))
