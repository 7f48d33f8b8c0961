/**
 * The impersonation flow end to end, with the real client over real HTTP.
 *
 * With no `CLERK_SECRET_KEY`, it starts the Clerk emulator on 127.0.0.1 (no account needed) and runs every step. With
 * `CLERK_SECRET_KEY` (and `DEMO_USER_ID` / `DEMO_ACTOR_ID`, ids of two users of that Clerk instance) it runs the
 * steps that real Clerk can run: create, revoke, and the typed error of revoking twice. The steps of the application's
 * side (the session token, the refusal, the webhook events) need an accepted impersonation, which only the emulator
 * gives without a browser: they run against the emulator only.
 */
import { ClerkAuth, SessionToken, Webhooks } from "@effect-clerk/auth"
import { ActorTokens, ClerkClient, Impersonations, Sessions } from "@effect-clerk/client"
import type { ActorToken } from "@effect-clerk/schema"
import { Emulator, EmulatorServer } from "@effect-clerk/test-kit"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const step = (n: number, what: string) => Console.log(`\n${n}. ${what}`)
const show = (label: string, value: string) => Console.log(`   ${label.padEnd(8)} ${value}`)
const showToken = (token: ActorToken.ActorToken) =>
  Effect.all([
    show("id", token.id),
    show("status", token.status),
    show("actor", JSON.stringify(token.actor)),
    show("url", token.url ? Redacted.value(token.url) : "(none)")
  ])

/** Step 1: what works the same against real Clerk and against the emulator. */
const coreFlow = (userId: string, actorId: string) =>
  Effect.gen(function*() {
    yield* step(1, "Create an actor token with extra actor claims (sent verbatim beside `sub`)")
    const first = yield* ActorTokens.create({
      userId,
      actor: { sub: actorId, reason: "support ticket T-1234" },
      expiresInSeconds: 600
    })
    yield* showToken(first)
    return first
  })

const emulatorFlow = Effect.gen(function*() {
  const server = yield* EmulatorServer.EmulatorServer
  yield* Console.log(`Clerk emulator listening on ${server.url} (no Clerk account needed)`)
  const first = yield* coreFlow("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", "user_support_42")

  yield* step(2, "Open the url, as the support agent's browser would: the token becomes `accepted`")
  const response = yield* Effect.promise(() => fetch(Redacted.value(first.url!)))
  yield* show("GET url", `${response.status} ${response.statusText}`)
  const stored = yield* server.emulator.find(first.id)
  yield* show("status", Option.match(stored, { onNone: () => "(unknown)", onSome: (t) => t.status }))

  yield* step(3, "Revoke the accepted token: Clerk refuses, and the error is typed")
  const refused = yield* ActorTokens.revoke(first.id).pipe(Effect.flip)
  yield* show("error", refused._tag)
  if (refused._tag === "ClerkBadRequest") {
    yield* show("code", refused.errors[0]?.code ?? "(none)")
    yield* show("message", refused.message)
  }

  yield* step(4, "The accepted token is a session of the user now: Impersonations.active finds it")
  const active = yield* Impersonations.active({ userId: first.userId })
  for (const session of active) {
    yield* show("session", `${session.id} ${session.status}, actor ${JSON.stringify(session.actor)}`)
  }

  yield* step(5, "The application verifies the session's token: who is signed in, who acts for them")
  const [session] = active
  if (session !== undefined) {
    // What the impersonated browser sends on every request, minted here through the Backend API.
    const jwt = yield* Sessions.createToken(session.id)
    // The emulator's keys, fetched from its /v1/jwks with the secret key; its issuer is its own URL.
    const claims = yield* SessionToken.verify(Redacted.value(jwt)).pipe(
      Effect.provide(
        SessionToken.layer({ secretKey: Emulator.defaultSecretKey, apiUrl: server.url, issuer: server.url }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
    )
    yield* show("user", `${claims.userId} in ${claims.sessionId}`)
    yield* show("actor", Option.match(claims.actor, { onNone: () => "(nobody)", onSome: (a) => JSON.stringify(a) }))
    const forbidden = yield* ClerkAuth.forbidImpersonation().pipe(
      Effect.provideService(ClerkAuth.CurrentSession, claims),
      Effect.flip,
      // The refusal's warning (with the actor's id) is for the server's logs; the demo shows the typed error.
      Logger.withMinimumLogLevel(LogLevel.Error)
    )
    yield* show("refused", `${forbidden._tag} (${forbidden.actor}): a sensitive action answers 403`)
  }

  yield* step(6, "Impersonations.end ends it (the \"stop impersonating\" button), in one call")
  const ended = yield* Impersonations.end({ userId: first.userId, actor: "user_support_42" })
  yield* show("ended", ended.ended.map((session) => `${session.id} → ${session.status}`).join(", "))
  const left = yield* Impersonations.active({ userId: first.userId })
  yield* show("active", `${left.length} impersonated session(s) left`)

  yield* step(
    7,
    "The audit trail: the webhook events Clerk sends (session.created, session.revoked), read with Webhooks.impersonationOf"
  )
  for (const emitted of yield* server.emulator.webhookEvents) {
    yield* Option.match(Webhooks.impersonationOf(emitted.event), {
      onNone: () => Effect.void,
      onSome: (record) =>
        show(
          "audit",
          `${record._tag} ${String(record.actor.sub)} as ${record.userId} in ${record.sessionId}` +
            (record._tag === "ImpersonationEnded" ? ` (${record.reason})` : "")
        )
    })
  }

  yield* step(8, "Create a second token and revoke it while it is pending")
  const second = yield* ActorTokens.create({
    userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
    actor: { sub: "user_support_42" }
  })
  const revoked = yield* ActorTokens.revoke(second.id)
  yield* show("id", revoked.id)
  yield* show("status", `${second.status} → ${revoked.status}`)

  yield* step(9, "Revoke survives a 503: the emulator fails the next revoke once, the client retries it")
  const third = yield* ActorTokens.create({
    userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
    actor: { sub: "user_support_42" }
  })
  const before = yield* server.emulator.requestCount("revoke")
  yield* server.emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "revoke", times: 1 })
  const retried = yield* ActorTokens.revoke(third.id)
  const attempts = (yield* server.emulator.requestCount("revoke")) - before
  yield* show("status", retried.status)
  yield* show("attempts", `${attempts} (503, then 200)`)

  yield* step(10, "`create` is never resent after an ambiguous failure: it could mint a second live token")
  yield* server.emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "create", times: 1 })
  const createsBefore = yield* server.emulator.requestCount("create")
  const failed = yield* ActorTokens.create({
    userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
    actor: { sub: "user_support_42" }
  })
    .pipe(Effect.flip)
  const creates = (yield* server.emulator.requestCount("create")) - createsBefore
  yield* show("error", `${failed._tag} after ${creates} request`)

  yield* Console.log("\nDone: every step ran against a real HTTP server with the real client.")
})

