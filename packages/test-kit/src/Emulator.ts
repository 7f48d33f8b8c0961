/**
 * A stateful emulator of Clerk's actor-token endpoints: one implementation of Clerk's behaviour, as an
 * `@effect/platform` HTTP app, served in memory by `TestClerk` and on loopback by `EmulatorServer`.
 *
 * @since 0.1.0
 */
import { ActorToken, Ids } from "@effect-clerk/schema"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as InternalRandom from "./internal/random.js"
import { checkCreateBody } from "./internal/validate.js"
import * as Wire from "./internal/wire.js"

// ---------------------------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------------------------

/**
 * The secret key the emulator accepts when none is given. It is a test key (`sk_test_…`), valid only against the
 * emulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSecretKey: string = "sk_test_clerk_emulator_0000000000000000000000000000"

/**
 * The base URL used in ticket URLs when none is given. In memory nothing listens on it: open such a URL with
 * `TestClerk.httpClient`, or use `EmulatorServer`, whose base URL is its real listening address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: string = "https://clerk-emulator.test"

/**
 * Clerk's development-instance rate limit: 100 requests per 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimit: { readonly requests: number; readonly window: Duration.Duration } = {
  requests: 100,
  window: Duration.seconds(10)
}

/**
 * The options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The only key accepted as `Authorization: Bearer <key>`; default {@link defaultSecretKey}. */
  readonly secretKey?: string | Redacted.Redacted<string> | undefined
  /** The emulator's own address, used in each token's `url`; default {@link defaultBaseUrl}. */
  readonly baseUrl?: string | URL | undefined
  /**
   * A fixed-window rate limit on the Backend API routes, off by default. `{}` is Clerk's 100 requests per 10 s; past
   * the limit a request is answered 429 `too_many_requests` with `Retry-After` (seconds until the window ends).
   */
  readonly rateLimit?: RateLimitOptions | undefined
  /** Tokens that may be created per calendar month (UTC), then 422 `impersonation_limit_exceeded`. Off by default. */
  readonly monthlyQuota?: number | undefined
  /** `false` emulates a plan without impersonation: creating a token answers 402. Default `true`. */
  readonly impersonationOnPlan?: boolean | undefined
}

