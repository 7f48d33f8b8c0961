/**
 * An `HttpClient` over undici's `Dispatcher.request` — the transport that costs least per call on Node: it skips the
 * WHATWG `fetch` layer (`Request`, `Headers`, web streams) that `FetchHttpClient` goes through.
 *
 * A deep import, kept out of the package index: only programs that import `@effect-clerk/client/UndiciHttpClient`
 * need `undici` (an optional peer dependency, `npm install undici@^7`).
 *
 * Transport failures keep undici's error as the `cause` of the `RequestError` / `ResponseError`, so the client still
 * classifies them by `code` (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`, …).
 * Interrupting a request (a `timeout`, a losing race) aborts it through the `AbortSignal` of `HttpClient.make`.
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { Readable } from "node:stream"
import * as Undici from "undici"

/**
 * Builds an `HttpClient` that sends every request through `dispatcher` (an `Agent`, a `Pool`, a `ProxyAgent`, a
 * `MockAgent`…). The dispatcher is not closed by the client: whoever created it closes it.
 *
 * Timeouts are left to Effect (the Clerk client's `timeout` option); undici's own `headersTimeout` and `bodyTimeout`
 * (300 s by default, configurable on the dispatcher) stay in force as a last resort.
 *
 * @example
 * ```ts
 * import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
 * import { Agent } from "undici"
 *
 * const httpClient = UndiciHttpClient.make(new Agent({ connections: 32 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) => {
    const send = (body: UndiciBody) =>
      Effect.map(
        Effect.tryPromise({
          try: () =>
            dispatcher.request({
              origin: url.origin,
              path: url.pathname + url.search,
              method: request.method,
              headers: request.headers,
              body,
              signal
            }),
          catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
        }),
        (response) => new UndiciResponse(request, response)
      )
    return request.body._tag === "Stream"
      ? Effect.flatMap(Stream.toAsyncIterableEffect(request.body.stream), (chunks) => send(Readable.from(chunks)))
      : send(requestBody(request.body))
  })

/**
 * The client over a dispatcher you own and close (`new Agent({ … })`, a `ProxyAgent`, a `MockAgent` in tests, or
 * `getGlobalDispatcher()`).
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
 * import { Layer, Redacted } from "effect"
 * import { ProxyAgent } from "undici"
 *
 * const ClerkLive = ClerkClient.layer({ secretKey: Redacted.make("sk_test_…") }).pipe(
 *   Layer.provide(UndiciHttpClient.layerDispatcher(new ProxyAgent("http://proxy.internal:3128")))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerDispatcher = (dispatcher: Undici.Dispatcher): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(dispatcher))

/**
 * The client over a new undici `Agent` (a keep-alive connection pool per origin) built from `options`, closed when
 * the layer's scope closes.
 *
 * @example
 * ```ts
 * import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
 *
 * const HttpLive = UndiciHttpClient.layerAgent({ connections: 16, keepAliveTimeout: 30_000 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAgent = (options?: Undici.Agent.Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent(options)),
        (agent) => Effect.promise(() => agent.close())
      ),
      make
    )
  )

/**
 * The client over a new undici `Agent` with undici's defaults, closed when the layer's scope closes. The transport
 * to use with the Clerk client on Node.
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkClient } from "@effect-clerk/client"
 * import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
 * import { Effect, Layer } from "effect"
 *
 * const ClerkLive = ClerkClient.layerConfig().pipe(Layer.provide(UndiciHttpClient.layer))
 *
 * const program = ActorTokens.create({ userId: "user_123", actor: { sub: "user_support" } })
 * Effect.runPromise(program.pipe(Effect.provide(ClerkLive)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerAgent()

// ---------------------------------------------------------------------------------------------------------------
// request bodies
// ---------------------------------------------------------------------------------------------------------------

type UndiciBody = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

const requestBody = (body: Exclude<HttpBody.HttpBody, HttpBody.Stream>): UndiciBody => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      // Whatever the caller put there (a string, a Buffer, a Node stream…): undici validates it.
      return body.body as UndiciBody
    case "FormData":
      return undiciFormData(body.formData)
  }
}

// undici serialises only its own `FormData` class; the global one (Node's bundled undici) is copied entry by entry.
const undiciFormData = (formData: FormData): Undici.FormData => {
  if (formData instanceof Undici.FormData) return formData
  const copy = new Undici.FormData()
  formData.forEach((value, name) => {
    if (typeof value === "string") copy.append(name, value)
    else copy.append(name, value, value.name)
  })
  return copy
}

// ---------------------------------------------------------------------------------------------------------------
// responses
// ---------------------------------------------------------------------------------------------------------------

// A body that errors after nobody reads it any more (an abort, a reset) must not become an uncaught 'error' event.
const ignoreError = (_: unknown): void => {}

/**
 * One chunk of a Node readable in paused mode: what is buffered at once, else the next `readable` / `end` / `error` /
 * `close` event. `None` at the end. Unlike the readable's async iterator, an interruption while waiting never blocks:
 * the listeners are removed and the stream's finalizer destroys the body.
 */