const realClerkFlow = Effect.gen(function*() {
  const userId = yield* Config.string("DEMO_USER_ID")
  const actorId = yield* Config.string("DEMO_ACTOR_ID")
  yield* Console.log("Running against Clerk (CLERK_SECRET_KEY is set)")
  const first = yield* coreFlow(userId, actorId)
  yield* step(2, "Revoke it while it is pending")
  const revoked = yield* ActorTokens.revoke(first.id)
  yield* show("status", `${first.status} → ${revoked.status}`)
  yield* step(3, "Revoke it again: Clerk refuses, and the error is typed")
  const refused = yield* ActorTokens.revoke(first.id).pipe(Effect.flip)
  yield* show("error", refused._tag)
  if (refused._tag === "ClerkBadRequest") yield* show("code", refused.errors[0]?.code ?? "(none)")
})

const EmulatorLive = Layer.unwrapEffect(
  Effect.map(
    EmulatorServer.EmulatorServer,
    (server) => ClerkClient.layer({ secretKey: Redacted.make(Emulator.defaultSecretKey), apiUrl: server.url })
  )
).pipe(Layer.provideMerge(EmulatorServer.layer({ port: 0 })), Layer.provide(NodeHttpClient.layerUndici))

const RealClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

const main = Effect.gen(function*() {
  const key = yield* Config.option(Config.redacted("CLERK_SECRET_KEY"))
  if (Option.isSome(key)) {
    return yield* realClerkFlow.pipe(Effect.provide(RealClerkLive))
  }
  return yield* emulatorFlow.pipe(Effect.provide(EmulatorLive))
})

Effect.runFork(
  main.pipe(
    Effect.catchAllCause((cause) =>
      Console.error(`\nThe demo failed:\n${Cause.pretty(cause)}`).pipe(
        Effect.zipRight(Effect.sync(() => {
          process.exitCode = 1
        }))
      )
    )
  )
)
