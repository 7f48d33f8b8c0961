/**
 * Worker: the SDK's CPU per call with the network removed. The `HttpClient` is a stub built with `HttpClient.make`
 * that answers every request with a canned `HttpClientResponse` (the create JSON as one chunk), so everything that
 * remains is the SDK, `@effect/platform` and Effect. Measured with tinybench: each iteration runs 25 calls and reports
 * their process CPU time per call (`overriddenDuration`), so the statistics are CPU µs per call, free of the
 * scheduler's timer yields; three passes over all tasks (the second in reverse order), keeping the lowest mean.
 *
 * Components are measured alone, and whole calls in configuration variants; differences between variants isolate
 * what a configuration switch saves.
 */
import { ActorTokens, ClerkClient, ClerkError } from "@effect-clerk/client"
import { ActorToken } from "@effect-clerk/schema"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Bench } from "tinybench"
import { clerkApiVersion, createdJson, createParams, secretKey } from "./fixtures.js"
import { floorCreate } from "./floor.js"

export interface StubTask {
  readonly name: string
  /** Mean CPU µs per call over batches of 25 (the lowest of the passes); p50 / p99 are over the batches. */
  readonly mean: number
  /** Highest minus lowest mean over the passes: the noise of this row, µs. */
  readonly spread: number
  readonly p50: number
  readonly p99: number
}

const createdBytes = new TextEncoder().encode(createdJson)
const cannedHeaders = Headers.fromInput({
  "content-type": "application/json",
  "content-length": `${createdBytes.length}`
})

/** A response that is already there: one body chunk, no I/O. */
class CannedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly status = 200
  readonly headers = cannedHeaders
  readonly cookies = Cookies.empty
  readonly remoteAddress = Option.none<string>()
  constructor(readonly request: HttpClientRequest.HttpClientRequest) {
    super()
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(createdBytes)
  }
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.succeed(createdJson)
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.sync(() => JSON.parse(createdJson) as unknown)
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.succeed(createdBytes.buffer)
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.succeed(UrlParams.empty)
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.dieMessage("no form data")
  }
  toJSON(): unknown {
    return { _id: "CannedResponse", status: this.status }
  }
}

const stub: HttpClient.HttpClient = HttpClient.make((request) => Effect.succeed(new CannedResponse(request)))
const stubNoSpan = HttpClient.withTracerDisabledWhen(stub, () => true)
const apiUrl = "https://api.clerk.com"

const sdk = (options: Partial<ClerkClient.Options> = {}, tracer = true) =>
  ManagedRuntime.make(
    ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl, ...options }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, stub)),
      Layer.provideMerge(Layer.setTracerEnabled(tracer))
    )
  )
const noHttpSpan = {
  transformClient: (client: HttpClient.HttpClient) => HttpClient.withTracerDisabledWhen(client, () => true)
}

const runtimes = {
  default: sdk(),
  noHttpSpan: sdk(noHttpSpan),
  noTracing: sdk({}, false),
  noRetries: sdk({ maxRetries: 0 }),
  noRetriesNoHttpSpan: sdk({ maxRetries: 0, ...noHttpSpan }),
  noRetriesNoTracing: sdk({ maxRetries: 0 }, false)
}
const plain = ManagedRuntime.make(Layer.succeed(HttpClient.HttpClient, stub))

// Components, written as the client writes them (ActorTokens.ts, ClerkClient.ts, internal/http.ts).
const encodeCreate = Schema.encodeUnknown(ActorToken.CreateActorTokenParams)
const decodeToken = Schema.decodeUnknown(ActorToken.ActorToken)
const redactedKey = Redacted.make(secretKey)
const buildRequest = (body: unknown) =>
  HttpClientRequest.post("/actor_tokens").pipe(
    HttpClientRequest.bodyUnsafeJson(body),
    HttpClientRequest.prependUrl(`${apiUrl}/v1`),
    HttpClientRequest.bearerToken(redactedKey),
    HttpClientRequest.setHeaders({
      "Clerk-API-Version": clerkApiVersion,
      "User-Agent": "bench",
      Accept: "application/json"
    })
  )
const wireBody = Effect.runSync(encodeCreate(createParams))
const request = buildRequest(wireBody)
const readByStream = (response: HttpClientResponse.HttpClientResponse) =>
  Stream.runFoldWhile(response.stream, 0, () => true, (size, chunk) => size + chunk.length)
const retrySchedule = Schedule.exponential(Duration.millis(250), 2).pipe(
  Schedule.union(Schedule.spaced(Duration.seconds(8))),
  Schedule.jittered,
  Schedule.zipRight(Schedule.identity<ClerkError.ClerkError>()),
  Schedule.modifyDelay((_, delay) => delay),
  Schedule.intersect(Schedule.recurs(2)),
  Schedule.whileInput((error: ClerkError.ClerkError) => error._tag === "ClerkServerError")
)
const emptyFn = Effect.fn("Bench.empty")(function*() {})
const timeoutError = () => new ClerkError.ClerkTransportError({ reason: "Timeout", message: "timeout" })

