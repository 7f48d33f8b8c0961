/**
 * The one place that talks HTTP: it sends a request, reads the body (bounded in size and time), retries what is
 * safe to retry, maps statuses to typed errors and decodes the success body. Operations only describe their request.
 */
import { ClerkErrorBody } from "@effect-clerk/schema"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  ClerkBadRequest,
  ClerkDecodeError,
  ClerkForbidden,
  ClerkNotFound,
  ClerkPaymentRequired,
  ClerkRateLimited,
  type ClerkRateLimiterUnavailable,
  ClerkServerError,
  type ClerkStatusError,
  ClerkTransportError,
  ClerkUnauthorized,
  ClerkUnexpectedStatus,
  ClerkUnprocessableEntity,
  type TransportFailureReason
} from "../ClerkError.js"
import * as InternalBody from "./body.js"
import { issuePaths, nestedDeeperThan } from "./json.js"
import { maxMetaDepth, maxResponseBytes, maxSuccessDepth } from "./limits.js"
import type * as InternalRateLimit from "./rateLimit.js"
import * as InternalRetry from "./retry.js"
import * as InternalTimeout from "./timeout.js"

/** The configured client, as the operations use it: read once when the layer is built. */
export interface Settings {
  /** The transport; the platform's own per-request span is off for it (each attempt has the client's own). */
  readonly httpClient: HttpClient.HttpClient
  /** `${apiUrl}/v1`: every path is appended to it. */
  readonly baseUrl: string
  /** Authorization, Clerk-API-Version, User-Agent and Accept, built once. */
  readonly headers: Headers.Headers
  /** Whether each attempt carries the caller's trace context (`traceparent`, `b3`). */
  readonly propagateTraceContext: boolean
  readonly maxRetries: number
  readonly timeout: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly retryCreateOnAmbiguousFailure: boolean
  /** The client-side rate limit: each attempt waits for it; a 429's `Retry-After` is shared through it. */
  readonly rateLimit: InternalRateLimit.Limit
}

/** One operation's request, and how to read its answer. */
interface Call<A> {
  /** The operation's name in spans and logs, e.g. `actorTokens.create`. */
  readonly operation: string
  readonly method: "GET" | "POST"
  /** The path after the base URL, its ids already checked: `/actor_tokens/act_123/revoke`. */
  readonly path: string
  readonly urlParams?: UrlParams.Input | undefined
  /** A JSON body. */
  readonly body?: unknown
  /** Whether sending the request twice is harmless. */
  readonly idempotent: boolean
  /** The success body's decoder (from the schema package). */
  readonly decode: (
    json: unknown,
    options: { readonly errors: "all"; readonly onExcessProperty: "ignore" }
  ) => Either.Either<A, ParseResult.ParseError>
}

/** Every way a call can fail once its input was accepted. */
type CallError = ClerkStatusError | ClerkTransportError | ClerkDecodeError | ClerkRateLimiterUnavailable

/** Runs a call (attempts with timeout and retries), then maps the final response. */
export type Execute = <A>(call: Call<A>) => Effect.Effect<A, CallError>

interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly tooLarge: boolean
}

// ---------------------------------------------------------------------------------------------------------------
// transport failures
// ---------------------------------------------------------------------------------------------------------------

const errorCodes = (cause: unknown): Array<string> => {
  const codes: Array<string> = []
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || typeof value !== "object" || value === null) return
    const record = value as { code?: unknown; cause?: unknown; errors?: unknown }
    if (typeof record.code === "string") codes.push(record.code)
    visit(record.cause, depth + 1)
    if (Array.isArray(record.errors)) { for (const inner of record.errors) visit(inner, depth + 1) }
  }
  visit(cause, 0)
  return codes
}

const reasonByCode: Record<string, TransportFailureReason> = {
  ECONNREFUSED: "ConnectionRefused",
  ENOTFOUND: "DnsLookupFailed",
  EAI_AGAIN: "DnsLookupFailed",
  EAI_NONAME: "DnsLookupFailed",
  ECONNRESET: "ConnectionReset",
  EPIPE: "ConnectionReset",
  UND_ERR_SOCKET: "ConnectionReset",
  UND_ERR_CLOSED: "ConnectionReset",
  ETIMEDOUT: "Timeout",
  UND_ERR_CONNECT_TIMEOUT: "Timeout",
  UND_ERR_HEADERS_TIMEOUT: "Timeout",
  UND_ERR_BODY_TIMEOUT: "Timeout"
}

