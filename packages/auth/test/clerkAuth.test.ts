import { ClerkAuth, SessionToken } from "@effect-clerk/auth"
import { SessionClaims } from "@effect-clerk/schema"
import { Observe } from "@effect-clerk/test-kit"
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApp,
  HttpRouter,
  HttpServer,
  HttpServerResponse,
  OpenApi
} from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Schema } from "effect"

// The verifier is replaced by a table of test tokens: these tests are about what the middleware does with its answer.
const claims = (payload: Record<string, unknown>) =>
  Schema.decodeUnknownSync(SessionClaims.SessionClaims)({ iat: 1_700_000_000, exp: 1_700_000_060, v: 2, ...payload })

const sessions: Record<string, SessionClaims.SessionClaims> = {
  "tok-user": claims({ sub: "user_1", sid: "sess_user" }),
  "tok-other": claims({ sub: "user_2", sid: "sess_other" }),
  "tok-imp": claims({
    sub: "user_1",
    sid: "sess_imp",
    act: { sub: "user_support_7", iss: "https://dashboard.clerk.com" }
  }),
  "tok-agent": claims({ sub: "user_1", sid: "sess_agent", act: { sub: "agent_9", type: "agent" } })
}

const makeVerifier = () => {
  const seen: Array<string> = []
  const layer = Layer.succeed(SessionToken.Verifier, {
    verify: (token) => {
      const value = Redacted.isRedacted(token) ? Redacted.value(token) : token
      seen.push(value)
      const session = sessions[value]
      return session !== undefined
        ? Effect.succeed(session)
        : Effect.fail(
          new SessionToken.SessionTokenError({
            reason: value === "tok-expired" ? "token-expired" : "token-invalid",
            message: "refused"
          })
        )
    }
  })
  return { layer, seen }
}

interface Answer {
  readonly status: number
  readonly body: unknown
}

const call = (handler: (request: Request) => Promise<Response>) =>
(
  path: string,
  options: {
    readonly method?: string
    readonly bearer?: string
    readonly authorization?: string
    readonly cookie?: string
  } = {}
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const headers = new Headers()
    if (options.bearer !== undefined) headers.set("authorization", `Bearer ${options.bearer}`)
    if (options.authorization !== undefined) headers.set("authorization", options.authorization)
    if (options.cookie !== undefined) headers.set("cookie", `__session=${options.cookie}`)
    const response = await handler(new Request(`http://localhost${path}`, { method: options.method ?? "GET", headers }))
    const text = await response.text()
    const json = response.headers.get("content-type")?.startsWith("application/json") === true
    return { status: response.status, body: json ? JSON.parse(text) : text }
  })

const unauthorized = (reason: SessionToken.Reason) => ({ status: 401, body: { _tag: "Unauthorized", reason } })
const forbidden = (actor: "impersonator" | "agent") => ({
  status: 403,
  body: { _tag: "ImpersonationForbidden", actor }
})

// ---------------------------------------------------------------------------------------------------------------------
// HttpApi

class Whoami extends Schema.Class<Whoami>("Whoami")({
  userId: Schema.String,
  sessionId: Schema.String,
  actor: Schema.NullOr(Schema.String)
}) {}

const endpoints = HttpApiGroup.make("account")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(Whoami))
  .add(
    HttpApiEndpoint.post("transfer", "/transfer").addSuccess(Schema.String).addError(ClerkAuth.ImpersonationForbidden)
  )
  .add(HttpApiEndpoint.post("refund", "/refund").addSuccess(Schema.String).addError(ClerkAuth.ImpersonationForbidden))
  .add(HttpApiEndpoint.del("close", "/account").addSuccess(Schema.String).middleware(ClerkAuth.NoImpersonation))

// The group declares ClerkAuth, so the endpoint's NoImpersonation runs first; the API-level variant runs ClerkAuth
// first. Both orders are tested.
const GroupApi = HttpApi.make("group").add(endpoints.middleware(ClerkAuth.ClerkAuth))
const TopApi = HttpApi.make("top").add(endpoints).middleware(ClerkAuth.ClerkAuth)

const handlers = <Api extends typeof GroupApi | typeof TopApi>(api: Api) =>
  HttpApiBuilder.group(api as typeof GroupApi, "account", (handlers) =>
    handlers
      .handle("me", () =>
        Effect.gen(function*() {
          const session = yield* ClerkAuth.CurrentSession
          yield* Effect.log("handling me")
          return new Whoami({
            userId: session.userId,
            sessionId: session.sessionId,
            actor: Option.getOrNull(Option.map(session.actor, (actor) => actor.sub))
          })
        }).pipe(Effect.withSpan("me.handler")))
      .handle("transfer", () => Effect.as(ClerkAuth.forbidImpersonation(), "transferred"))
      .handle("refund", () => Effect.as(ClerkAuth.forbidImpersonation({ allowAgents: true }), "refunded"))
      .handle("close", () => Effect.succeed("closed")))

