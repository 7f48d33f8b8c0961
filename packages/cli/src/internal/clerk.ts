import { ClerkClient } from "@effect-clerk/client"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ConfigurationError, UsageError } from "../CliError.js"
import * as Output from "./output.js"

/** @internal Where the commands send their requests: the flags every subcommand shares. */
export interface Target {
  /** `--api-url`: overrides `CLERK_API_URL`. */
  readonly apiUrl: Option.Option<string>
  /** `--emulator`: the embedded loopback emulator, with its own key. */
  readonly emulator: boolean
}

const describeConfigError = (error: ConfigError.ConfigError): string =>
  ConfigError.isMissingDataOnly(error)
    ? "CLERK_SECRET_KEY is not set: export your Backend API secret key (sk_live_… / sk_test_…), " +
      "or pass --emulator to try the commands against the embedded emulator"
    : `cannot read the configuration: ${ConfigError.reduceWithContext(error, undefined, configErrorReducer)}`

const configErrorReducer: ConfigError.ConfigErrorReducer<unknown, string> = {
  andCase: (_, left, right) => `${left}; ${right}`,
  orCase: (_, left, right) => `${left}; ${right}`,
  invalidDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
  missingDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
  sourceUnavailableCase: (_, path, message) => `${path.join(".")}: ${message}`,
  unsupportedCase: (_, path, message) => `${path.join(".")}: ${message}`
}

const settingNames: Record<string, string> = {
  secretKey: "CLERK_SECRET_KEY",
  apiUrl: "API URL (--api-url / CLERK_API_URL)",
  apiVersion: "CLERK_API_VERSION"
}

/**
 * @internal
 * The client over `FetchHttpClient`, built by `ClerkClient.layerConfig`: `CLERK_SECRET_KEY`, `CLERK_API_URL` and
 * `CLERK_API_VERSION` from the environment, with `--api-url` over `CLERK_API_URL`. With `--emulator`, the embedded
 * emulator is started on 127.0.0.1 (port 0) for the length of the effect, and its URL and key are used instead.
 */
export const provide = (target: Target, options: ClerkClient.ConfigOptions = {}) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ConfigurationError | UsageError, Exclude<R, ClerkClient.ClerkClient>> =>
  Effect.gen(function*() {
    if (target.emulator && Option.isSome(target.apiUrl)) {
      return yield* new UsageError({ message: "--emulator and --api-url cannot be used together" })
    }
    const overrides = new Map<string, string>()
    if (target.emulator) {
      const server = yield* EmulatorServer.make({ port: 0 }).pipe(
        Effect.mapError((error) =>
          new ConfigurationError({ message: `cannot start the embedded emulator: ${error.message}` })
        )
      )
      overrides.set("CLERK_API_URL", server.url)
      overrides.set("CLERK_SECRET_KEY", Redacted.value(server.emulator.options.secretKey))
      yield* Output.notice(
        `--emulator: using the embedded Clerk emulator at ${server.url} with its own test key; ` +
          "nothing reaches Clerk, and its tokens are gone when the command ends"
      )
    }
    Option.map(target.apiUrl, (url) => overrides.set("CLERK_API_URL", url))
    const clerk = ClerkClient.layerConfig(options).pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.mapError((error) =>
        ConfigError.isConfigError(error)
          ? new ConfigurationError({ message: describeConfigError(error) })
          : new ConfigurationError({
            message: `invalid ${settingNames[error.option] ?? error.option}: ${
              error.message.replace(/^Invalid ClerkClient option "[^"]*": /, "")
            }`
          })
      )
    )
    const provider = ConfigProvider.fromMap(overrides).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
    return yield* effect.pipe(Effect.provide(clerk), Effect.withConfigProvider(provider))
  }).pipe(Effect.scoped)
