/**
 * The client's own per-call mechanisms, replicated from `packages/client/src/internal/` (its internals are not
 * exported) so that the stubbed components (stubs.ts) and the loopback probes (probes.ts) price them as the client
 * writes them. Keep each in step with its source:
 *
 * - {@link timeoutFail}: `internal/timeout.ts` (the per-attempt timeout);
 * - {@link retryAfterFailure}: `internal/http.ts` (the retry driver, built only once an attempt has failed);
 * - {@link attemptSpan}: `internal/http.ts`, `makeExecute` (the span of each attempt);
 * - {@link readBody}: `internal/body.ts` (the bounded body read);
 * - {@link nestedDeeperThan}: `internal/json.ts` (the depth check before the success body's schema decode).
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

// ---------------------------------------------------------------------------------------------------------------
// timeout: fork + a plain timer on the live clock, `Effect.timeoutFail` on any other
// ---------------------------------------------------------------------------------------------------------------

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)
const maxTimerMillis = 2 ** 31 - 1

const onLiveClock = <A, E, E1, R>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.flatMap(Effect.fork(self), (child) =>
    Effect.async<A, E | E1>((resume) => {
      let settled = false
      const timer = millis > maxTimerMillis ? undefined : setTimeout(() => {
        if (settled) return
        settled = true
        resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
      }, millis)
      child.addObserver((exit) => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        resume(Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.failCause(exit.cause))
      })
      return Effect.suspend(() => {
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        return Fiber.interrupt(child)
      })
    }))

/** The client's per-attempt timeout (`internal/timeout.ts`; `R` added here, for the probes). */
export const timeoutFail = <A, E, E1, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.clockWith((clock) =>
    clock === liveClock ? onLiveClock(self, millis, onTimeout) : Effect.timeoutFail(self, { duration, onTimeout })
  )

// ---------------------------------------------------------------------------------------------------------------
// retry driver: built only once an attempt has failed
// ---------------------------------------------------------------------------------------------------------------

/** The client's retry (`internal/http.ts`, `retryAfterFailure`; `R` added here, for the probes). */
export const retryAfterFailure = <A, E, R>(
  attempt: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<unknown, E>
): Effect.Effect<A, E, R> =>
  Effect.catchAll(attempt, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const next = (error: E): Effect.Effect<A, E, R> =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => Effect.catchAll(attempt, next)
        })
      return next(first)
    }))

// ---------------------------------------------------------------------------------------------------------------
// spans: the client's own span per attempt (method, path, operation, attempt, status; no header)
// ---------------------------------------------------------------------------------------------------------------

/** The span `makeExecute` (`internal/http.ts`) opens around each attempt, with the status set on success. */
export const attemptSpan = <E>(
  self: Effect.Effect<{ readonly status: number }, E>,
  attempt = 1
): Effect.Effect<{ readonly status: number }, E> =>
  Effect.useSpan(
    "http.client POST",
    {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "http.request.method": "POST",
        "url.path": "/actor_tokens",
        "clerk.operation": "create",
        "clerk.attempt": attempt
      }
    },
    (span) =>
      Effect.map(self, (raw) => {
        span.attribute("http.response.status_code", raw.status)
        return raw
      })
  )

// ---------------------------------------------------------------------------------------------------------------
// body read: a plain loop over the transport's own body, bounded
// ---------------------------------------------------------------------------------------------------------------

const maxResponseBytes = 1024 * 1024

interface Body {
  readonly text: string
  readonly tooLarge: boolean
}

const tooLarge: Body = { text: "", tooLarge: true }
const decoder = new TextDecoder()

const textOf = (chunks: ReadonlyArray<Uint8Array>, size: number): Body => {
  if (chunks.length === 1) return { text: decoder.decode(chunks[0]), tooLarge: false }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return { text: decoder.decode(out), tooLarge: false }
}