const serveApi = (
  api: typeof GroupApi | typeof TopApi,
  options: { readonly allowAgents?: boolean } = {}
) => {
  const verifier = makeVerifier()
  const ApiLive = HttpApiBuilder.api(api as typeof GroupApi).pipe(
    Layer.provide(handlers(api)),
    Layer.provide(ClerkAuth.layer),
    Layer.provide(ClerkAuth.layerNoImpersonation(options)),
    Layer.provide(verifier.layer)
  )
  const layer = Layer.mergeAll(
    ApiLive,
    HttpApiBuilder.Router.Live,
    HttpApiBuilder.Middleware.layer,
    HttpServer.layerContext,
    Observe.layer
  )
  const run = <A, E>(
    f: (request: ReturnType<typeof call>, seen: Array<string>) => Effect.Effect<A, E, Observe.Captured>
  ) =>
    Effect.gen(function*() {
      const app = yield* HttpApiBuilder.httpApp
      const handler = HttpApp.toWebHandlerRuntime(yield* Effect.runtime<HttpRouter.HttpRouter.DefaultServices>())(app)
      return yield* f(call(handler), verifier.seen)
    }).pipe(Effect.provide(layer))
  return run
}

describe("ClerkAuth through an HttpApi", () => {
  it.effect("a Bearer token or the __session cookie gives the handler its session", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        const me = { userId: "user_1", sessionId: "sess_user", actor: null }
        expect(yield* request("/me", { bearer: "tok-user" })).toEqual({ status: 200, body: me })
        expect(yield* request("/me", { cookie: "tok-user" })).toEqual({ status: 200, body: me })
        expect(yield* request("/me", { bearer: "tok-imp" })).toEqual({
          status: 200,
          body: { userId: "user_1", sessionId: "sess_imp", actor: "user_support_7" }
        })
      })
    ))

  it.effect("no credential, an empty one, or an Authorization header of another scheme is token-missing", () =>
    serveApi(GroupApi)((request, seen) =>
      Effect.gen(function*() {
        expect(yield* request("/me")).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { bearer: "" })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { authorization: "Bearer    " })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { cookie: "" })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { bearer: "", cookie: "" })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { authorization: "Basic dG9rLXVzZXI=" })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { authorization: "tok-user" })).toEqual(unauthorized("token-missing"))
        expect(seen).toEqual([])
      })
    ))

  it.effect("a missing or malformed Authorization header falls through to the cookie", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        expect((yield* request("/me", { bearer: "", cookie: "tok-user" })).status).toBe(200)
        expect((yield* request("/me", { authorization: "Basic dG9rLW90aGVy", cookie: "tok-user" })).status).toBe(200)
        expect((yield* request("/me", { authorization: "bearer tok-user" })).status).toBe(200)
      })
    ))

  it.effect("a refused token answers 401 with the verifier's reason, and never echoes the token", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        const expired = yield* request("/me", { bearer: "tok-expired" })
        expect(expired).toEqual(unauthorized("token-expired"))
        expect(yield* request("/me", { cookie: "tok-forged" })).toEqual(unauthorized("token-invalid"))
        expect(JSON.stringify(expired)).not.toContain("tok-")
      })
    ))

  it.effect("the Bearer token decides alone: a refused one is not rescued by a valid cookie, a valid one wins", () =>
    serveApi(GroupApi)((request, seen) =>
      Effect.gen(function*() {
        expect(yield* request("/me", { bearer: "tok-forged", cookie: "tok-user" })).toEqual(
          unauthorized("token-invalid")
        )
        expect(yield* request("/me", { bearer: "tok-expired", cookie: "tok-user" })).toEqual(
          unauthorized("token-expired")
        )
        expect(yield* request("/me", { bearer: "tok-other", cookie: "tok-user" })).toMatchObject({
          status: 200,
          body: { userId: "user_2", sessionId: "sess_other" }
        })
        // Each request verified one token, once, although the platform runs both schemes when the first fails.
        expect(seen).toEqual(["tok-forged", "tok-expired", "tok-other"])
      })
    ))

  it.effect("forbidImpersonation answers 403 to any actor; allowAgents lets an agent through", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        expect(yield* request("/transfer", { method: "POST", bearer: "tok-user" })).toEqual({
          status: 200,
          body: "transferred"
        })
        expect(yield* request("/transfer", { method: "POST", bearer: "tok-imp" })).toEqual(forbidden("impersonator"))
        expect(yield* request("/transfer", { method: "POST", bearer: "tok-agent" })).toEqual(forbidden("agent"))
        expect(yield* request("/refund", { method: "POST", bearer: "tok-agent" })).toEqual({
          status: 200,
          body: "refunded"
        })
        expect(yield* request("/refund", { method: "POST", bearer: "tok-imp" })).toEqual(forbidden("impersonator"))
        expect(yield* request("/transfer", { method: "POST" })).toEqual(unauthorized("token-missing"))
      })
    ))

  for (
    const [order, api] of [["before the group's ClerkAuth", GroupApi], ["after the API's ClerkAuth", TopApi]] as const
  ) {
    it.effect(`NoImpersonation on an endpoint, ${order}: 403 to an actor, 401 without a session, one verification`, () =>
      serveApi(api)((request, seen) =>
        Effect.gen(function*() {
          expect(yield* request("/account", { method: "DELETE", cookie: "tok-user" })).toEqual({
            status: 200,
            body: "closed"
          })
          expect(yield* request("/account", { method: "DELETE", bearer: "tok-imp" })).toEqual(forbidden("impersonator"))
          expect(yield* request("/account", { method: "DELETE", bearer: "tok-agent" })).toEqual(forbidden("agent"))
          expect(yield* request("/account", { method: "DELETE", bearer: "tok-forged", cookie: "tok-user" })).toEqual(
            unauthorized("token-invalid")
          )
          expect(yield* request("/account", { method: "DELETE" })).toEqual(unauthorized("token-missing"))
          expect(seen).toEqual(["tok-user", "tok-imp", "tok-agent", "tok-forged"])
        })
      ))
  }

  it.effect("layerNoImpersonation({ allowAgents: true }) lets an agent through and refuses a person", () =>
    serveApi(GroupApi, { allowAgents: true })((request) =>
      Effect.gen(function*() {
        expect((yield* request("/account", { method: "DELETE", bearer: "tok-agent" })).status).toBe(200)
        expect(yield* request("/account", { method: "DELETE", bearer: "tok-imp" })).toEqual(forbidden("impersonator"))
      })
    ))

  it.effect("an impersonated request carries the actor, session and user on its span, child spans and logs", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        expect((yield* request("/me", { bearer: "tok-imp" })).status).toBe(200)
        const captured = yield* Observe.Captured
        const audit = {
          "clerk.actor.sub": "user_support_7",
          "clerk.session.id": "sess_imp",
          "clerk.user.id": "user_1"
        }
        const logs = yield* captured.logs
        expect(logs.find((log) => String(log.message) === "handling me")?.annotations)
          .toMatchObject(audit)
        const spans = yield* captured.spans
        const server = spans.find((span) => span.name === "http.server GET")
        const child = spans.find((span) => span.name === "me.handler")
        expect(Object.fromEntries(server?.attributes ?? [])).toMatchObject(audit)
        expect(Object.fromEntries(child?.attributes ?? [])).toMatchObject(audit)
        expect(yield* captured.text).not.toContain("tok-")
      })
    ))

  it.effect("a plain request carries its session and user, no actor; a refusal is logged with the actor", () =>
    serveApi(GroupApi)((request) =>
      Effect.gen(function*() {
        expect((yield* request("/me", { cookie: "tok-user" })).status).toBe(200)
        expect((yield* request("/transfer", { method: "POST", bearer: "tok-agent" })).status).toBe(403)
        expect((yield* request("/me", { bearer: "tok-forged" })).status).toBe(401)
        const captured = yield* Observe.Captured
        const logs = yield* captured.logs
        const handled = logs.find((log) => String(log.message) === "handling me")
        expect(handled?.annotations).toMatchObject({ "clerk.session.id": "sess_user", "clerk.user.id": "user_1" })
        expect(handled?.annotations).not.toHaveProperty("clerk.actor.sub")
        const refusal = logs.find((log) => log.level === "WARN")
        expect(String(refusal?.message)).toContain("acts for the user")
        expect(refusal?.annotations).toMatchObject({
          "clerk.actor.sub": "agent_9",
          "clerk.actor.type": "agent",
          "clerk.session.id": "sess_agent"
        })
        const refused = logs.find((log) => log.annotations["clerk.auth.reason"] !== undefined)
        expect(refused?.annotations["clerk.auth.reason"]).toBe("token-invalid")
        expect(yield* captured.text).not.toContain("tok-")
      })
    ))
})