/**
 * The rate limit of {@link Options}: `requests` per `window`, default 100 per 10 seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  readonly requests?: number | undefined
  readonly window?: Duration.DurationInput | undefined
}

/**
 * The options as the emulator uses them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedOptions {
  readonly secretKey: Redacted.Redacted<string>
  readonly baseUrl: string
  readonly rateLimit: Option.Option<{ readonly requests: number; readonly window: Duration.Duration }>
  readonly monthlyQuota: Option.Option<number>
  readonly impersonationOnPlan: boolean
}

/**
 * The options given to {@link make} were refused; `option` names the offending option.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorConfigError extends Schema.TaggedError<EmulatorConfigError>()("EmulatorConfigError", {
  option: Schema.String,
  message: Schema.String
}) {}

const SecretKey = Schema.String.pipe(
  Schema.filter((key) => /^sk_[\x21-\x7e]+$/.test(key) || "secretKey must be a secret key: sk_ then printable ASCII")
)

const BaseUrl = Schema.transformOrFail(Schema.Union(Schema.String, Schema.instanceOf(URL)), Schema.String, {
  strict: true,
  decode: (input, _, ast) => {
    const url = URL.canParse(String(input)) ? new URL(String(input)) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return ParseResult.fail(new ParseResult.Type(ast, input, "baseUrl must be an absolute http(s) URL"))
    }
    if (url.search !== "" || url.hash !== "") {
      return ParseResult.fail(new ParseResult.Type(ast, input, "baseUrl must not have a query or a fragment"))
    }
    return ParseResult.succeed(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
  },
  encode: ParseResult.succeed
})

const PositiveInt = Schema.Int.pipe(Schema.positive({ message: () => "must be a whole number ≥ 1" }))
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative({ message: () => "must be a whole number ≥ 0" }))

const Window = Schema.Unknown.pipe(
  Schema.transformOrFail(Schema.DurationFromSelf, {
    strict: true,
    decode: (input, _, ast) =>
      Option.match(Duration.decodeUnknown(input), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, "rateLimit.window is not a duration")),
        onSome: (window) =>
          Duration.isFinite(window) && Duration.greaterThan(window, Duration.zero)
            ? ParseResult.succeed(window)
            : ParseResult.fail(new ParseResult.Type(ast, input, "rateLimit.window must be finite and above zero"))
      }),
    encode: ParseResult.succeed
  })
)

const OptionsSchema = Schema.Struct({
  secretKey: Schema.optionalWith(Schema.Union(SecretKey, Schema.RedactedFromSelf(SecretKey)), {
    default: () => defaultSecretKey
  }),
  baseUrl: Schema.optionalWith(BaseUrl, { default: () => defaultBaseUrl }),
  rateLimit: Schema.optional(Schema.Struct({
    requests: Schema.optionalWith(PositiveInt, { default: () => defaultRateLimit.requests }),
    window: Schema.optionalWith(Window, { default: () => defaultRateLimit.window })
  })),
  monthlyQuota: Schema.optional(NonNegativeInt),
  impersonationOnPlan: Schema.optionalWith(Schema.Boolean, { default: () => true })
})

const resolveOptions = (options: Options): Effect.Effect<ResolvedOptions, EmulatorConfigError> =>
  Schema.decodeUnknown(OptionsSchema)(options, { errors: "first" }).pipe(
    Effect.mapError((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const option = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "options"
      return new EmulatorConfigError({
        option,
        message: `Invalid Emulator option "${option}": ${issue?.message ?? "invalid value"}`
      })
    }),
    Effect.map((decoded): ResolvedOptions => ({
      secretKey: Redacted.isRedacted(decoded.secretKey) ? decoded.secretKey : Redacted.make(decoded.secretKey),
      baseUrl: decoded.baseUrl,
      rateLimit: Option.fromNullable(decoded.rateLimit),
      monthlyQuota: Option.fromNullable(decoded.monthlyQuota),
      impersonationOnPlan: decoded.impersonationOnPlan
    }))
  )

// ---------------------------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------------------------

/**
 * A token as the emulator keeps it: the {@link ActorToken.ActorToken} Clerk returns (encoded with that schema on the
 * wire), plus what Clerk keeps to itself: when it expires and the longest session it may start.
 *
 * @since 0.1.0
 * @category models
 */
export class StoredToken extends ActorToken.ActorToken.extend<StoredToken>("StoredToken")({
  /** Unix milliseconds after which the ticket can no longer be accepted. */
  expiresAt: Schema.Int,
  sessionMaxDurationInSeconds: Schema.Int
}) {}

/**
 * The Backend API operations of the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "create" | "revoke"

/**
 * The routes whose requests are counted: the two operations, the ticket-accept page, and anything else (answered
 * 404).
 *
 * @since 0.1.0
 * @category models
 */
export type Route = Operation | "accept" | "unmatched"

/**
 * How many requests each route has seen since the start or the last {@link Service.reset}, faulted and refused
 * requests included.
 *
 * @since 0.1.0
 * @category models
 */
export type RequestCounts = { readonly [R in Route]: number }

/**
 * A failure to inject in place of (or after) the normal handling of a request.
 *
 * - `Status`: that status (e.g. 500, 502, 503, 504) with Clerk's `internal_clerk_error` body.
 * - `RateLimited`: 429 `too_many_requests` with `Retry-After`, in whole seconds or, with `httpDate`, as an HTTP date
 *   computed from the `Clock`.
 * - `HtmlPage`: that status with a proxy's HTML error page (not JSON).
 * - `TruncatedJson`: 200 with the first half of an actor token's JSON.
 * - `WrongShape`: 200 with valid JSON that is not an actor token.
 * - `EmptyBody`: 200 with no body.
 * - `ConnectionReset`: no response: the connection is reset (`ECONNRESET`).
 * - `Stall`: no response, ever: only the client's timeout (or interruption) ends the request.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 *
 * const gatewayDown = Emulator.Fault.HtmlPage({ status: 502 })
 * const slowDown = Emulator.Fault.RateLimited({ retryAfter: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category faults
 */
