/**
 * Reads a response body of at most `maxResponseBytes`, cheaply whatever its framing (declared length or chunked,
 * compressed or not). The transport's own body is read chunk by chunk with a plain loop and dropped once it passes
 * the limit: a web `ReadableStream` (fetch) or a Node `Readable` (undici). That costs less than `response.text` and
 * a fraction of the Effect `Stream` fold, which on fetch also aborts the request once the body is read. A response
 * of another shape is read in one go when its declared length is within the limit and it is not compressed, else
 * through its `Stream`.
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { maxResponseBytes } from "./limits.js"

/** @internal A body as read: its text, or `tooLarge` (the text is then empty). */
export interface Body {
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

/** What a transport's response is built on: a web `Response` (fetch), or undici's response data (a Node stream). */
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

/**
 * The transport's own body under an `@effect/platform` response (`HttpClient.make` wraps the transport's response in
 * one that aborts the request on interruption; the transport's keeps its source). `undefined` for any other shape:
 * the `Stream` fold reads it then.
 */
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
    // Closed without an end: the connection went away mid-body.
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

/** The bounded Effect `Stream` fold: the fallback for a response of another shape. */
const readStream = (
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
 * @internal
 * How `read` reads `response`: the transport's own body (`Web`, `Node`), in one go (`Whole`), or through its `Stream`.
 * The first two rely on the shape of `@effect/platform`'s response classes, which is not public: the transport tests
 * assert which path each transport takes, so a platform release that changes the shape fails them.
 */
export type Path =
  | Source
  | { readonly _tag: "Whole" }
  | { readonly _tag: "Stream" }

/** @internal See {@link Path}. */
export const pathOf = (response: HttpClientResponse.HttpClientResponse): Path => {
  const source = sourceOf(response)
  if (source !== undefined) return source
  const length = declaredLength(response)
  // HTTP framing stops an uncompressed body at its declared length: within the limit, read it in one go.
  return length !== undefined && length <= maxResponseBytes && response.headers["content-encoding"] === undefined
    ? { _tag: "Whole" }
    : { _tag: "Stream" }
}

/** @internal The body of `response`, bounded: see the module's description. */
export const read = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const path = pathOf(response)
  switch (path._tag) {
    case "Web":
      return readWeb(response, path.body)
    case "Node":
      return readNode(response, path.body)
    case "Whole":
      return Effect.map(response.text, (text) => ({ text, tooLarge: false }))
    case "Stream":
      return readStream(response)
  }
}