describe("ClerkAuth in the OpenAPI document", () => {
  it("declares both security schemes, and 401 and 403 on a NoImpersonation endpoint", () => {
    const spec = OpenApi.fromApi(GroupApi)
    expect(spec.components.securitySchemes).toEqual({
      clerkBearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A Clerk session token" },
      clerkSession: {
        type: "apiKey",
        in: "cookie",
        name: "__session",
        description: "A Clerk session token in the __session cookie"
      }
    })
    const close = spec.paths["/account"]?.delete
    expect(close?.security).toEqual([{ clerkBearer: [] }, { clerkSession: [] }])
    expect(Object.keys(close?.responses ?? {})).toEqual(expect.arrayContaining(["200", "401", "403"]))
    expect(Object.keys(spec.paths["/transfer"]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "401", "403"])
    )
  })

  it("the errors' messages name the reason and the actor, for logs", () => {
    expect(new ClerkAuth.Unauthorized({ reason: "token-expired" }).message).toBe(
      "No verified Clerk session (token-expired)"
    )
    expect(new ClerkAuth.ImpersonationForbidden({ actor: "agent" }).message).toBe(
      "Not allowed while an agent acts for the user"
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------------
// HttpRouter

const router = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/me",
    Effect.gen(function*() {
      const session = yield* ClerkAuth.CurrentSession
      yield* Effect.log("handling me")
      return yield* HttpServerResponse.json({ userId: session.userId, sessionId: session.sessionId })
    })
  ),
  HttpRouter.post("/transfer", Effect.as(ClerkAuth.forbidImpersonation(), HttpServerResponse.text("transferred"))),
  HttpRouter.use(ClerkAuth.middleware)
)

const serveRouter = <A, E>(
  f: (request: ReturnType<typeof call>, seen: Array<string>) => Effect.Effect<A, E, Observe.Captured>
) => {
  const verifier = makeVerifier()
  return Effect.gen(function*() {
    const handler = HttpApp.toWebHandlerRuntime(yield* Effect.runtime<SessionToken.Verifier>())(router)
    return yield* f(call(handler), verifier.seen)
  }).pipe(Effect.provide(Layer.mergeAll(verifier.layer, Observe.layer)))
}

describe("ClerkAuth.middleware in an HttpRouter app", () => {
  it.effect("a Bearer token or the cookie reaches the handler; none, or a refused Bearer token, answers 401", () =>
    serveRouter((request, seen) =>
      Effect.gen(function*() {
        const me = { status: 200, body: { userId: "user_1", sessionId: "sess_user" } }
        expect(yield* request("/me", { bearer: "tok-user" })).toEqual(me)
        expect(yield* request("/me", { cookie: "tok-user" })).toEqual(me)
        expect(yield* request("/me", { authorization: "Basic eA==", cookie: "tok-user" })).toEqual(me)
        expect(yield* request("/me")).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { bearer: "", cookie: "" })).toEqual(unauthorized("token-missing"))
        expect(yield* request("/me", { bearer: "tok-expired", cookie: "tok-user" })).toEqual(
          unauthorized("token-expired")
        )
        expect(seen).toEqual(["tok-user", "tok-user", "tok-user", "tok-expired"])
      })
    ))

  it.effect("forbidImpersonation in a handler answers 403 by itself", () =>
    serveRouter((request) =>
      Effect.gen(function*() {
        expect(yield* request("/transfer", { method: "POST", bearer: "tok-user" })).toEqual({
          status: 200,
          body: "transferred"
        })
        expect(yield* request("/transfer", { method: "POST", bearer: "tok-imp" })).toEqual(forbidden("impersonator"))
        expect(yield* request("/transfer", { method: "POST", cookie: "tok-agent" })).toEqual(forbidden("agent"))
      })
    ))

  it.effect("an impersonated request carries the actor on its span and logs, and no token anywhere", () =>
    serveRouter((request) =>
      Effect.gen(function*() {
        expect((yield* request("/me", { cookie: "tok-imp" })).status).toBe(200)
        const captured = yield* Observe.Captured
        const audit = { "clerk.actor.sub": "user_support_7", "clerk.session.id": "sess_imp", "clerk.user.id": "user_1" }
        const handled = (yield* captured.logs).find((log) => String(log.message) === "handling me")
        expect(handled?.annotations).toMatchObject(audit)
        const server = (yield* captured.spans).find((span) => span.name === "http.server GET")
        expect(Object.fromEntries(server?.attributes ?? [])).toMatchObject(audit)
        expect(yield* captured.text).not.toContain("tok-")
      })
    ))
})
