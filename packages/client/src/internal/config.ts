import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ClerkConfigError } from "../ClerkError.js"

/** @internal */
export interface ResolvedOptions {
  readonly secretKey: Redacted.Redacted<string>
  readonly baseUrl: string
  readonly clerkApiVersion: string
  readonly userAgent: string
  readonly maxRetries: number
  readonly timeout: Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly retryCreateOnAmbiguousFailure: boolean
  readonly propagateTraceContext: boolean
  readonly rateLimit: Option.Option<
    { readonly limit: number; readonly interval: Duration.Duration; readonly key: Option.Option<string> }
  >
}

const SecretKeyValue = Schema.String.pipe(
  Schema.filter((key) => key.length > 0 || "the secret key is empty"),
  Schema.filter((key) =>
    !/[^\x21-\x7e]/.test(key) || "the secret key contains whitespace, control or non-ASCII characters"
  ),
  Schema.filter((key) =>
    !key.startsWith("pk_") || "this is a publishable key (pk_…): the Backend API needs the secret key (sk_…)"
  )
)

const isLoopbackHost = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

const ApiUrl = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.instanceOf(URL)),
  Schema.String,
  {
    strict: true,
    decode: (input, _, ast) => {
      const fail = (message: string) => ParseResult.fail(new ParseResult.Type(ast, input, message))
      let url: URL
      try {
        url = new URL(input)
      } catch {
        return fail("apiUrl is not an absolute URL")
      }
      if (url.username !== "" || url.password !== "") return fail("apiUrl must not contain credentials")
      if (url.search !== "" || url.hash !== "") return fail("apiUrl must not have a query or a fragment")
      if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
        return fail("apiUrl must use https (plain http is allowed only for localhost, 127.0.0.0/8 and [::1])")
      }
      return ParseResult.succeed(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
    },
    encode: ParseResult.succeed
  }
)

const HeaderText = (name: string) =>
  Schema.String.pipe(
    Schema.filter((s) => /^[\x20-\x7e]*$/.test(s) || `${name} must be printable ASCII without control characters`)
  )

/** @internal */
export const DurationInput = (name: string) =>
  Schema.Unknown.pipe(
    Schema.transformOrFail(Schema.DurationFromSelf, {
      strict: true,
      decode: (input, _, ast) =>
        Option.match(Duration.decodeUnknown(input), {
          onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, `${name} is not a duration`)),
          onSome: (duration) =>
            Duration.isFinite(duration) && Duration.greaterThan(duration, Duration.zero)
              ? ParseResult.succeed(duration)
              : ParseResult.fail(new ParseResult.Type(ast, input, `${name} must be a finite duration above zero`))
        }),
      encode: ParseResult.succeed
    })
  )

const NonNegativeInt = (name: string) =>
  Schema.Number.pipe(
    Schema.filter((n) => (Number.isSafeInteger(n) && n >= 0) || `${name} must be a whole number ≥ 0`)
  )

const PositiveInt = (name: string) =>
  Schema.Number.pipe(Schema.filter((n) => (Number.isSafeInteger(n) && n > 0) || `${name} must be a whole number ≥ 1`))

const RateLimitKey = Schema.String.pipe(
  Schema.filter((key) =>
    /^[A-Za-z0-9._-]{1,128}$/.test(key) ||
    "rateLimit.key must be 1 to 128 letters, digits, \".\", \"_\" or \"-\""
  )
)

const defaults = {
  apiUrl: "https://api.clerk.com",
  clerkApiVersion: "2026-05-12",
  maxRetries: 2,
  timeout: Duration.seconds(10),
  maxRetryAfter: Duration.seconds(60)
} as const

const OptionsSchema = Schema.Struct({
  secretKey: Schema.RedactedFromSelf(SecretKeyValue),
  apiUrl: Schema.optionalWith(ApiUrl, { default: () => defaults.apiUrl }),
  clerkApiVersion: Schema.optionalWith(HeaderText("clerkApiVersion").pipe(Schema.minLength(1)), {
    default: () => defaults.clerkApiVersion
  }),
  userAgent: Schema.optional(HeaderText("userAgent")),
  maxRetries: Schema.optionalWith(NonNegativeInt("maxRetries"), { default: () => defaults.maxRetries }),
  timeout: Schema.optionalWith(DurationInput("timeout"), { default: () => defaults.timeout }),
  maxRetryAfter: Schema.optionalWith(DurationInput("maxRetryAfter"), { default: () => defaults.maxRetryAfter }),
  retryCreateOnAmbiguousFailure: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  propagateTraceContext: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  rateLimit: Schema.optional(Schema.Struct({
    limit: PositiveInt("rateLimit.limit"),
    interval: DurationInput("rateLimit.interval"),
    key: Schema.optional(RateLimitKey)
  }))
}).pipe(
  Schema.filter((options) =>
    options.rateLimit?.key !== Redacted.value(options.secretKey) ||
    {
      path: ["rateLimit", "key"],
      message: "rateLimit.key must not be the secret key: leave it out to use a hash of it"
    }
  )
)

/**
 * Decodes the options of `subject` (`ClerkClient`, `RedisRateLimiter`, …); the first refused option becomes a
 * `ClerkConfigError` that names it, never its value.
 *
 * @internal
 */
export const decodeOptions = <A, I>(
  schema: Schema.Schema<A, I>,
  subject: string,
  options: unknown
): Effect.Effect<A, ClerkConfigError> =>
  Schema.decodeUnknown(schema)(options, { errors: "first" }).pipe(
    Effect.mapError((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const option = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "options"
      const reason = issue?.message ?? "invalid value"
      return new ClerkConfigError({ option, reason, message: `Invalid ${subject} option "${option}": ${reason}` })
    })
  )

/** @internal */
export const resolve = (
  options: unknown,
  packageUserAgent: string
): Effect.Effect<ResolvedOptions, ClerkConfigError> =>
  decodeOptions(OptionsSchema, "ClerkClient", options).pipe(
    Effect.map((decoded): ResolvedOptions => ({
      secretKey: decoded.secretKey,
      // The Backend API has one path version; its dated versions are chosen by the `Clerk-API-Version` header.
      baseUrl: `${decoded.apiUrl}/v1`,
      clerkApiVersion: decoded.clerkApiVersion,
      userAgent: decoded.userAgent === undefined ? packageUserAgent : `${decoded.userAgent} ${packageUserAgent}`,
      maxRetries: decoded.maxRetries,
      timeout: decoded.timeout,
      maxRetryAfter: decoded.maxRetryAfter,
      retryCreateOnAmbiguousFailure: decoded.retryCreateOnAmbiguousFailure,
      propagateTraceContext: decoded.propagateTraceContext,
      rateLimit: Option.map(Option.fromNullable(decoded.rateLimit), (rateLimit) => ({
        limit: rateLimit.limit,
        interval: rateLimit.interval,
        key: Option.fromNullable(rateLimit.key)
      }))
    }))
  )