const describeReason: Record<TransportFailureReason, string> = {
  ConnectionRefused: "the connection was refused",
  DnsLookupFailed: "the host name could not be resolved",
  ConnectionReset: "the connection was closed before the response was complete",
  Timeout: "the request timed out",
  Unknown: "the request failed before a response arrived"
}

/** Keeps only the reason and the error code of a transport failure: never the request or its headers. */
const transportError = (error: HttpClientError.HttpClientError): ClerkTransportError => {
  const codes = errorCodes(error.cause)
  const code = codes.find((c) => c in reasonByCode)
  const reason: TransportFailureReason = code !== undefined ? reasonByCode[code]! : "Unknown"
  const shown = code ?? codes[0]
  return new ClerkTransportError({
    reason,
    message: shown === undefined ? describeReason[reason] : `${describeReason[reason]} (${shown})`
  })
}

// ---------------------------------------------------------------------------------------------------------------
// one attempt
// ---------------------------------------------------------------------------------------------------------------

const timeoutError = (timeout: Duration.Duration) => () =>
  new ClerkTransportError({ reason: "Timeout", message: `no complete response within ${Duration.format(timeout)}` })

/** Sends the request and reads its body, within the timeout. */
const sendNow = (
  settings: Settings,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<RawResponse, ClerkTransportError> =>
  InternalTimeout.timeoutFail(
    settings.httpClient.execute(request).pipe(
      Effect.flatMap((response) =>
        Effect.map(InternalBody.read(response), (body): RawResponse => ({
          status: response.status,
          headers: response.headers,
          body: body.text,
          tooLarge: body.tooLarge
        }))
      ),
      Effect.mapError(transportError)
    ),
    settings.timeout,
    Duration.toMillis(settings.timeout),
    timeoutError(settings.timeout)
  )

// ---------------------------------------------------------------------------------------------------------------
// statuses
// ---------------------------------------------------------------------------------------------------------------

const decodeErrorBody = Schema.decodeUnknownOption(Schema.parseJson(ClerkErrorBody.ClerkErrorBody))

const statusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/** Reads `Retry-After` as seconds or as an HTTP date; `None` when absent or unreadable. */
const parseRetryAfter = (value: string | undefined, nowMillis: number): Option.Option<Duration.Duration> => {
  if (value === undefined) return Option.none()
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Option.some(Duration.seconds(Number(trimmed)))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return Option.none()
  return Option.some(Duration.millis(Math.max(0, date - nowMillis)))
}

/** An error must stay safe to print and serialise: an entry's `meta` nested deeper than `maxMetaDepth` is dropped. */
const boundedMeta = (entry: ClerkErrorBody.ClerkErrorEntry): ClerkErrorBody.ClerkErrorEntry => {
  if (entry.meta === undefined || !nestedDeeperThan(entry.meta, maxMetaDepth)) return entry
  const { meta: _, ...rest } = entry
  return rest
}

const statusError = (raw: RawResponse, nowMillis: number): ClerkStatusError => {
  const parsed = raw.tooLarge ? Option.none() : decodeErrorBody(raw.body)
  const errors = Option.match(parsed, { onNone: () => [], onSome: (body) => body.errors.map(boundedMeta) })
  const first = errors[0]
  const fields = {
    status: raw.status,
    errors,
    message: first !== undefined
      ? (first.longMessage !== "" ? first.longMessage : first.message)
      : `Clerk answered ${raw.status}${statusText[raw.status] ? ` ${statusText[raw.status]}` : ""}`,
    ...Option.match(Option.flatMap(parsed, (body) => Option.fromNullable(body.clerkTraceId)), {
      onNone: () => ({}),
      onSome: (clerkTraceId) => ({ clerkTraceId })
    })
  }
  switch (raw.status) {
    case 400:
      return new ClerkBadRequest(fields)
    case 401:
      return new ClerkUnauthorized(fields)
    case 402:
      return new ClerkPaymentRequired(fields)
    case 403:
      return new ClerkForbidden(fields)
    case 404:
      return new ClerkNotFound(fields)
    case 422:
      return new ClerkUnprocessableEntity(fields)
    case 429:
      return Option.match(parseRetryAfter(raw.headers["retry-after"], nowMillis), {
        onNone: () => new ClerkRateLimited(fields),
        onSome: (retryAfter) => new ClerkRateLimited({ ...fields, retryAfter })
      })
  }
  return raw.status >= 500 && raw.status <= 599 ? new ClerkServerError(fields) : new ClerkUnexpectedStatus(fields)
}

const decodeFailure = (status: number, reason: ClerkDecodeError["reason"], message: string) =>
  Either.left(new ClerkDecodeError({ status, reason, message }))

/** The success body, decoded; never throws, whatever the body. */
const decodeSuccess = <A>(call: Call<A>, raw: RawResponse): Either.Either<A, ClerkDecodeError> => {
  if (raw.tooLarge) {
    return decodeFailure(raw.status, "BodyTooLarge", `the response body is larger than ${maxResponseBytes} bytes`)
  }
  let json: unknown
  try {
    json = JSON.parse(raw.body)
  } catch {
    return decodeFailure(
      raw.status,
      "InvalidJson",
      raw.body.length === 0 ? "the response body is empty" : "the response body is not valid JSON"
    )
  }
  if (nestedDeeperThan(json, maxSuccessDepth)) {
    // Valid JSON, but no Clerk resource nests this deep, and printing such a value would overflow the stack.
    return decodeFailure(
      raw.status,
      "SchemaMismatch",
      `the response body is nested deeper than ${maxSuccessDepth} levels`
    )
  }
  return Either.mapLeft(call.decode(json, decodeOptions), (error) =>
    new ClerkDecodeError({
      status: raw.status,
      reason: "SchemaMismatch",
      // Only the paths are reported: the values may be credentials (token, url).
      message: `the response body does not match the expected shape at: ${
        issuePaths(error.issue).slice(0, 10).join(", ")
      }`
    }))
}

const decodeOptions = { errors: "all", onExcessProperty: "ignore" } as const

// ---------------------------------------------------------------------------------------------------------------
// a call
// ---------------------------------------------------------------------------------------------------------------

const describeFailure = (error: InternalRetry.AttemptError): string =>
  "status" in error ? `${error._tag} (${error.status})` : `${error._tag} (${error.reason})`

/** Shares Clerk's `Retry-After` with every attempt under the same limit, up to the longest wait the client accepts. */
const shareRetryAfter = (settings: Settings, error: InternalRetry.AttemptError): Effect.Effect<void> =>
  error._tag === "ClerkRateLimited" && error.retryAfter !== undefined
    ? settings.rateLimit.blockFor(Duration.min(error.retryAfter, settings.maxRetryAfter))
    : Effect.void

/** The one way operations reach Clerk: built once per client, from its settings. */
export const makeExecute = (settings: Settings): Execute => {
  const schedules = {
    idempotent: InternalRetry.retrySchedule(settings, true),
    notIdempotent: InternalRetry.retrySchedule(settings, false)
  }
  const take = settings.rateLimit.take
  return <A>(call: Call<A>) =>
    Effect.suspend(() => {
      const base = HttpClientRequest.make(call.method)(`${settings.baseUrl}${call.path}`, {
        headers: settings.headers,
        ...(call.urlParams === undefined ? {} : { urlParams: call.urlParams })
      })
      const request = call.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, call.body)
      const spanName = `http.client ${call.method}`
      let attempts = 0
      const attempt = Effect.suspend(() => {
        const number = ++attempts
        return Effect.useSpan(
          spanName,
          {
            kind: "client",
            captureStackTrace: false,
            attributes: {
              "http.request.method": call.method,
              "url.path": call.path,
              "clerk.operation": call.operation,
              "clerk.attempt": number
            }
          },
          (span) => {
            // The operation's span (the caller's `Effect.fn`) is told the attempts and the last status as they happen.
            const operation = Option.isSome(span.parent) && span.parent.value._tag === "Span"
              ? span.parent.value
              : undefined
            operation?.attribute("clerk.operation", call.operation)
            operation?.attribute("clerk.attempts", number)
            const traced = settings.propagateTraceContext
              ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span))
              : request
            const send = sendNow(settings, traced)
            return (take === Effect.void ? send : Effect.zipRight(take, send)).pipe(
              Effect.flatMap((raw) => {
                span.attribute("http.response.status_code", raw.status)
                operation?.attribute("http.response.status_code", raw.status)
                return raw.status >= 200 && raw.status <= 299
                  ? Effect.succeed(raw)
                  : Effect.clockWith((clock) => Effect.fail(statusError(raw, clock.unsafeCurrentTimeMillis())))
              }),
              Effect.catchAll((error) =>
                Effect.logDebug(`Clerk ${call.operation}: attempt ${number} failed with ${describeFailure(error)}`)
                  .pipe(
                    Effect.zipRight(shareRetryAfter(settings, error)),
                    Effect.zipRight(Effect.fail(error))
                  )
              )
            )
          }
        )
      })
      return InternalRetry.retryAfterFailure(attempt, call.idempotent ? schedules.idempotent : schedules.notIdempotent)
        .pipe(
          Effect.flatMap((raw) => decodeSuccess(call, raw))
        )
    })
}