export type Fault = Data.TaggedEnum<{
  Status: { readonly status: number }
  RateLimited: { readonly retryAfter: Duration.DurationInput; readonly httpDate?: boolean | undefined }
  HtmlPage: { readonly status: number }
  TruncatedJson: {}
  WrongShape: {}
  EmptyBody: {}
  ConnectionReset: {}
  Stall: {}
}>

/**
 * The constructors of {@link Fault}: `Fault.Status({ status: 503 })`, `Fault.ConnectionReset()`, …
 *
 * @since 0.1.0
 * @category faults
 */
export const Fault: Data.TaggedEnum.Constructor<Fault> = Data.taggedEnum<Fault>()

/**
 * Which requests a fault applies to, and when.
 *
 * @since 0.1.0
 * @category faults
 */
export interface FaultOptions {
  /** The operation whose requests are faulted; `"any"` (the default) is either Backend API operation. */
  readonly operation?: Operation | "any" | undefined
  /** How many matching requests are faulted, default 1 (a number below 1 injects nothing). */
  readonly times?: number | undefined
  /**
   * `false` (the default): the fault replaces the request, which is never processed (no state change). `true`: the
   * request is processed (a token is created or revoked) and then its response is lost to the fault — the
   * ambiguous failure a client must not blindly retry.
   */
  readonly afterProcessing?: boolean | undefined
}

/**
 * The emulator's HTTP app fails with this when the connection must be reset: the adapters turn it into a reset
 * connection (a destroyed socket, or a transport error carrying `code: "ECONNRESET"` in memory).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionReset extends Schema.TaggedError<ConnectionReset>()("ConnectionReset", {}) {}

/**
 * Why a ticket could not be accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export class TicketRejected extends Schema.TaggedError<TicketRejected>()("TicketRejected", {
  reason: Schema.Literal("NotFound", "Expired", "AlreadyAccepted", "Revoked"),
  message: Schema.String
}) {}

// ---------------------------------------------------------------------------------------------------------------
// service
// ---------------------------------------------------------------------------------------------------------------

/**
 * The emulator: its HTTP app, and inspection and control for tests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The options in use. */
  readonly options: ResolvedOptions
  /**
   * The HTTP app: `POST /v1/actor_tokens`, `POST /v1/actor_tokens/:actor_token_id/revoke` and
   * `GET /v1/tickets/accept?ticket=…`. It fails only with {@link ConnectionReset}; a stall never completes.
   */
  readonly httpApp: HttpApp.Default<ConnectionReset>
  /** Every token, oldest first, with its current status. */
  readonly tokens: Effect.Effect<ReadonlyArray<StoredToken>>
  /** The token with this id. */
  readonly find: (id: string) => Effect.Effect<Option.Option<StoredToken>>
  /** Accepts the token with this id, as if its `url` had been opened: `pending` → `accepted`. */
  readonly accept: (id: string) => Effect.Effect<StoredToken, TicketRejected>
  /** Accepts the token whose `token` (the sign-in ticket) is this one. */
  readonly acceptTicket: (ticket: string) => Effect.Effect<StoredToken, TicketRejected>
  /** The requests seen per route. */
  readonly requestCounts: Effect.Effect<RequestCounts>
  /** The requests seen by one route. */
  readonly requestCount: (route: Route) => Effect.Effect<number>
  /** Makes the next `times` matching requests fail with `fault` (queued after faults already injected). */
  readonly injectFault: (fault: Fault, options?: FaultOptions) => Effect.Effect<void>
  /** How many faulted requests are still to come. */
  readonly pendingFaults: Effect.Effect<number>
  /** Drops the faults not yet used. */
  readonly clearFaults: Effect.Effect<void>
  /** Forgets every token, count, fault and rate-limit window. */
  readonly reset: Effect.Effect<void>
}

