// One process of the shared rate-limit tests: the real client over fetch, with the Redis limiter composed exactly as
// the README shows, running create + revoke jobs against the loopback emulator. Started by `harness.ts` with its
// settings as JSON in argv[2] and the secret key in CLERK_SECRET_KEY; it reports over IPC, only once the run is over,
// so that reporting never competes with the run for the parent's event loop (where the emulator serves).
//
// Messages: { type: "ready" } once the layers are built and the connections warm; then, after the parent's { type: "go" } (and, in timed runs,
// its { type: "stop" }), one { type: "report", attempts, calls, logs } before exiting.
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as RedisRateLimiter from "@effect-clerk/client/RedisRateLimiter"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Deferred, Duration, Effect, Layer, Logger, Redacted } from "effect"

const settings = JSON.parse(process.argv[2])
const secretKey = Redacted.make(process.env.CLERK_SECRET_KEY ?? "")

/** Every HTTP attempt: when it was sent, when its answer came, its status (0: no response). */
const attempts = []
/** Every call: its operation, start and end, and "ok" or the error's tag. */
const calls = []
const logs = []

const record = (client) =>
  HttpClient.transform(client, (response, request) => {
    const sent = Date.now()
    return response.pipe(
      Effect.tap((r) => Effect.sync(() => attempts.push({ sent, received: Date.now(), status: r.status, url: request.url }))),
      Effect.tapError(() => Effect.sync(() => attempts.push({ sent, received: Date.now(), status: 0, url: request.url })))
    )
  })

const clerk = ClerkClient.layer({
  secretKey,
  apiUrl: settings.apiUrl,
  maxRetries: settings.maxRetries,
  rateLimit: { limit: settings.limit, interval: Duration.millis(settings.intervalMs) },
  transformClient: record
})

const ClerkLive = settings.redisUrl === null
  ? clerk.pipe(Layer.provide(FetchHttpClient.layer))
  : clerk.pipe(
    Layer.provide(RedisRateLimiter.layer({
      url: settings.redisUrl,
      onUnavailable: settings.onUnavailable,
      timeout: Duration.millis(settings.redisTimeoutMs)
    })),
    Layer.provide(FetchHttpClient.layer)
  )

const logger = Logger.make(({ logLevel, message }) => {
  logs.push({ at: Date.now(), level: logLevel.label, message: Array.isArray(message) ? message.join(" ") : String(message) })
})

const timed = (operation, effect) =>
  Effect.suspend(() => {
    const start = Date.now()
    return Effect.exit(effect).pipe(
      Effect.tap((exit) =>
        Effect.sync(() =>
          calls.push({
            operation,
            start,
            end: Date.now(),
            outcome: exit._tag === "Success" ? "ok" : (exit.cause.error?._tag ?? "defect"),
            reason: exit._tag === "Success" ? undefined : exit.cause.error?.reason
          })
        )
      )
    )
  })

/** One job: create a token, then revoke it. */
const job = (i) =>
  timed("create", ActorTokens.create({ userId: `user_${settings.name}_${i}`, actor: { sub: "user_support" } })).pipe(
    Effect.flatMap((exit) =>
      exit._tag === "Success" ? timed("revoke", ActorTokens.revoke(exit.value.id)) : Effect.succeed(exit)
    )
  )

const program = Effect.gen(function*() {
  const go = yield* Deferred.make()
  const stop = yield* Deferred.make()
  process.on("message", (message) => {
    if (message.type === "go") Deferred.unsafeDone(go, Effect.void)
    if (message.type === "stop") Deferred.unsafeDone(stop, Effect.void)
  })
  // Warm up as a running service is, so that a permit's request reaches the server in the permit's window: fetch
  // loaded, a connection per fiber open (an unknown path: answered 404, outside the emulator's rate limit), and the
  // client's code run once (one job; the parent waits for the emulator's window to pass before "go").
  yield* Effect.promise(() =>
    Promise.all(
      Array.from({ length: settings.concurrency }, () => fetch(`${settings.apiUrl}/warm-up`).then((r) => r.arrayBuffer()))
    )
  )
  yield* job("warm-up")
  attempts.length = 0
  calls.length = 0
  process.send({ type: "ready" })
  yield* Deferred.await(go)
  if (settings.jobs !== null) {
    yield* Effect.forEach(Array.from({ length: settings.jobs }, (_, i) => i), job, {
      concurrency: settings.concurrency,
      discard: true
    })
  } else {
    // A timed run: each fiber runs jobs until the parent says stop, pausing after a call the limiter refused.
    let next = 0
    const loop = Effect.suspend(() => job(next++)).pipe(
      Effect.flatMap((exit) =>
        exit._tag === "Failure" ? Effect.sleep(Duration.millis(settings.pauseMs)) : Effect.void
      ),
      Effect.forever
    )
    yield* Effect.raceFirst(
      Effect.forEach(Array.from({ length: settings.concurrency }), () => loop, { concurrency: "unbounded", discard: true }),
      Deferred.await(stop)
    )
  }
}).pipe(
  Effect.provide(ClerkLive),
  Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
  Effect.scoped
)

Effect.runPromiseExit(program).then((exit) => {
  process.send(
    { type: "report", attempts, calls, logs, exit: exit._tag === "Success" ? "ok" : String(exit.cause) },
    () => process.exit(0)
  )
})
