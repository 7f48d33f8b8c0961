/**
 * The emulator's options: their defaults, the schema that checks them, and the resolved form the emulator runs on.
 * A refused option is reported by its path (`rateLimit.limit`), for `Emulator.make` to turn into an
 * `EmulatorConfigError`.
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Options, ResolvedOptions } from "../../Emulator.js"
import { isSigningKey } from "./signingKey.js"

/** @internal */
export const defaultSecretKey = "sk_test_clerk_emulator_0000000000000000000000000000"

/** @internal */
export const defaultBaseUrl = "https://clerk-emulator.test"

/** @internal Clerk's development-instance rate limit: 100 requests per 10 seconds. */
export const defaultRateLimit: { readonly limit: number; readonly interval: Duration.Duration } = {
  limit: 100,
  interval: Duration.seconds(10)
}

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

// A finite duration above zero, from anything `Duration.decode` reads ("10 seconds", 10_000, a `Duration`).
const Interval = (name: string) =>
  Schema.Unknown.pipe(
    Schema.transformOrFail(Schema.DurationFromSelf, {
      strict: true,
      decode: (input, _, ast) =>
        Option.match(Duration.decodeUnknown(input), {
          onNone: () => ParseResult.fail(new ParseResult.Type(ast, input, `rateLimit.${name} is not a duration`)),
          onSome: (interval) =>
            Duration.isFinite(interval) && Duration.greaterThan(interval, Duration.zero)
              ? ParseResult.succeed(interval)
              : ParseResult.fail(new ParseResult.Type(ast, input, `rateLimit.${name} must be finite and above zero`))
        }),
      encode: ParseResult.succeed
    })
  )

const RateLimit = Schema.Struct({
  limit: Schema.optional(PositiveInt),
  interval: Schema.optional(Interval("interval"))
})

// `whsec_` then standard base64 of at least one byte; the message never repeats the value.
const WebhookSecret = Schema.String.pipe(
  Schema.filter((secret) =>
    /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(secret) ||
    "a webhook secret must be \"whsec_\" followed by base64"
  )
)

const WebhookUrl = Schema.transformOrFail(Schema.Union(Schema.String, Schema.instanceOf(URL)), Schema.String, {
  strict: true,
  decode: (input, _, ast) => {
    const url = URL.canParse(String(input)) ? new URL(String(input)) : undefined
    return url !== undefined && (url.protocol === "http:" || url.protocol === "https:")
      ? ParseResult.succeed(url.href)
      : ParseResult.fail(new ParseResult.Type(ast, input, "a webhook url must be an absolute http(s) URL"))
  },
  encode: ParseResult.succeed
})

const Webhook = Schema.Struct({
  url: WebhookUrl,
  secret: Schema.Union(WebhookSecret, Schema.RedactedFromSelf(WebhookSecret))
})

const OptionsSchema = Schema.Struct({
  secretKey: Schema.optionalWith(Schema.Union(SecretKey, Schema.RedactedFromSelf(SecretKey)), {
    default: () => defaultSecretKey
  }),
  baseUrl: Schema.optionalWith(BaseUrl, { default: () => defaultBaseUrl }),
  rateLimit: Schema.optional(RateLimit),
  monthlyQuota: Schema.optional(NonNegativeInt),
  impersonationOnPlan: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  signingKey: Schema.optional(
    Schema.declare(isSigningKey, {
      message: () => "signingKey must be { kid, privateKey, publicKey }: an RSA key pair of node:crypto KeyObjects"
    })
  ),
  webhooks: Schema.optionalWith(Schema.Array(Webhook), { default: () => [] })
})

const decodeOptions = Schema.decodeUnknownEither(OptionsSchema)

/** @internal Why the options were refused: the path of the first offending option, and what is wrong with it. */
export interface Refused {
  readonly option: string
  readonly message: string
}

/** @internal Checks the options and fills in the defaults. */
export const resolve = (options: Options): Either.Either<ResolvedOptions, Refused> =>
  decodeOptions(options, { errors: "first" }).pipe(
    Either.mapLeft((error): Refused => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const option = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "options"
      return { option, message: `Invalid Emulator option "${option}": ${issue?.message ?? "invalid value"}` }
    }),
    Either.map((decoded): ResolvedOptions => ({
      secretKey: Redacted.isRedacted(decoded.secretKey) ? decoded.secretKey : Redacted.make(decoded.secretKey),
      baseUrl: decoded.baseUrl,
      rateLimit: Option.map(Option.fromNullable(decoded.rateLimit), (rateLimit) => ({
        limit: rateLimit.limit ?? defaultRateLimit.limit,
        interval: rateLimit.interval ?? defaultRateLimit.interval
      })),
      monthlyQuota: Option.fromNullable(decoded.monthlyQuota),
      impersonationOnPlan: decoded.impersonationOnPlan,
      signingKey: Option.fromNullable(decoded.signingKey),
      webhooks: decoded.webhooks.map(({ secret, url }) => ({
        url,
        secret: Redacted.isRedacted(secret) ? secret : Redacted.make(secret)
      }))
    }))
  )