const declaredLength = (response: HttpClientResponse.HttpClientResponse): number | undefined => {
  const value = response.headers["content-length"]
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

const decodeError = (response: HttpClientResponse.HttpClientResponse, cause: unknown) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

interface NodeBody {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown
  on(event: "end" | "close", listener: () => void): unknown
  on(event: "error", listener: (error: unknown) => void): unknown
  off(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(): unknown
  readonly readableEnded?: boolean
}

type Source =
  | { readonly _tag: "Web"; readonly body: ReadableStream<Uint8Array> | null }
  | { readonly _tag: "Node"; readonly body: NodeBody }

const isNodeBody = (u: unknown): u is NodeBody =>
  typeof u === "object" && u !== null && typeof (u as NodeBody).on === "function" &&
  typeof (u as NodeBody).destroy === "function"

const sourceOf = (response: HttpClientResponse.HttpClientResponse): Source | undefined => {
  const inner = (response as { readonly original?: unknown }).original ?? response
  const source = (inner as { readonly source?: unknown }).source
  if (typeof Response !== "undefined" && source instanceof Response) return { _tag: "Web", body: source.body }
  const body = (source as { readonly body?: unknown } | undefined)?.body
  return isNodeBody(body) ? { _tag: "Node", body } : undefined
}

const readWeb = (
  response: HttpClientResponse.HttpClientResponse,
  stream: ReadableStream<Uint8Array> | null
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  if (stream === null) return Effect.succeed({ text: "", tooLarge: false })
  return Effect.async<Body, HttpClientError.ResponseError>((resume) => {
    let reader: ReadableStreamDefaultReader<Uint8Array>
    try {
      reader = stream.getReader()
    } catch (cause) {
      resume(Effect.fail(decodeError(response, cause)))
      return
    }
    const chunks: Array<Uint8Array> = []
    let size = 0
    let settled = false
    const stop = () => {
      settled = true
      reader.cancel().catch(() => {})
    }
    const next = (): void => {
      reader.read().then(({ done, value }) => {
        if (settled) return
        if (done) {
          settled = true
          return resume(Effect.succeed(textOf(chunks, size)))
        }
        if (size + value.length > maxResponseBytes) {
          stop()
          return resume(Effect.succeed(tooLarge))
        }
        chunks.push(value)
        size += value.length
        next()
      }, (cause: unknown) => {
        if (settled) return
        settled = true
        resume(Effect.fail(decodeError(response, cause)))
      })
    }
    next()
    return Effect.sync(() => {
      if (!settled) stop()
    })
  })
}

const readNode = (
  response: HttpClientResponse.HttpClientResponse,
  body: NodeBody
): Effect.Effect<Body, HttpClientError.ResponseError> =>
  Effect.async<Body, HttpClientError.ResponseError>((resume) => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    const cleanup = () => {
      body.off("data", onData)
      body.off("end", onEnd)
      body.off("error", onError)
      body.off("close", onClose)
    }
    const onData = (chunk: Uint8Array) => {
      if (size + chunk.length > maxResponseBytes) {
        cleanup()
        body.destroy()
        return resume(Effect.succeed(tooLarge))
      }
      chunks.push(chunk)
      size += chunk.length
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(textOf(chunks, size)))
    }
    const onError = (cause: unknown) => {
      cleanup()
      resume(Effect.fail(decodeError(response, cause)))
    }
    const onClose = () => onError(new Error("the response body was closed before its end"))
    if (body.readableEnded === true) return resume(Effect.succeed({ text: "", tooLarge: false }))
    body.on("data", onData)
    body.on("end", onEnd)
    body.on("error", onError)
    body.on("close", onClose)
    return Effect.sync(() => {
      cleanup()
      body.destroy()
    })
  })

interface Accumulator {
  readonly chunks: Array<Uint8Array>
  size: number
  tooLarge: boolean
}

/** The Effect `Stream` fold, bounded: the client's fallback, and what the body loop replaced. */
export const readStream = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> =>
  response.stream.pipe(
    Stream.runFoldWhile(
      { chunks: [], size: 0, tooLarge: false } as Accumulator,
      (acc) => !acc.tooLarge,
      (acc, chunk) => {
        if (acc.size + chunk.length > maxResponseBytes) acc.tooLarge = true
        else {
          acc.chunks.push(chunk)
          acc.size += chunk.length
        }
        return acc
      }
    ),
    Effect.catchIf(
      (error) => error.reason === "EmptyBody",
      () => Effect.succeed<Accumulator>({ chunks: [], size: 0, tooLarge: false })
    ),
    Effect.map((acc) => acc.tooLarge ? tooLarge : textOf(acc.chunks, acc.size))
  )

/**
 * The client's body read (`internal/body.ts`, `read`): the loop over a web `ReadableStream` (fetch) or a Node
 * `Readable` (undici), else `text` for a declared, uncompressed length within the bound, else the `Stream` fold.
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const source = sourceOf(response)
  if (source !== undefined) {
    return source._tag === "Web" ? readWeb(response, source.body) : readNode(response, source.body)
  }
  const length = declaredLength(response)
  if (length !== undefined && length <= maxResponseBytes && response.headers["content-encoding"] === undefined) {
    return Effect.map(response.text, (text) => ({ text, tooLarge: false }))
  }
  return readStream(response)
}

// ---------------------------------------------------------------------------------------------------------------
// schema decode: the depth check that runs before it
// ---------------------------------------------------------------------------------------------------------------

/** Whether `value` holds an object or array more than `limit` levels down (`internal/json.ts`). */
export const nestedDeeperThan = (value: unknown, limit: number): boolean => {
  const stack: Array<readonly [unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth >= limit) return true
    for (const child of Object.values(current)) stack.push([child, depth + 1])
  }
  return false
}
