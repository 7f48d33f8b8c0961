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
 * - `mockAgent(shape)`: an undici `MockAgent` under `NodeHttpClient.makeUndici` (the recommended transport's client):
 *   undici's own request path and body stream (a Node `Readable`), no socket.
 *
 * The whole calls are the client's public API over these transports, with its options on and off; the components are
 * the platform's and Effect's own pieces that every call goes through.
 */
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
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
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
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
  /** A synchronous component: no `runPromise`, so the harness row is not part of its price. */
  readonly sync?: true
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
const sdkCreate = (runtime: ReturnType<typeof sdkRuntime>) => () => runtime.runPromise(ActorTokens.create(createParams))
const floorCall = (runtime: ReturnType<typeof floorRuntime>) => () =>
  runtime.runPromise(floorCreate(stubApiUrl, secretKey, createParams))

const mockLength = mockAgent("length")
const mockChunked = mockAgent("chunked")

// Components: the pieces of a call, from the schema package and the platform, as the client puts them together.
const encodeCreate = Schema.encodeUnknownEither(ActorToken.CreateActorTokenParams)
const decodeToken = Schema.decodeUnknownEither(ActorToken.ActorToken)
/** The client unwraps the key once, when its layer is built, into the headers every request carries. */
const clientHeaders = Headers.fromInput({
  authorization: `Bearer ${Redacted.value(Redacted.make(secretKey))}`,
  "clerk-api-version": clerkApiVersion,
  "user-agent": "bench",
  accept: "application/json"
})
const buildRequest = (body: unknown) =>
  HttpClientRequest.bodyUnsafeJson(
    HttpClientRequest.make("POST")(`${stubApiUrl}/v1/actor_tokens`, { headers: clientHeaders }),
    body
  )
const wireBody = Either.getOrThrow(encodeCreate(createParams))
const request = buildRequest(wireBody)
const readText = (response: HttpClientResponse.HttpClientResponse) => response.text
const emptyFn = Effect.fn("Bench.empty")(function*() {})
/** The platform's span switched off for each request, as the client does for its transport. */
const tracerOffPerRequest = (client: HttpClient.HttpClient) => HttpClient.withTracerDisabledWhen(client, () => true)
/** The default runtime with the tracer off: the platform skips its span without a per-request switch. */
const tracerOffRuntime = Runtime.setFiberRef(Runtime.defaultRuntime, FiberRef.currentTracerEnabled, false)
const execute = <A>(
  client: HttpClient.HttpClient,
  read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, HttpClientError.ResponseError>,
  runtime: Runtime.Runtime<never> = Runtime.defaultRuntime
) =>
() => Runtime.runPromise(runtime, Effect.flatMap(client.execute(request), read))

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
  {
    key: "fn-span",
    group: "component",
    name: "Effect.fn operation span (empty body)",
    run: () => Effect.runPromise(emptyFn())
  },
  {
    key: "encode",
    group: "component",
    name: "encode params (Schema.encodeUnknownEither, sync)",
    sync: true,
    run: () => encodeCreate(createParams, { onExcessProperty: "error" })
  },
  {
    key: "build",
    group: "component",
    name: "build request (the client's: URL, prebuilt headers holding the unwrapped Redacted key, JSON body)",
    sync: true,
    run: () => buildRequest(wireBody)
  },
  {
    key: "decode",
    group: "component",
    name: "decode (JSON.parse + Schema.decodeUnknownEither ActorToken, sync)",
    sync: true,
    run: () => decodeToken(JSON.parse(createdJson), { errors: "all", onExcessProperty: "ignore" })
  },
  {
    key: "execute-span",
    group: "component",
    name: "execute (canned) + text, the platform's http.client span on",
    run: execute(canned, readText)
  },
  {
    key: "execute-nospan",
    group: "component",
    name: "execute (canned) + text, platform tracer switched off per request (withTracerDisabledWhen, the client's)",
    run: execute(tracerOffPerRequest(canned), readText)
  },
  {
    key: "execute-notracer",
    group: "component",
    name: "execute (canned) + text, tracer off in the runtime (no per-request switch)",
    run: execute(canned, readText, tracerOffRuntime)
  },
  // whole calls, canned response
  { key: "sdk", group: "canned", name: "SDK create, default", run: sdkCreate(sdkRuntime(canned)) },
  {
    key: "sdk-notracer",
    group: "canned",
    name: "SDK create, tracer off (Layer.setTracerEnabled(false): neither of its two spans)",
    run: sdkCreate(sdkRuntime(canned, {}, false))
  },
  {
    key: "sdk-noretries",
    group: "canned",
    name: "SDK create, maxRetries 0",
    run: sdkCreate(sdkRuntime(canned, { maxRetries: 0 }))
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
  // whole calls, undici MockAgent (the recommended transport's own request and body path)
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
  {
    key: "sdk-mock-node-undici",
    group: "mock",
    name: "SDK create, NodeHttpClient.makeUndici over MockAgent",
    run: sdkCreate(sdkRuntime(NodeHttpClient.makeUndici(mockLength)))
  },
  {
    key: "sdk-mock-node-undici-chunked",
    group: "mock",
    name: "SDK create, NodeHttpClient.makeUndici over MockAgent, no Content-Length",
    run: sdkCreate(sdkRuntime(NodeHttpClient.makeUndici(mockChunked)))
  },
  {
    key: "floor-mock-node-undici",
    group: "mock",
    name: "floor create, NodeHttpClient.makeUndici over MockAgent",
    run: floorCall(floorRuntime(NodeHttpClient.makeUndici(mockLength)))
  }
]