const tasks: ReadonlyArray<readonly [string, () => unknown]> = [
  ["harness: runPromise(Effect.void)", () => Effect.runPromise(Effect.void)],
  ["Effect.fn span (empty body)", () => Effect.runPromise(emptyFn())],
  ["encode params (Schema)", () => Effect.runPromise(encodeCreate(createParams, { onExcessProperty: "error" }))],
  ["build request (post, JSON body, URL, headers)", () => buildRequest(wireBody)],
  [
    "execute + read body as stream, http.client span off",
    () => Effect.runPromise(Effect.flatMap(stubNoSpan.execute(request), readByStream))
  ],
  [
    "execute + read body as stream, http.client span on",
    () => Effect.runPromise(Effect.flatMap(stub.execute(request), readByStream))
  ],
  [
    "execute + read body as text, http.client span off",
    () => Effect.runPromise(Effect.flatMap(stubNoSpan.execute(request), (response) => response.text))
  ],
  [
    "timeout wrapper (Effect.timeoutFail)",
    () =>
      Effect.runPromise(Effect.timeoutFail(Effect.void, { duration: Duration.seconds(10), onTimeout: timeoutError }))
  ],
  [
    "retry wrapper (Effect.retry, the client's schedule shape)",
    () => Effect.runPromise(Effect.retry(Effect.void as Effect.Effect<void, ClerkError.ClerkError>, retrySchedule))
  ],
  ["decode (JSON.parse + Schema ActorToken)", () =>
    Effect.runPromise(
      Effect.suspend(() => decodeToken(JSON.parse(createdJson), { errors: "all", onExcessProperty: "ignore" }))
    )],
  ["SDK create, default", () => runtimes.default.runPromise(ActorTokens.create(createParams))],
  ["SDK create, http.client span off", () => runtimes.noHttpSpan.runPromise(ActorTokens.create(createParams))],
  ["SDK create, tracer off", () => runtimes.noTracing.runPromise(ActorTokens.create(createParams))],
  ["SDK create, maxRetries 0", () => runtimes.noRetries.runPromise(ActorTokens.create(createParams))],
  [
    "SDK create, maxRetries 0 + http.client span off",
    () => runtimes.noRetriesNoHttpSpan.runPromise(ActorTokens.create(createParams))
  ],
  [
    "SDK create, maxRetries 0 + tracer off",
    () => runtimes.noRetriesNoTracing.runPromise(ActorTokens.create(createParams))
  ],
  [
    "Effect HTTP floor create (HttpClient + Schema)",
    () => plain.runPromise(floorCreate(apiUrl, secretKey, createParams))
  ]
]

const [timeArg] = process.argv.slice(2)
const time = Number(timeArg ?? "500")
const batch = 25

/** One tinybench iteration = `batch` calls; its duration is the process CPU time they took, per call. */
const perCallCpu = (fn: () => unknown) => async () => {
  const wallStart = performance.now()
  const start = process.cpuUsage()
  for (let i = 0; i < batch; i++) await fn()
  const used = process.cpuUsage(start)
  return {
    overriddenDuration: (used.user + used.system) / batch / 1000,
    // The time budget counts the whole batch, not the per-call sample.
    overriddenIterationCost: performance.now() - wallStart
  }
}

const pass = async (order: ReadonlyArray<readonly [string, () => unknown]>): Promise<Map<string, StubTask>> => {
  const bench = new Bench({ time, warmupTime: Math.round(time / 3), iterations: 12, warmupIterations: 4, throws: true })
  for (const [name, fn] of order) bench.add(name, perCallCpu(fn))
  await bench.run()
  const out = new Map<string, StubTask>()
  for (const task of bench.tasks) {
    const result = task.result
    if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`)
    out.set(task.name, {
      name: task.name,
      spread: 0,
      mean: result.latency.mean * 1000,
      p50: result.latency.p50 * 1000,
      p99: result.latency.p99 * 1000
    })
  }
  return out
}

// Three passes, the middle one in reverse order, so that no task always follows the same neighbour.
const passes = [await pass(tasks), await pass([...tasks].reverse()), await pass(tasks)]
const results: Array<StubTask> = tasks.map(([name]) => {
  const runs = passes.map((p) => p.get(name)!).sort((a, b) => a.mean - b.mean)
  return { ...runs[0]!, spread: runs[runs.length - 1]!.mean - runs[0]!.mean }
})
process.send?.(results, () => process.exit(0))