/**
 * The emulator service, provided by {@link layer} (and by `TestClerk.layer` and `EmulatorServer.layer`).
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@effect-clerk/test-kit/Emulator")<Emulator, Service>() {}

interface FaultEntry {
  readonly fault: Fault
  readonly operation: Operation | "any"
  readonly afterProcessing: boolean
  readonly remaining: number
}

interface State {
  readonly tokens: ReadonlyArray<StoredToken>
  readonly counts: RequestCounts
  readonly faults: ReadonlyArray<FaultEntry>
  readonly window: { readonly start: number; readonly count: number } | undefined
}

const initialState: State = {
  tokens: [],
  counts: { create: 0, revoke: 0, accept: 0, unmatched: 0 },
  faults: [],
  window: undefined
}

const apiVersionPattern = /^\d{4}-\d{2}-\d{2}$/
const bearerPattern = /^Bearer +(\S+)$/i

const sameUtcMonth = (a: number, b: number): boolean => {
  const x = new Date(a)
  const y = new Date(b)
  return x.getUTCFullYear() === y.getUTCFullYear() && x.getUTCMonth() === y.getUTCMonth()
}

// Whole Unix milliseconds, as Clerk stamps them (a TestClock moved by jittered sleeps can be between two).
const currentMillis: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, Math.floor)

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const htmlPage = (status: number, title: string, body: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>\n`,
    { status, contentType: "text/html; charset=utf-8" }
  )

const reasonPhrases: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

// What a reverse proxy in front of an API answers when the upstream fails: HTML, not JSON.
const gatewayPage = (status: number): HttpServerResponse.HttpServerResponse => {
  const title = `${status} ${reasonPhrases[status] ?? "Error"}`
  return HttpServerResponse.text(
    `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n` +
      `<hr><center>emulated proxy</center>\n</body>\n</html>\n`,
    { status, contentType: "text/html" }
  )
}

const bodyText = (response: HttpServerResponse.HttpServerResponse): Option.Option<string> =>
  response.body._tag === "Uint8Array" ? Option.some(new TextDecoder().decode(response.body.body)) : Option.none()

const rejectionStatus: Record<TicketRejected["reason"], number> = {
  NotFound: 404,
  Expired: 400,
  AlreadyAccepted: 400,
  Revoked: 400
}

/**
 * Creates an emulator with empty state.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.make({ monthlyQuota: 5 })
 *   yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "create" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, EmulatorConfigError> =>
  Effect.gen(function*() {
    const resolved = yield* resolveOptions(options)
    const state = yield* Ref.make(initialState)

    const ticketUrl = (ticket: string): string =>
      `${resolved.baseUrl}/v1/tickets/accept?ticket=${encodeURIComponent(ticket)}`

    const count = (route: Route) =>
      Ref.update(state, (s) => ({ ...s, counts: { ...s.counts, [route]: s.counts[route] + 1 } }))

    const takeFault = (operation: Operation): Effect.Effect<Option.Option<FaultEntry>> =>
      Ref.modify(state, (s) => {
        const index = s.faults.findIndex((f) => f.operation === "any" || f.operation === operation)
        if (index === -1) return [Option.none(), s]
        const entry = s.faults[index]!
        const faults = entry.remaining > 1
          ? s.faults.map((f, i) => i === index ? { ...f, remaining: f.remaining - 1 } : f)
          : s.faults.filter((_, i) => i !== index)
        return [Option.some(entry), { ...s, faults }]
      })

    // A token to truncate or reshape when a fault replaces a request that created nothing.
    const sampleToken = Effect.gen(function*() {
      const now = yield* currentMillis
      const ticket = yield* InternalRandom.ticket
      return ActorToken.ActorToken.make({
        object: "actor_token",
        id: Ids.ActorTokenId.make(yield* InternalRandom.actorTokenId),
        status: "pending",
        userId: Ids.UserId.make("user_emulator_sample"),
        actor: { sub: "user_emulator_sample_actor" },
        token: Redacted.make(ticket),
        url: Redacted.make(ticketUrl(ticket)),
        createdAt: now,
        updatedAt: now
      })
    })

    const faultResponse = (
      fault: Fault,
      processed: Option.Option<HttpServerResponse.HttpServerResponse>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, ConnectionReset> => {
      const tokenJson = Option.flatMap(processed, bodyText).pipe(
        Option.match({
          onNone: () => Effect.map(sampleToken, Wire.actorTokenJsonString),
          onSome: Effect.succeed
        })
      )
      return Fault.$match(fault, {
        Status: ({ status }) => Wire.errorResponse(status, [Wire.errors.internalClerkError()]),
        RateLimited: ({ httpDate, retryAfter }) =>
          Effect.flatMap(currentMillis, (now) => {
            const millis = Duration.toMillis(Duration.decode(retryAfter))
            const header = httpDate === true
              ? new Date(now + millis).toUTCString()
              : String(Math.max(0, Math.ceil(millis / 1000)))
            return Wire.errorResponse(429, [Wire.errors.tooManyRequests()], { "retry-after": header })
          }),
        HtmlPage: ({ status }) => Effect.succeed(gatewayPage(status)),
        TruncatedJson: () =>
          Effect.map(tokenJson, (json) =>
            HttpServerResponse.text(json.slice(0, Math.floor(json.length / 2)), {
              status: 200,
              contentType: "application/json"
            })),
        // Valid JSON, but the token sits inside an envelope: no `id`, `status`, … at the top level.
        WrongShape: () =>
          Effect.map(tokenJson, (json) =>
            HttpServerResponse.text(`{"data":[${json}]}`, { status: 200, contentType: "application/json" })),
        EmptyBody: () =>
          Effect.succeed(HttpServerResponse.empty({ status: 200 })),
        ConnectionReset: () => Effect.fail(new ConnectionReset()),
        Stall: () => Effect.never
      })
    }

    // -- Backend API guards: API version, authentication, rate limit ----------------------------------------------

    const checkApiVersion = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const header = request.headers["clerk-api-version"]
      const query = new URLSearchParams(request.url.split("?")[1] ?? "").get("__clerk_api_version")
      if (header !== undefined && query !== null) {
        return Option.some(
          Wire.errors.apiVersionInvalid("Send the API version either as a header or as a query parameter, not both.")
        )
      }
      const version = header ?? query
      if (version !== null && !apiVersionPattern.test(version)) {
        return Option.some(Wire.errors.apiVersionInvalid(`The API version ${version} is invalid.`))
      }
      return Option.none()
    })

    const checkAuthentication = Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
      const header = request.headers["authorization"]
      if (header === undefined || header.trim() === "") return Option.some(Wire.errors.authenticationInvalid())
      const match = bearerPattern.exec(header.trim())
      if (match === null) return Option.some(Wire.errors.authorizationHeaderFormatInvalid())
      return match[1] === Redacted.value(resolved.secretKey)
        ? Option.none()
        : Option.some(Wire.errors.clerkKeyInvalid())
    })

    // `None` when the request may go on, else the seconds until the window ends.
    const checkRateLimit: Effect.Effect<Option.Option<number>> = Option.match(resolved.rateLimit, {
      onNone: () => Effect.succeedNone,
      onSome: ({ requests, window }) =>
        Effect.flatMap(currentMillis, (now) =>
          Ref.modify(state, (s): [Option.Option<number>, State] => {
            const windowMillis = Duration.toMillis(window)
            const current = s.window !== undefined && now < s.window.start + windowMillis
              ? s.window
              : { start: now, count: 0 }
            if (current.count >= requests) {
              const seconds = Math.max(1, Math.ceil((current.start + windowMillis - now) / 1000))
              return [Option.some(seconds), { ...s, window: current }]
            }
            return [Option.none(), { ...s, window: { start: current.start, count: current.count + 1 } }]
          }))
    })

    const guarded = <R>(
      process: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
      Effect.gen(function*() {
        const versionError = yield* checkApiVersion
        if (Option.isSome(versionError)) return yield* Wire.errorResponse(400, [versionError.value])
        const authError = yield* checkAuthentication
        if (Option.isSome(authError)) return yield* Wire.errorResponse(401, [authError.value])
        const retryAfter = yield* checkRateLimit
        if (Option.isSome(retryAfter)) {
          return yield* Wire.errorResponse(429, [Wire.errors.tooManyRequests()], {
            "retry-after": String(retryAfter.value)
          })
        }
        return yield* process
      })

    const backendApi = <R>(
      operation: Operation,
      process: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
    ) =>
      Effect.gen(function*() {
        yield* count(operation)
        const fault = yield* takeFault(operation)
        if (Option.isSome(fault) && !fault.value.afterProcessing) {
          return yield* faultResponse(fault.value.fault, Option.none())
        }
        const response = yield* guarded(process)
        return Option.isSome(fault) ? yield* faultResponse(fault.value.fault, Option.some(response)) : response
      })

    // -- operations ------------------------------------------------------------------------------------------------

    const create = Effect.gen(function*() {
      if (!resolved.impersonationOnPlan) return yield* Wire.errorResponse(402, [Wire.errors.unsupportedPlanFeatures()])
      const request = yield* HttpServerRequest.HttpServerRequest
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      const checked = checkCreateBody(text)
      if (Either.isLeft(checked)) return yield* Wire.errorResponse(checked.left.status, checked.left.errors)
      const params = checked.right
      const now = yield* currentMillis
      const id = yield* InternalRandom.actorTokenId
      const ticket = yield* InternalRandom.ticket
      const token = new StoredToken({
        object: "actor_token",
        id: Ids.ActorTokenId.make(id),
        status: "pending",
        userId: params.userId,
        actor: params.actor,
        token: Redacted.make(ticket),
        url: Redacted.make(ticketUrl(ticket)),
        createdAt: now,
        updatedAt: now,
        // A lifetime so long that the expiry is no longer a safe integer never ends: clamp it, rather than fail the
        // `Int` check of `expiresAt` and answer 500 to valid params.
        expiresAt: Math.min(now + (params.expiresInSeconds ?? 3600) * 1000, Number.MAX_SAFE_INTEGER),
        sessionMaxDurationInSeconds: params.sessionMaxDurationInSeconds ?? 1800
      })
      const created = yield* Ref.modify(state, (s): [boolean, State] => {
        const quotaUsed = Option.exists(
          resolved.monthlyQuota,
          (quota) => s.tokens.filter((t) => sameUtcMonth(t.createdAt, now)).length >= quota
        )
        return quotaUsed ? [false, s] : [true, { ...s, tokens: [...s.tokens, token] }]
      })
      if (!created) {
        return yield* Wire.errorResponse(422, [
          Wire.errors.impersonationLimitExceeded(Option.getOrElse(resolved.monthlyQuota, () => 0))
        ])
      }
      return yield* Wire.actorTokenResponse(token)
    })

    const revoke = Effect.gen(function*() {
      const id = (yield* HttpRouter.params)["actor_token_id"] ?? ""
      const now = yield* currentMillis
      const result = yield* Ref.modify(state, (s): [Either.Either<StoredToken, Wire.ErrorEntry>, State] => {
        const current = s.tokens.find((t) => t.id === id)
        if (current === undefined) return [Either.left(Wire.errors.resourceNotFound()), s]
        if (current.status !== "pending") return [Either.left(Wire.errors.cannotBeRevoked(current.status)), s]
        const revoked = new StoredToken({ ...current, status: "revoked", updatedAt: now })
        return [Either.right(revoked), { ...s, tokens: s.tokens.map((t) => t.id === id ? revoked : t) }]
      })
      return yield* Either.match(result, {
        onLeft: (error) => Wire.errorResponse(error.code === "resource_not_found" ? 404 : 400, [error]),
        onRight: Wire.actorTokenResponse
      })
    })

    const acceptWhere = (
      describe: string,
      matches: (token: StoredToken) => boolean
    ): Effect.Effect<StoredToken, TicketRejected> =>
      Effect.flatMap(currentMillis, (now) =>
        Ref.modify(state, (s): [Either.Either<StoredToken, TicketRejected>, State] => {
          const current = s.tokens.find(matches)
          const reject = (reason: TicketRejected["reason"], message: string) =>
            [Either.left(new TicketRejected({ reason, message })), s] as [Either.Either<never, TicketRejected>, State]
          if (current === undefined) {
            return reject("NotFound", `No actor token matches ${describe}.`)
          }
          if (current.status === "accepted") {
            return reject("AlreadyAccepted", "This ticket has already been used.")
          }
          if (current.status === "revoked") {
            return reject("Revoked", "This ticket has been revoked.")
          }
          if (now >= current.expiresAt) {
            return reject("Expired", "This ticket has expired.")
          }
          const accepted = new StoredToken({ ...current, status: "accepted", updatedAt: now })
          return [Either.right(accepted), {
            ...s,
            tokens: s.tokens.map((t) =>
              t === current ? accepted : t
            )
          }]
        })).pipe(Effect.flatMap((result) =>
          result
        ))

    const acceptTicket = (ticket: string) =>
      acceptWhere("this ticket", (t) => t.token != null && Redacted.value(t.token) === ticket)

    const acceptPage = Effect.gen(function*() {
      yield* count("accept")
      const params = yield* HttpServerRequest.ParsedSearchParams
      const raw = params["ticket"]
      const ticket = Array.isArray(raw) ? raw[0] : raw
      if (ticket === undefined || ticket === "") {
        return htmlPage(400, "Sign-in failed", "The link has no ticket.")
      }
      return yield* acceptTicket(ticket).pipe(
        Effect.match({
          onFailure: (rejected) => htmlPage(rejectionStatus[rejected.reason], "Sign-in failed", rejected.message),
          onSuccess: (token) =>
            htmlPage(
              200,
              "Signed in",
              `Signed in as <strong>${escapeHtml(token.userId)}</strong>` +
                (token.actor !== null && typeof token.actor["sub"] === "string"
                  ? `, impersonated by <strong>${escapeHtml(token.actor["sub"])}</strong>.`
                  : ".")
            )
        })
      )
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/v1/actor_tokens", backendApi("create", create)),
      HttpRouter.post("/v1/actor_tokens/:actor_token_id/revoke", backendApi("revoke", revoke)),
      HttpRouter.get("/v1/tickets/accept", acceptPage)
    )

    const httpApp: HttpApp.Default<ConnectionReset> = router.pipe(
      Effect.catchTag("RouteNotFound", () =>
        Effect.zipRight(count("unmatched"), Wire.errorResponse(404, [Wire.errors.resourceNotFound()]))),
      Effect.catchAllDefect(() =>
        Wire.errorResponse(500, [Wire.errors.internalClerkError()])
      )
    )

    return Emulator.of({
      options: resolved,
      httpApp,
      tokens: Effect.map(Ref.get(state), (s) => s.tokens),
      find: (id) => Effect.map(Ref.get(state), (s) => Option.fromNullable(s.tokens.find((t) => t.id === id))),
      accept: (id) => acceptWhere(`the id ${id}`, (t) => t.id === id),
      acceptTicket,
      requestCounts: Effect.map(Ref.get(state), (s) => s.counts),
      requestCount: (route) => Effect.map(Ref.get(state), (s) => s.counts[route]),
      injectFault: (fault, faultOptions = {}) => {
        const times = faultOptions.times ?? 1
        if (!Number.isSafeInteger(times) || times < 1) return Effect.void
        const entry: FaultEntry = {
          fault,
          operation: faultOptions.operation ?? "any",
          afterProcessing: faultOptions.afterProcessing ?? false,
          remaining: times
        }
        return Ref.update(state, (s) => ({ ...s, faults: [...s.faults, entry] }))
      },
      pendingFaults: Effect.map(Ref.get(state), (s) => s.faults.reduce((n, f) => n + f.remaining, 0)),
      clearFaults: Ref.update(state, (s) => ({ ...s, faults: [] })),
      reset: Ref.set(state, initialState)
    })
  })

/**
 * A layer of a fresh emulator.
 *
 * @example
 * ```ts
 * import { Emulator, TestClerk } from "@effect-clerk/test-kit"
 * import { Layer } from "effect"
 *
 * // The emulator with a monthly quota of 5, and its in-memory HttpClient for your own ClerkClient layer.
 * const EmulatorLive = Emulator.layer({ monthlyQuota: 5 })
 * const HttpLive = TestClerk.layerHttpClient.pipe(Layer.provide(EmulatorLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, EmulatorConfigError> =>
  Layer.effect(Emulator, make(options))