const readChunk = <E>(
  body: Readable,
  onError: (cause: unknown) => E
): Effect.Effect<Uint8Array, Option.Option<E>> => {
  const poll = (): Effect.Effect<Uint8Array, Option.Option<E>> | undefined => {
    const chunk: Uint8Array | null = body.read()
    if (chunk !== null) return Effect.succeed(chunk)
    if (body.readableEnded) return Effect.fail(Option.none())
    if (body.errored !== null) return Effect.fail(Option.some(onError(body.errored)))
    if (body.destroyed) {
      return Effect.fail(Option.some(onError(new Error("the response body was closed before its end"))))
    }
    return undefined
  }
  return Effect.suspend(() =>
    poll() ?? Effect.async<Uint8Array, Option.Option<E>>((resume) => {
      const onEvent = (): void => {
        const result = poll()
        if (result === undefined) return
        stop()
        resume(result)
      }
      const stop = (): void => {
        body.off("readable", onEvent)
        body.off("end", onEvent)
        body.off("close", onEvent)
        body.off("error", onEvent)
      }
      body.on("readable", onEvent)
      body.on("end", onEvent)
      body.on("close", onEvent)
      body.on("error", onEvent)
      return Effect.sync(stop)
    })
  )
}

class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Undici.Dispatcher.ResponseData
  ) {
    super()
    source.body.on("error", ignoreError)
  }

  get status(): number {
    return this.source.statusCode
  }

  private cachedHeaders: Headers.Headers | undefined
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers)
  }

  private cachedCookies: Cookies.Cookies | undefined
  get cookies(): Cookies.Cookies {
    if (this.cachedCookies === undefined) {
      const header = this.source.headers["set-cookie"]
      this.cachedCookies = header === undefined
        ? Cookies.empty
        : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
    }
    return this.cachedCookies
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const body = this.source.body
    return Stream.repeatEffectOption(readChunk(body, (cause) => this.decodeError(cause))).pipe(
      // Stopping early (an interruption, a timeout, a consumer that has seen enough) destroys the body, which aborts
      // the request; once the body has ended this is a no-op and the connection goes back to the pool.
      Stream.ensuring(Effect.sync(() => body.destroy()))
    )
  }

  // Each body reader runs once and is cached: the body can only be consumed once.
  private consume<A>(read: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.runSync(
      Effect.cached(Effect.tryPromise({ try: read, catch: (cause) => this.decodeError(cause) }))
    )
  }

  private textBody: Effect.Effect<string, HttpClientError.ResponseError> | undefined
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.textBody ??= this.consume(() => this.source.body.text())
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text) as unknown,
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  private arrayBufferBody: Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> | undefined
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.arrayBufferBody ??= this.consume(() => this.source.body.arrayBuffer())
  }

  private formDataBody: Effect.Effect<FormData, HttpClientError.ResponseError> | undefined
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    // undici's body mixin has no `formData()`: the web `Response` parses the multipart or urlencoded body.
    return this.formDataBody ??= this.consume(async () => {
      const bytes = await this.source.body.arrayBuffer()
      return new Response(bytes, { headers: this.headers }).formData()
    })
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}
