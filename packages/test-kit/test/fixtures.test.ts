import { ActorTokens, Sessions } from "@effect-clerk/client"
import { ActorToken, ClerkErrorBody, Session } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as Fixtures from "@effect-clerk/test-kit/Fixtures"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, FastCheck, Redacted, Schema, SchemaAST } from "effect"

const decodeParams = Schema.decodeUnknownSync(ActorToken.CreateActorTokenParams)

/** The keys of a create body on the wire (`user_id`, `actor`, …), read from the schema. */
const bodyKeys = SchemaAST.getPropertySignatures(Schema.encodedSchema(ActorToken.CreateActorTokenParams).ast).map(
  (signature) => String(signature.name)
)

/** Keys that are not parameters of create: generated ones, and names an object inherits from its prototype. */
const unknownKey = FastCheck.oneof(
  FastCheck.stringMatching(/^[a-z_]{1,20}$/),
  FastCheck.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty")
).filter((key) => !bodyKeys.includes(key))
const decodeToken = Schema.decodeUnknownSync(ActorToken.ActorToken)
const encodeToken = Schema.encodeSync(ActorToken.ActorToken)
const decodeErrors = Schema.decodeUnknownSync(ClerkErrorBody.ClerkErrorBody)
const encodeErrors = Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)
const encodeParams = Schema.encodeSync(ActorToken.CreateActorTokenParams)
const decodeSession = Schema.decodeUnknownSync(Session.Session)
const encodeSession = Schema.encodeSync(Session.Session)

/** What survives JSON on the wire (e.g. -0 becomes 0). */
const overJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe("arbitraries", () => {
  it.prop("createBody is wire JSON that decodes with CreateActorTokenParams", [Fixtures.createBody], ([body]) => {
    const params = decodeParams(overJson(body), { onExcessProperty: "error" })
    expect(params.userId).toBe(body.user_id)
    expect(params.actor.sub).toBe(body.actor.sub)
  })

  it.prop("actorTokenJson decodes as an ActorToken and encodes back unchanged", [Fixtures.actorTokenJson], ([json]) => {
    expect(encodeToken(decodeToken(json))).toEqual(json)
  })

  it.prop(
    "clerkErrorBodyJson decodes as a ClerkErrorBody and encodes back unchanged",
    [Fixtures.clerkErrorBodyJson],
    ([json]) => {
      expect(encodeErrors(decodeErrors(json))).toEqual(json)
    }
  )

  it.prop("createParams survive the wire: encoded, sent as JSON, decoded", [Fixtures.createParams], ([params]) => {
    expect(decodeParams(overJson(encodeParams(params)))).toEqual(params)
  })

  it.prop("sessionJson decodes as a Session and encodes back unchanged", [Fixtures.sessionJson], ([json]) => {
    expect(encodeSession(decodeSession(overJson(json)))).toEqual(json)
  })

  it.effect.prop(
    "the emulator answers any seeded session as it was given",
    [Fixtures.session.filter((s) => s.status !== "active" && s.status !== "pending")],
    ([session]) =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { actor, abandonAt, clientId, createdAt, expireAt, id, lastActiveAt, status, userId } = session
        yield* emulator.seedSession({
          id,
          userId,
          clientId,
          actor,
          status,
          createdAt,
          lastActiveAt,
          expireAt,
          abandonAt
        })
        const { tasks: _, ...given } = session
        expect(yield* Sessions.get(id)).toEqual(
          new Session.Session({ ...given, updatedAt: createdAt, lastActiveOrganizationId: null, latestActivity: null })
        )
      }).pipe(Effect.provide(TestClerk.layer({ client: { maxRetries: 0 } }))),
    { fastCheck: { numRuns: 50 } }
  )
})

describe("named fixtures", () => {
  it("are the wire JSON of their decoded values", () => {
    expect(Fixtures.pendingTokenJson.status).toBe("pending")
    expect(Fixtures.acceptedTokenJson.status).toBe("accepted")
    expect(Fixtures.revokedTokenJson.status).toBe("revoked")
    expect(Fixtures.revokedTokenJson.token).toBe(Fixtures.pendingTokenJson.token)
    expect(encodeToken(decodeToken(Fixtures.pendingTokenJson))).toEqual(Fixtures.pendingTokenJson)
    expect(Fixtures.pendingToken.token && Redacted.value(Fixtures.pendingToken.token)).toBe(
      Fixtures.pendingTokenJson.token
    )
    expect(Fixtures.notFoundJson.errors[0]?.code).toBe("resource_not_found")
    expect(Fixtures.cannotBeRevokedJson.errors[0]?.long_message).toBe(
      "Actor token cannot be revoked because its status is revoked. Only pending tokens can be revoked."
    )
  })
})

layer(TestClerk.layer({ client: { maxRetries: 0 } }))("the emulator against the fixtures", (it) => {
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const response = yield* TestClerk.httpClient(emulator).execute(request)
      return { status: response.status, json: (yield* response.json) as Record<string, unknown> }
    })
  const withoutTrace = ({ clerk_trace_id: _, ...rest }: Record<string, unknown>) => rest
  const api = `${Emulator.defaultBaseUrl}/v1`
  const authed = HttpClientRequest.bearerToken(Emulator.defaultSecretKey)

  it.effect.prop(
    "creates a pending token for any valid parameters, keeping the actor",
    [Fixtures.createParams],
    ([params]) =>
      Effect.gen(function*() {
        const token = yield* ActorTokens.create(params)
        expect(token.status).toBe("pending")
        expect(token.userId).toBe(params.userId)
        expect(token.actor).toEqual(params.actor)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "refuses any body with an unknown key: 422 form_param_unknown",
    [Fixtures.createBody, unknownKey],
    ([body, key]) =>
      Effect.gen(function*() {
        const response = yield* send(
          HttpClientRequest.post(`${api}/actor_tokens`).pipe(
            authed,
            HttpClientRequest.bodyUnsafeJson({ ...body, [key]: 1 })
          )
        )
        expect(response.status).toBe(422)
        expect(decodeErrors(response.json).errors.map((e) => [e.code, e.longMessage])).toEqual([
          ["form_param_unknown", `${key} is not a valid parameter for this request.`]
        ])
      }),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect("answers exactly the fixtures' error bodies", () =>
    Effect.gen(function*() {
      const notFound = yield* send(HttpClientRequest.post(`${api}/actor_tokens/act_unknown/revoke`).pipe(authed))
      expect(notFound.status).toBe(404)
      expect(withoutTrace(notFound.json)).toEqual(withoutTrace(Fixtures.notFoundJson))

      const token = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })
      yield* ActorTokens.revoke(token.id)
      const again = yield* send(HttpClientRequest.post(`${api}/actor_tokens/${token.id}/revoke`).pipe(authed))
      expect(again.status).toBe(400)
      expect(withoutTrace(again.json)).toEqual(withoutTrace(Fixtures.cannotBeRevokedJson))

      const noSub = yield* send(
        HttpClientRequest.post(`${api}/actor_tokens`).pipe(
          authed,
          HttpClientRequest.bodyUnsafeJson({ user_id: "u", actor: {} })
        )
      )
      expect(noSub.status).toBe(422)
      expect(withoutTrace(noSub.json)).toEqual(withoutTrace(Fixtures.actorSubMissingJson))
    }))
})
