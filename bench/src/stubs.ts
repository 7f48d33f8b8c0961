/**
 * The stubbed CPU phase's tasks (run by stub.ts with tinybench, and one at a time by profile-loop.ts under
 * `--cpu-prof`), and the transports they use with the network removed:
 *
 * - `canned`: an `HttpClient` (`HttpClient.make`) answering a canned `HttpClientResponse` — one body chunk already
 *   there, `Content-Length` set;
 * - `web(shape)`: an `HttpClient` answering a new web `Response` through `HttpClientResponse.fromWeb`, which is what
 *   `FetchHttpClient` does with what `fetch` resolves: a `ReadableStream` body of one chunk, with `Content-Length`
 *   (`length`), without it (`stream`: chunked), or without it and with `Content-Encoding: gzip` over the already
 *   decompressed body (`gzip`: what `fetch` delivers for a compressed answer);
 * - `mockAgent(shape)`: an undici `MockAgent`, for the undici transports (`UndiciHttpClient.make`,
 *   `NodeHttpClient.makeUndici`): undici's own request path and body stream, no socket.
 */
import { ActorTokens, ClerkClient, ClerkError } from "@effect-clerk/client"
import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
import { ActorToken } from "@effect-clerk/schema"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
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
import { MockAgent } from "undici"
import { clerkApiVersion, createBodyJson, createdJson, createParams, secretKey } from "./fixtures.js"
import { floorCreate } from "./floor.js"

/** The API URL of every stubbed call (nothing is sent there). */
const stubApiUrl = "https://api.clerk.com"

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

const canned: HttpClient.HttpClient = HttpClient.make((request) => Effect.succeed(new CannedResponse(request)))

type WebShape = "length" | "stream" | "gzip"

const webHeaders: Record<WebShape, Record<string, string>> = {
  length: { "content-type": "application/json", "content-length": `${createdBytes.length}` },
  stream: { "content-type": "application/json" },
  gzip: { "content-type": "application/json", "content-encoding": "gzip" }
}

const webResponse = (shape: WebShape): Response =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(createdBytes)
        controller.close()
      }
    }),
    { status: 200, headers: webHeaders[shape] }
  )

const web = (shape: WebShape): HttpClient.HttpClient =>
  HttpClient.make((request) => Effect.sync(() => HttpClientResponse.fromWeb(request, webResponse(shape))))

type MockShape = "length" | "chunked"

/** An undici `MockAgent` answering every `POST /v1/actor_tokens` on {@link stubApiUrl}; no other request. */
const mockAgent = (shape: MockShape): MockAgent => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  agent.get(stubApiUrl).intercept({ path: "/v1/actor_tokens", method: "POST" }).reply(200, createdJson, {
    headers: shape === "length"
      ? { "content-type": "application/json", "content-length": `${createdBytes.length}` }
      : { "content-type": "application/json" }
  }).persist()
  return agent
}

// ---------------------------------------------------------------------------------------------------------------
// the tasks
// ---------------------------------------------------------------------------------------------------------------

export type StubGroup = "component" | "canned" | "web" | "mock"

export interface StubTaskDef {
  /** Stable key: the report and `pnpm bench:profile <key>` use it. */
  readonly key: string
  readonly group: StubGroup
  readonly name: string
  readonly run: () => unknown
}

const sdkRuntime = (httpClient: HttpClient.HttpClient, options: Partial<ClerkClient.Options> = {}, tracer = true) =>
  ManagedRuntime.make(
    ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl: stubApiUrl, ...options }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)),
      Layer.provideMerge(Layer.setTracerEnabled(tracer))
    )
  )
const floorRuntime = (httpClient: HttpClient.HttpClient) =>
  ManagedRuntime.make(Layer.succeed(HttpClient.HttpClient, httpClient))
const noHttpSpan = {
  transformClient: (client: HttpClient.HttpClient) => HttpClient.withTracerDisabledWhen(client, () => true)
}
const sdkCreate = (runtime: ReturnType<typeof sdkRuntime>) => () => runtime.runPromise(ActorTokens.create(createParams))
const floorCall = (runtime: ReturnType<typeof floorRuntime>) => () =>
  runtime.runPromise(floorCreate(stubApiUrl, secretKey, createParams))

