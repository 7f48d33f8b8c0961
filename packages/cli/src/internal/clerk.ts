import { ClerkClient } from "@effect-clerk/client"
import type * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { ConfigurationError, UsageError } from "../CliError.js"
import * as Output from "./output.js"
import { version } from "./version.js"

/** The API URL and where it came from: `--api-url` itself, or its fallback `CLERK_API_URL`. */
interface ApiUrl {
  readonly url: string
  readonly source: "--api-url" | "CLERK_API_URL"
}

/** @internal Where the commands send their requests: the flags every subcommand shares. */
export interface Target {
  /** `--api-url`, else `CLERK_API_URL`. */
  readonly apiUrl: Option.Option<ApiUrl>
  /** `--emulator`: the embedded loopback emulator, with its own key. */
  readonly emulator: boolean
}

/** @internal The client's options a command may set, and the Redis that shares its rate limit. */
export type ClientOptions = Pick<ClerkClient.Options, "maxRetries" | "rateLimit"> & {
  readonly rateLimitRedis?: Option.Option<Redacted.Redacted<string>> | undefined
}

const configErrorReducer: ConfigError.ConfigErrorReducer<unknown, string> = {
  andCase: (_, left, right) => `${left}; ${right}`,
  orCase: (_, left, right) => `${left}; ${right}`,
  invalidDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
  missingDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
  sourceUnavailableCase: (_, path, message) => `${path.join(".")}: ${message}`,
  unsupportedCase: (_, path, message) => `${path.join(".")}: ${message}`
}

const fromConfigError = (error: ConfigError.ConfigError): ConfigurationError =>
  new ConfigurationError({
    message: ConfigError.isMissingDataOnly(error)
      ? "CLERK_SECRET_KEY is not set: export your Backend API secret key (sk_live_… / sk_test_…), " +
        "or pass --emulator to try the commands against the embedded emulator"
      : `cannot read the configuration: ${ConfigError.reduceWithContext(error, undefined, configErrorReducer)}`
  })

/** The optional peer that holds the embedded emulator, at the CLI's own version (its peer range is exact). */
const emulatorPackage = `@effect-clerk/test-kit@${version}`

/** Node's error for an import whose package is not installed: `Cannot find package '<name>' imported from …`. */
const isPackageMissing = (cause: unknown, name: string): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ERR_MODULE_NOT_FOUND" &&
  "message" in cause && typeof cause.message === "string" && cause.message.includes(`'${name}'`)

/**
 * Loads `EmulatorServer` from the optional peer `@effect-clerk/test-kit`, only for `--emulator`: installing the CLI
 * installs no test tooling. Without the package, the error says how to install it.
 */
const loadEmulatorServer: Effect.Effect<typeof EmulatorServer, ConfigurationError> = Effect.tryPromise({
  try: () => import("@effect-clerk/test-kit/EmulatorServer"),
  catch: (cause) =>
    new ConfigurationError({
      message: isPackageMissing(cause, "@effect-clerk/test-kit")
        ? `--emulator needs ${emulatorPackage}, an optional peer dependency that is not installed: ` +
          `run \`npm install ${emulatorPackage}\` where the CLI is installed, ` +
          `or try the commands with \`npx -p @effect-clerk/cli@${version} -p ${emulatorPackage} clerk-actor-tokens …\``
        : `cannot load the embedded emulator from ${emulatorPackage}: ${
          cause instanceof Error ? cause.message : String(cause)
        }`
    })
})

const settingNames: Record<string, string> = {
  secretKey: "CLERK_SECRET_KEY",
  apiUrl: "API URL (--api-url / CLERK_API_URL)"
}

const client = (
  { rateLimitRedis, ...options }: ClerkClient.Options & Pick<ClientOptions, "rateLimitRedis">
): Layer.Layer<ClerkClient.ClerkClient, ConfigurationError, HttpClient.HttpClient> => {
  const clerk = ClerkClient.layer(options).pipe(
    Layer.mapError((error) =>
      new ConfigurationError({ message: `invalid ${settingNames[error.option] ?? error.option}: ${error.reason}` })
    )
  )
  if (rateLimitRedis === undefined || Option.isNone(rateLimitRedis)) return clerk
  // Loaded only when asked for: ioredis and @effect/experimental stay out of every other command's start.
  const redis = Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("@effect-clerk/client/RedisRateLimiter")),
      (RedisRateLimiter) => RedisRateLimiter.layer({ url: rateLimitRedis.value })
    )
  ).pipe(
    Layer.mapError((error) => new ConfigurationError({ message: `invalid --rate-limit-redis url: ${error.reason}` }))
  )
  return Layer.provide(clerk, redis)
}

/**
 * @internal
 * The client, over the `HttpClient` in context: `CLERK_SECRET_KEY` from the configuration,
 * the API URL of the {@link Target}. With `--emulator`, the embedded emulator is started on 127.0.0.1 (port 0) for the
 * life of the layer, and its URL and key are used instead (`CLERK_API_URL` is then ignored, `--api-url` refused, and
 * `CLERK_SECRET_KEY` never read).
 */
export const layer = (
  target: Target,
  options: ClientOptions = {}
): Layer.Layer<ClerkClient.ClerkClient, UsageError | ConfigurationError, HttpClient.HttpClient> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    if (target.emulator) {
      if (Option.exists(target.apiUrl, (apiUrl) => apiUrl.source === "--api-url")) {
        return yield* new UsageError({ message: "--emulator and --api-url cannot be used together" })
      }
      const Server = yield* loadEmulatorServer
      const server = yield* Server.make({ port: 0 }).pipe(
        Effect.mapError((error) =>
          new ConfigurationError({ message: `cannot start the embedded emulator: ${error.message}` })
        )
      )
      yield* Output.notice(
        `--emulator: using the embedded Clerk emulator at ${server.url} with its own test key; ` +
          "nothing reaches Clerk, and its tokens are gone when the command ends"
      )
      return client({ ...options, secretKey: server.emulator.options.secretKey, apiUrl: server.url })
    }
    const secretKey = yield* Effect.mapError(Config.redacted("CLERK_SECRET_KEY"), fromConfigError)
    return client({
      ...options,
      secretKey,
      apiUrl: Option.getOrUndefined(Option.map(target.apiUrl, (apiUrl) => apiUrl.url))
    })
  }))
