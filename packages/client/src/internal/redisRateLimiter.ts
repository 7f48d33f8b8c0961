/**
 * What `RedisRateLimiter` needs of Redis: its options' schema (the url parsed into connection options), the
 * classification of ioredis's failures, and the keys of the blocks after a 429.
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ChainableCommander, Redis } from "ioredis"
import { ClerkRateLimiterUnavailable, type RateLimiterFailureReason } from "../ClerkError.js"
import * as InternalShared from "./sharedRateLimiter.js"

/** @internal */
export const defaultPrefix = "effect-clerk:rate-limit:"

interface Connection {
  readonly host: string
  readonly port: number
  readonly username?: string
  readonly password?: string
  readonly db?: number
  readonly tls?: {}
}

/** `redis://…` or `rediss://…` into ioredis's connection options; no message quotes the url. */
const RedisUrl = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.RedactedFromSelf(Schema.String)),
  Schema.declare((u): u is Connection => typeof u === "object" && u !== null),
  {
    strict: true,
    decode: (input, _, ast) => {
      // The url may hold a password: the messages never quote it.
      const fail = (message: string) => ParseResult.fail(new ParseResult.Type(ast, "<redacted>", message))
      let url: URL
      try {
        url = new URL(Redacted.isRedacted(input) ? Redacted.value(input) : input)
      } catch {
        return fail("url is not an absolute URL")
      }
      if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
        return fail("url must start with redis:// or rediss://")
      }
      if (url.hostname === "") return fail("url has no host")
      const db = url.pathname.replace(/^\/+/, "")
      if (db !== "" && !/^\d{1,5}$/.test(db)) return fail("url's path must be a database number")
      return ParseResult.succeed({
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port === "" ? 6379 : Number(url.port),
        ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
        ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
        ...(db === "" ? {} : { db: Number(db) }),
        ...(url.protocol === "rediss:" ? { tls: {} } : {})
      })
    },
    encode: (_, __, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, "<redacted>", "not encodable"))
  }
)

/** @internal The options of `RedisRateLimiter.make`. */
export const OptionsSchema = Schema.Struct({
  url: RedisUrl,
  prefix: Schema.optionalWith(
    Schema.String.pipe(
      Schema.filter((prefix) => /^[\x21-\x7e]{0,128}$/.test(prefix) || "prefix must be printable ASCII, at most 128")
    ),
    { default: () => defaultPrefix }
  ),
  ...InternalShared.CommonOptions
})

const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"])

const describeReason: Record<RateLimiterFailureReason, string> = {
  Timeout: "Redis did not answer in time",
  Unreachable: "Redis is not reachable",
  Failed: "Redis answered with an error"
}

/** @internal Classifies an ioredis failure; only fixed phrases and Redis's error code reach the message, never the address. */
export const unavailable = (cause: unknown): ClerkRateLimiterUnavailable => {
  const error = cause instanceof Error ? cause as Error & { readonly code?: unknown } : undefined
  const message = error?.message ?? ""
  const reason: RateLimiterFailureReason = message === "Command timed out"
    ? "Timeout"
    : error?.name === "MaxRetriesPerRequestError" || message.includes("enableOfflineQueue") ||
        message === "Connection is closed." || (typeof error?.code === "string" && unreachableCodes.has(error.code))
    ? "Unreachable"
    : "Failed"
  const code = reason === "Failed" && error?.name === "ReplyError" ? /^[A-Z]+\b/.exec(message)?.[0] : undefined
  return new ClerkRateLimiterUnavailable({
    reason,
    message: `the shared rate limiter is unavailable: ${describeReason[reason]}${
      code === undefined ? "" : ` (${code})`
    }`
  })
}

/**
 * @internal
 * The blocks after a 429, beside the counters: `<prefix><key>:blocked` expires with the block, and
 * `<prefix><key>:generation` counts the blocks set.
 */
export const blocks = (redis: Redis, prefix: string): InternalShared.Blocks => {
  const blockKey = (key: string) => `${prefix}${key}:blocked`
  const generationKey = (key: string) => `${prefix}${key}:generation`
  const pipeline = (build: (pipeline: ChainableCommander) => ChainableCommander) =>
    Effect.tryPromise({
      try: async () => {
        const results = await build(redis.pipeline()).exec()
        const failed = results?.find(([error]) => error !== null)
        if (results === null || failed !== undefined) throw failed?.[0] ?? new Error("Connection is closed.")
        return results.map(([, value]) => value)
      },
      catch: unavailable
    })
  return {
    // Set when absent, else lengthened, never shortened (`PTTL` then `SET … PX`: any Redis version has them).
    set: (key, millis) =>
      pipeline((p) => p.set(blockKey(key), "1", "PX", millis, "NX").pttl(blockKey(key)).incr(generationKey(key))).pipe(
        Effect.flatMap(([created, ttl]) =>
          Effect.when(
            pipeline((p) => p.set(blockKey(key), "1", "PX", millis)),
            () => created === null && Number(ttl) < millis
          )
        ),
        Effect.asVoid
      ),
    get: (key) =>
      pipeline((p) => p.pttl(blockKey(key)).get(generationKey(key))).pipe(
        Effect.map(([ttl, generation]) => ({ millis: Math.max(0, Number(ttl)), generation: Number(generation ?? 0) }))
      )
  }
}
