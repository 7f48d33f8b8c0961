/**
 * What the commands share: parsing a flag's value with a schema into a usage error, the flags that say where the
 * requests go (`--api-url`, `--emulator`) and how the result is printed (`--json`), the flags several commands take,
 * and the plain-text table.
 */
import { Ids } from "@effect-clerk/schema"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { UsageError } from "../CliError.js"
import * as InternalDuration from "./duration.js"

/** @internal A usage error with this message. */
export const invalid = (message: string): ValidationError.ValidationError =>
  ValidationError.invalidValue(HelpDoc.p(message))

const issues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.message).join("; ")

/** @internal Decodes the value of `flag` with `schema`; a failure is one line naming the flag. */
export const decodeWith = <A>(flag: string, schema: Schema.Schema<A, string>) => {
  const decode = Schema.decode(schema)
  return (value: string): Effect.Effect<A, string> =>
    Effect.mapError(decode(value), (error) => `${flag} ${JSON.stringify(value)}: ${issues(error)}`)
}

/** @internal {@link decodeWith} for an option's value: a failure is a usage error. */
export const optionWith = <A>(flag: string, schema: Schema.Schema<A, string>) => {
  const decode = decodeWith(flag, schema)
  return (value: string): Effect.Effect<A, ValidationError.ValidationError> => Effect.mapError(decode(value), invalid)
}

/** @internal Rows of `key  value`, the keys padded to one width. */
export const table = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([key]) => key.length))
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}\n`).join("")
}

const apiUrl = Options.text("api-url").pipe(
  Options.withPseudoName("url"),
  Options.withDescription(
    "Base URL of a Clerk-compatible Backend API (default CLERK_API_URL, else https://api.clerk.com); " +
      "https, or http on loopback"
  ),
  // Where the URL came from: --emulator refuses --api-url, and ignores CLERK_API_URL.
  Options.map((url) => ({ url, source: "--api-url" as const })),
  Options.withFallbackConfig(
    Config.map(Config.string("CLERK_API_URL"), (url) => ({ url, source: "CLERK_API_URL" as const }))
  ),
  Options.optional
)

const emulator = Options.boolean("emulator").pipe(
  Options.withDescription(
    "Run against an embedded Clerk emulator on 127.0.0.1 started for this command, with its own test key " +
      "(CLERK_SECRET_KEY not needed; nothing reaches Clerk)"
  )
)

const json = Options.boolean("json").pipe(
  Options.withDescription("Print exactly one JSON document on stdout; every notice goes to stderr")
)

/** @internal The flags every command has: where the requests go, and `--json`. */
export const target = { apiUrl, emulator, json } as const

/** A concurrency from 1 to 32, checked by `Options.withSchema`. */
const Concurrency = Schema.Int.pipe(Schema.between(1, 32)).annotations({
  message: (issue) => ({
    message: `--concurrency ${String(issue.actual)}: must be a whole number from 1 to 32`,
    override: true
  })
})

/** @internal `--concurrency n`, 1 to 32, default 4: what a command does to many ids at once. */
export const concurrency = (what: string) =>
  Options.integer("concurrency").pipe(
    Options.withPseudoName("n"),
    Options.withDescription(`${what} in flight at once, 1 to 32`),
    Options.withSchema(Concurrency),
    Options.withDefault(4)
  )

/** @internal `--rate n/window`: a client-side ceiling of requests. */
export const rate = Options.text("rate").pipe(
  Options.withPseudoName("n/window"),
  Options.withDescription(
    "A client-side ceiling of n requests per window, retries included: 10/1s, 100/10s (Clerk's 429s are " +
      "retried after Retry-After either way)"
  ),
  Options.mapEffect(optionWith("--rate", InternalDuration.RateFromString)),
  Options.optional
)

/**
 * @internal
 * `--rate-limit-redis <url>` (or `CLERK_RATE_LIMIT_REDIS_URL`): the `--rate` ceiling is shared, through this Redis,
 * by every process that uses the same key and Redis.
 */
export const rateLimitRedis = Options.redacted("rate-limit-redis").pipe(
  Options.withPseudoName("url"),
  Options.withDescription(
    "Share the --rate ceiling through this Redis (redis://host:port) with every other process using the same Clerk " +
      "key: a pool of workers stays under Clerk's limit together, and a 429 seen by one makes all wait " +
      "(default CLERK_RATE_LIMIT_REDIS_URL; needs --rate)"
  ),
  Options.withFallbackConfig(Config.redacted("CLERK_RATE_LIMIT_REDIS_URL")),
  Options.optional
)

/**
 * @internal
 * The client's rate-limit options from `--rate` and `--rate-limit-redis`: sharing needs a ceiling to share, so
 * `--rate-limit-redis` without `--rate` is a usage error.
 */
export const rateLimitOptions = (config: {
  readonly rate: Option.Option<{ readonly limit: number; readonly interval: Duration.Duration }>
  readonly rateLimitRedis: Option.Option<Redacted.Redacted<string>>
}): Either.Either<
  {
    readonly rateLimit?: { readonly limit: number; readonly interval: Duration.Duration }
    readonly rateLimitRedis?: Option.Option<Redacted.Redacted<string>>
  },
  UsageError
> =>
  Option.match(config.rate, {
    onNone: () =>
      Option.isSome(config.rateLimitRedis)
        ? Either.left(
          new UsageError({
            message: "--rate-limit-redis shares the --rate ceiling: give --rate n/window too (e.g. 900/11s)"
          })
        )
        : Either.right({}),
    onSome: (rateLimit) => Either.right({ rateLimit, rateLimitRedis: config.rateLimitRedis })
  })

/** @internal `--user`: the impersonated user of `sessions` and `end`. */
export const impersonatedUser = Options.text("user").pipe(
  Options.withPseudoName("user_id"),
  Options.withDescription("The impersonated user (user_…)"),
  Options.mapEffect(optionWith("--user", Ids.UserId))
)

/** @internal `--actor`: only the impersonations by this impersonator. */
export const impersonator = Options.text("actor").pipe(
  Options.withPseudoName("user_id"),
  Options.withDescription("Only the impersonations by this impersonator: the `sub` of the session's actor (user_…)"),
  Options.mapEffect(optionWith("--actor", Ids.UserId)),
  Options.optional
)