const mockLength = mockAgent("length")
const mockChunked = mockAgent("chunked")

// Components, written as the client writes them (ActorTokens.ts, ClerkClient.ts, internal/http.ts).
const encodeCreate = Schema.encodeUnknown(ActorToken.CreateActorTokenParams)
const decodeToken = Schema.decodeUnknown(ActorToken.ActorToken)
const redactedKey = Redacted.make(secretKey)
const buildRequest = (body: unknown) =>
  HttpClientRequest.post("/actor_tokens").pipe(
    HttpClientRequest.bodyUnsafeJson(body),
    HttpClientRequest.prependUrl(`${stubApiUrl}/v1`),
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
const readText = (response: HttpClientResponse.HttpClientResponse) => response.text
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
const cannedNoSpan = HttpClient.withTracerDisabledWhen(canned, () => true)
const webNoSpan = (shape: WebShape) => HttpClient.withTracerDisabledWhen(web(shape), () => true)
const execute = <A>(
  client: HttpClient.HttpClient,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, HttpClientError.ResponseError>
) =>
() => Effect.runPromise(Effect.flatMap(client.execute(request), read))

const webShapeNames: Record<WebShape, string> = {
  length: "with Content-Length",
  stream: "without Content-Length (streamed)",
  gzip: "with Content-Encoding: gzip (decompressed body)"
}

const rawMockHeaders = {
  authorization: `Bearer ${secretKey}`,
  "clerk-api-version": clerkApiVersion,
  accept: "application/json",
  "content-type": "application/json"
}

export const stubTasks: ReadonlyArray<StubTaskDef> = [
  // components
  {
    key: "harness",
    group: "component",
    name: "harness: runPromise(Effect.void)",
    run: () => Effect.runPromise(Effect.void)
  },
  { key: "fn-span", group: "component", name: "Effect.fn span (empty body)", run: () => Effect.runPromise(emptyFn()) },
  {
    key: "encode",
    group: "component",
    name: "encode params (Schema)",
    run: () => Effect.runPromise(encodeCreate(createParams, { onExcessProperty: "error" }))
  },
  {
    key: "build",
    group: "component",
    name: "build request (post, JSON body, URL, headers)",
    run: () => buildRequest(wireBody)
  },
  {
    key: "canned-stream",
    group: "component",
    name: "execute (canned) + read body as Stream fold, http.client span off",
    run: execute(cannedNoSpan, readByStream)
  },
  {
    key: "canned-stream-span",
    group: "component",
    name: "execute (canned) + read body as Stream fold, http.client span on",
    run: execute(canned, readByStream)
  },
  {
    key: "canned-text",
    group: "component",
    name: "execute (canned) + read body as text, http.client span off",
    run: execute(cannedNoSpan, readText)
  },
  {
    key: "web-length-text",
    group: "component",
    name: "execute (fromWeb, Content-Length) + text, http.client span off",
    run: execute(webNoSpan("length"), readText)
  },
  {
    key: "web-stream-fold",
    group: "component",
    name: "execute (fromWeb, no Content-Length) + Stream fold, http.client span off",
    run: execute(webNoSpan("stream"), readByStream)
  },
  {
    key: "web-stream-text",
    group: "component",
    name: "execute (fromWeb, no Content-Length) + text, http.client span off",
    run: execute(webNoSpan("stream"), readText)
  },
  {
    key: "timeout",
    group: "component",
    name: "timeout wrapper (Effect.timeoutFail)",
    run: () =>
      Effect.runPromise(Effect.timeoutFail(Effect.void, { duration: Duration.seconds(10), onTimeout: timeoutError }))
  },
  {
    key: "retry",
    group: "component",
    name: "retry wrapper (Effect.retry, the client's schedule shape)",
    run: () => Effect.runPromise(Effect.retry(Effect.void as Effect.Effect<void, ClerkError.ClerkError>, retrySchedule))
  },
  {
    key: "decode",
    group: "component",
    name: "decode (JSON.parse + Schema ActorToken)",
    run: () =>
      Effect.runPromise(
        Effect.suspend(() => decodeToken(JSON.parse(createdJson), { errors: "all", onExcessProperty: "ignore" }))
      )
  },
  // whole calls, canned response
  { key: "sdk", group: "canned", name: "SDK create, default", run: sdkCreate(sdkRuntime(canned)) },
  {
    key: "sdk-nospan",
    group: "canned",
    name: "SDK create, http.client span off",
    run: sdkCreate(sdkRuntime(canned, noHttpSpan))
  },
  {
    key: "sdk-notracer",
    group: "canned",
    name: "SDK create, tracer off",
    run: sdkCreate(sdkRuntime(canned, {}, false))
  },
  {
    key: "sdk-noretries",
    group: "canned",
    name: "SDK create, maxRetries 0",
    run: sdkCreate(sdkRuntime(canned, { maxRetries: 0 }))
  },
  {
    key: "sdk-noretries-nospan",
    group: "canned",
    name: "SDK create, maxRetries 0 + http.client span off",
    run: sdkCreate(sdkRuntime(canned, { maxRetries: 0, ...noHttpSpan }))
  },
  {
    key: "sdk-noretries-notracer",
    group: "canned",
    name: "SDK create, maxRetries 0 + tracer off",
    run: sdkCreate(sdkRuntime(canned, { maxRetries: 0 }, false))
  },
  {
    key: "sdk-ratelimit",
    group: "canned",
    name: "SDK create, rateLimit on (10⁹ per second: never waits)",
    run: sdkCreate(sdkRuntime(canned, { rateLimit: { limit: 1_000_000_000, interval: "1 second" } }))
  },
  {
    key: "sdk-propagate",
    group: "canned",
    name: "SDK create, propagateTraceContext on",
    run: sdkCreate(sdkRuntime(canned, { propagateTraceContext: true }))
  },
  {
    key: "floor",
    group: "canned",
    name: "Effect HTTP floor create (HttpClient + Schema)",
    run: floorCall(floorRuntime(canned))
  },
  // whole calls, web Response (the FetchHttpClient path)
  ...(["sdk", "floor"] as const).flatMap((kind) =>
    (["length", "stream", "gzip"] as const).map((shape): StubTaskDef => ({
      key: `${kind}-web-${shape}`,
      group: "web",
      name: `${kind === "sdk" ? "SDK" : "floor"} create, web Response ${webShapeNames[shape]}`,
      run: kind === "sdk" ? sdkCreate(sdkRuntime(web(shape))) : floorCall(floorRuntime(web(shape)))
    }))
  ),
  // whole calls, undici MockAgent (the undici transports' own request and body path)
  {
    key: "raw-mock",
    group: "mock",
    name: "raw undici `request()` + body.json(), MockAgent",
    run: async () => {
      const response = await mockLength.request({
        origin: stubApiUrl,
        path: "/v1/actor_tokens",
        method: "POST",
        headers: rawMockHeaders,
        body: createBodyJson
      })
      return response.body.json()
    }
  },
  ...(["undici", "node-undici"] as const).flatMap((transport): ReadonlyArray<StubTaskDef> => {
    const over = (agent: MockAgent) =>
      transport === "undici" ? UndiciHttpClient.make(agent) : NodeHttpClient.makeUndici(agent)
    const label = transport === "undici" ? "UndiciHttpClient" : "NodeHttpClient.makeUndici"
    return [
      {
        key: `sdk-mock-${transport}`,
        group: "mock",
        name: `SDK create, ${label} over MockAgent`,
        run: sdkCreate(sdkRuntime(over(mockLength)))
      },
      {
        key: `sdk-mock-${transport}-chunked`,
        group: "mock",
        name: `SDK create, ${label} over MockAgent, no Content-Length`,
        run: sdkCreate(sdkRuntime(over(mockChunked)))
      },
      {
        key: `floor-mock-${transport}`,
        group: "mock",
        name: `floor create, ${label} over MockAgent`,
        run: floorCall(floorRuntime(over(mockLength)))
      }
    ]
  })
]
