/**
 * Limits: a response body over 1 MiB is refused (ClerkDecodeError BodyTooLarge, or the status error without Clerk's
 * entries) without being buffered — shown in memory by counting the bytes pulled from an endless stream, and over
 * loopback by counting the bytes a real `node:http` server managed to hand to the kernel before the real
 * `FetchHttpClient` hung up on a 1 GiB body; the per-attempt timeout ends a body that stalls after its headers; the
 * whole call is bounded by attempts × timeout + waits.
 */
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import { Fixtures, Mock, Observe } from "@effect-clerk/test-kit"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Layer, Option, Redacted, Schema, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"
import { endsWithin, expectFields, joinWithin } from "../support.js"
import {
  callBound,
  classify,
  leakedFrom,
  runBounded,
  sentinelKey,
  sentinelKeyCore,
  watchUnhandledRejections
} from "./harness.js"

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const chunkSize = 64 * 1024

const unhandled = { seen: [] as Array<unknown>, stop: () => {} }
beforeAll(() => {
  Object.assign(unhandled, watchUnhandledRejections())
})
afterAll(() => {
  unhandled.stop()
  expect(unhandled.seen).toEqual([])
})

// ---------------------------------------------------------------------------------------------------------------
// a node:http server on 127.0.0.1
// ---------------------------------------------------------------------------------------------------------------

interface Exchange {
  /** Bytes of the response body the kernel accepted (write callbacks that fired). */
  flushed: number
  /** Resolves when the connection closed before the response was complete: the client hung up. */
  readonly hungUp: Promise<void>
}

interface Server {
  readonly origin: string
  readonly exchanges: Array<Exchange>
}

const serve = (respond: (response: Http.ServerResponse, exchange: Exchange) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly test: Server }>((resume) => {
      const exchanges: Array<Exchange> = []
      const server = Http.createServer((request, response) => {
        request.resume()
        request.on("end", () => {
          let hungUp!: () => void
          const exchange: Exchange = { flushed: 0, hungUp: new Promise<void>((resolve) => (hungUp = resolve)) }
          exchanges.push(exchange)
          response.on("close", () => {
            if (!response.writableFinished) hungUp()
          })
          respond(response, exchange)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ server, test: { origin: `http://127.0.0.1:${port}`, exchanges } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ test }) => test))

/** Past this, a client that keeps reading is buffering the body: the server gives up, so the test fails, not hangs. */
const runaway = 64 * MiB

/** Writes `total` bytes of `fill`, as fast as the client reads them (honouring backpressure), counting what left. */
const pump = (response: Http.ServerResponse, exchange: Exchange, total: number, fill = "a") => {
  const chunk = Buffer.alloc(chunkSize, fill)
  let queued = 0
  const next = (): void => {
    while (queued < total && !response.destroyed) {
      if (exchange.flushed > runaway) {
        response.destroy()
        return
      }
      queued += chunkSize
      const more = response.write(chunk, (error) => {
        if (error == null) exchange.flushed += chunkSize
      })
      if (!more) {
        response.once("drain", next)
        return
      }
    }
    if (queued >= total) response.end()
  }
  next()
}

/** The real client over the real `fetch`, with the sentinel key and every log and span captured. */
const clerkOver = (origin: string, options: Partial<ClerkClient.Options> = {}) =>
  Layer.merge(
    ClerkClient.layer({ secretKey: Redacted.make(sentinelKey), apiUrl: origin, maxRetries: 0, ...options }).pipe(
      Layer.provide(FetchHttpClient.layer)
    ),
    Observe.layer
  )

/** Runs the call and checks that the key shows up in no log, span or rendering of the error. */
const flipChecked = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    expect(yield* leakedFrom(exit, [sentinelKey, sentinelKeyCore])).toEqual([])
    return yield* Effect.flip(exit)
  })

// ---------------------------------------------------------------------------------------------------------------
// body size
// ---------------------------------------------------------------------------------------------------------------

describe("a body over 1 MiB is refused without being buffered", () => {
  it.scopedLive("over loopback: a 1 GiB 200 body ends in BodyTooLarge after a few MiB at most", () =>
    Effect.gen(function*() {
      const server = yield* serve((response, exchange) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": String(GiB) })
        pump(response, exchange, GiB)
      })
      const started = performance.now()
      const error = yield* flipChecked(ActorTokens.revoke("act_1")).pipe(Effect.provide(clerkOver(server.origin)))
      const elapsed = performance.now() - started
      expectFields(error, { _tag: "ClerkDecodeError", status: 200, reason: "BodyTooLarge" })
      const [exchange] = server.exchanges
      assert(exchange !== undefined)
      // The client hung up: the server's write side failed once the socket closed, it did not finish.
      yield* Effect.promise(() => exchange.hungUp)
      console.log(
        `BodyTooLarge over loopback: the server handed ${(exchange.flushed / MiB).toFixed(1)} MiB of a 1 GiB body ` +
          `to the kernel before the client hung up, ${elapsed.toFixed(0)} ms after the request`
      )
      // 1 MiB read, plus what the socket buffers and fetch's stream hold: far from the 1,024 MiB sent otherwise.
      expect(exchange.flushed).toBeGreaterThanOrEqual(MiB)
      expect(exchange.flushed).toBeLessThan(32 * MiB)
      expect(elapsed).toBeLessThan(5_000)
    }))

  it.scopedLive("over loopback: a 1 GiB 503 body is still a ClerkServerError, read no further than 1 MiB", () =>
    Effect.gen(function*() {
      const server = yield* serve((response, exchange) => {
        response.writeHead(503, { "content-type": "text/html", "content-length": String(GiB) })
        pump(response, exchange, GiB, "<")
      })
      const error = yield* flipChecked(ActorTokens.create({ userId: "user_1", actor: { sub: "user_2" } })).pipe(
        Effect.provide(clerkOver(server.origin))
      )
      expectFields(error, { _tag: "ClerkServerError", status: 503, errors: [] })
      const [exchange] = server.exchanges
      assert(exchange !== undefined)
      yield* Effect.promise(() => exchange.hungUp)
      expect(server.exchanges).toHaveLength(1)
      expect(exchange.flushed).toBeLessThan(32 * MiB)
    }))

  it.effect("in memory: a 64 MiB body is pulled no further than 1 MiB and a chunk or two, then cancelled", () =>
    Effect.gen(function*() {
      let pulled = 0
      let cancelled = false
      const endless = HttpClient.make((request) =>
        Effect.sync(() =>
          HttpClientResponse.fromWeb(
            request,
            new Response(
              new ReadableStream<Uint8Array>({
                // Very large rather than endless: a client that buffered it all would end (and fail the test)
                // instead of spinning forever on a stream that pulls synchronously.
                pull: (controller) => {
                  if (pulled >= runaway) return controller.close()
                  pulled += chunkSize
                  controller.enqueue(new Uint8Array(chunkSize).fill(0x61))
                },
                cancel: () => {
                  cancelled = true
                }
              }, { highWaterMark: 0 }),
              { status: 200 }
            )
          )
        )
      )
      const error = yield* ActorTokens.revoke("act_1").pipe(
        Effect.flip,
        Effect.provide(
          ClerkClient.layer({ secretKey: Redacted.make("sk_test_limits"), maxRetries: 0 }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, endless))
          )
        )
      )
      expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge" })
      expect(pulled).toBeGreaterThan(MiB)
      expect(pulled).toBeLessThanOrEqual(MiB + 2 * chunkSize)
      expect(cancelled).toBe(true)
    }))

  const tokenOfSize = (size: number): string => {
    const base = { ...Schema.encodeSync(ActorToken.ActorToken)(Fixtures.pendingToken), padding: "" }
    return JSON.stringify({ ...base, padding: "p".repeat(size - JSON.stringify(base).length) })
  }

  it.effect("a response the client cannot see into, compressed with a small length, is read bounded: refused", () =>
    Effect.gen(function*() {
      const gzipped = Zlib.gzipSync(Buffer.alloc(2 * MiB, 0x20))
      // A transport that inflates on its own, with a response of a shape the client does not know: its declared
      // length is the compressed one, so only the bounded `Stream` fold may read it.
      const inflating = HttpClient.make((request) =>
        Effect.sync(() => {
          const response = HttpClientResponse.fromWeb(
            request,
            new Response(new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip")), {
              status: 200,
              headers: { "content-encoding": "gzip", "content-length": String(gzipped.length) }
            })
          )
          return new Proxy(response, { get: (target, key) => key === "source" ? undefined : Reflect.get(target, key) })
        })
      )
      expect(gzipped.length).toBeLessThan(MiB)
      const error = yield* ActorTokens.revoke("act_1").pipe(
        Effect.flip,
        Effect.provide(
          ClerkClient.layer({ secretKey: Redacted.make("sk_test_limits"), maxRetries: 0 }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, inflating))
          )
        )
      )
      expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge" })
    }))

  it.effect("the limit is exact: 1 MiB is read, 1 MiB + 1 byte is refused", () =>
    Effect.gen(function*() {
      const atLimit = tokenOfSize(MiB)
      expect(Buffer.byteLength(atLimit)).toBe(MiB)
      const token = yield* ActorTokens.revoke("act_1").pipe(
        Effect.provide(Mock.layer({ revoke: Mock.respond(200, atLimit) }))
      )
      expect(token.id).toBe(Fixtures.pendingToken.id)
      const error = yield* ActorTokens.revoke("act_1").pipe(
        Effect.flip,
        Effect.provide(Mock.layer({ revoke: Mock.respond(200, tokenOfSize(MiB + 1)) }))
      )
      expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge" })
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// time
// ---------------------------------------------------------------------------------------------------------------

describe("a stalled body is ended by the per-attempt timeout", () => {
  const stallAfterHeaders = (response: Http.ServerResponse) => {
    response.writeHead(200, { "content-type": "application/json" })
    response.write("{\"object\":\"actor_token\",")
  }

  it.scoped("over loopback, on the TestClock: headers arrive, the body never ends, the attempt times out", () =>
    Effect.gen(function*() {
      const server = yield* serve(stallAfterHeaders)
      const headers = yield* Deferred.make<void>()
      const fiber = yield* flipChecked(ActorTokens.revoke("act_1")).pipe(
        Effect.provide(clerkOver(server.origin, {
          timeout: "5 seconds",
          transformClient: HttpClient.tap(() => Deferred.succeed(headers, undefined))
        })),
        Effect.fork
      )
      // The client holds the response headers and is reading the body when the clock moves.
      yield* Deferred.await(headers)
      yield* TestClock.adjust(Duration.millis(4_999))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.millis(1))
      const error = yield* joinWithin(fiber, 2_000, "the 5 s timeout, which covers the body, has passed")
      expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
      // The socket was released: the server saw the client hang up mid-body.
      yield* Effect.promise(() => server.exchanges[0]!.hungUp)
      expect(server.exchanges).toHaveLength(1)
    }))

  it.scopedLive("over loopback, in real time: two attempts of 300 ms each, then Timeout", () =>
    Effect.gen(function*() {
      const server = yield* serve(stallAfterHeaders)
      const started = performance.now()
      const error = yield* endsWithin(
        flipChecked(ActorTokens.revoke("act_1")).pipe(
          Effect.provide(clerkOver(server.origin, { timeout: "300 millis", maxRetries: 1 }))
        ),
        5_000,
        "two attempts of 300 ms"
      )
      const elapsed = performance.now() - started
      expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
      expect(server.exchanges).toHaveLength(2)
      yield* Effect.promise(() => Promise.all(server.exchanges.map((e) => e.hungUp)))
      // 2 × 300 ms, plus one backoff of 200–300 ms, plus loopback and scheduling slack (generous: CI may be busy),
      // still far below a single attempt under the default 10 s timeout.
      expect(elapsed).toBeGreaterThanOrEqual(2 * 300 + 200 - 5)
      expect(elapsed).toBeLessThan(5_000)
    }))
})

describe("the whole call is bounded: attempts × timeout + waits (TestClock)", () => {
  it.effect("a transport that never answers: 4 attempts of 1 s and three backoffs, then Timeout", () =>
    Effect.gen(function*() {
      const recorder = yield* Mock.MockRecorder
      const fiber = yield* Effect.fork(Effect.exit(ActorTokens.revoke("act_1")))
      // Four timeouts must elapse: the call cannot have ended before 4 s.
      yield* TestClock.adjust(Duration.millis(3_999))
      expect(fiber.unsafePoll()).toBeNull()
      const bound = callBound({ attempts: 4, timeout: "1 second" })
      yield* TestClock.adjust(Duration.subtract(bound, Duration.millis(3_999)))
      const exit = Option.fromNullable(fiber.unsafePoll())
      assert(Option.isSome(exit), `still running after ${Duration.format(bound)}`)
      const outcome = classify(Exit.flatten(exit.value))
      assert(outcome._tag === "Failure")
      expectFields(outcome.error, { _tag: "ClerkTransportError", reason: "Timeout" })
      expect(yield* recorder.count()).toBe(4)
    }).pipe(Effect.provide(Mock.layer({ revoke: Mock.stall }, { maxRetries: 3, timeout: "1 second" }))))

  it.effect("429 with Retry-After at maxRetryAfter on every attempt: bounded by the waits", () =>
    Effect.gen(function*() {
      const bound = callBound({ attempts: 3, timeout: "10 seconds", retryAfter: "60 seconds" })
      const { elapsedMillis, exit } = yield* runBounded(ActorTokens.revoke("act_1"), bound)
      assert(Option.isSome(exit), "the call hung")
      const outcome = classify(exit.value)
      assert(outcome._tag === "Failure")
      expectFields(outcome.error, { _tag: "ClerkRateLimited", retryAfter: Duration.seconds(60) })
      expect(elapsedMillis).toBe(120_000)
      expect(yield* Effect.flatMap(Mock.MockRecorder, (r) => r.count())).toBe(3)
    }).pipe(
      Effect.provide(Mock.layer({ revoke: Mock.respond(429, undefined, { headers: { "retry-after": "60" } }) }))
    ))

  it.effect("429 with Retry-After beyond maxRetryAfter: fails at once, without sleeping", () =>
    Effect.gen(function*() {
      const { elapsedMillis, exit } = yield* runBounded(ActorTokens.create({ userId: "u_1", actor: { sub: "u_2" } }), 0)
      assert(Option.isSome(exit), "the call slept")
      expect(elapsedMillis).toBe(0)
      const outcome = classify(exit.value)
      assert(outcome._tag === "Failure")
      expectFields(outcome.error, { _tag: "ClerkRateLimited", retryAfter: Duration.seconds(3_600) })
    }).pipe(
      Effect.provide(Mock.layer({ create: Mock.respond(429, undefined, { headers: { "retry-after": "3600" } }) }))
    ))
})
