/**
 * The emulator on a real HTTP server, on `127.0.0.1` unless told otherwise, for any client: curl, `@clerk/backend`
 * with `CLERK_API_URL`, another process or container. Served through `node:http` by a thin adapter; no
 * `@effect/platform-node` needed.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import * as InternalNode from "./internal/node.js"

/**
 * The host the server listens on by default: loopback only.
 *
 * @since 0.1.0
 * @category constants
 */
export const hostname: string = "127.0.0.1"

/**
 * The options of {@link make}: the emulator's, the port and the host.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Emulator.Options {
  /** The port; `0` (the default) picks a free one. */
  readonly port?: number | undefined
  /**
   * The address to listen on, default {@link hostname} (loopback only). `"0.0.0.0"` (or `"::"`) listens on every
   * interface, e.g. to be reached from another container; then set `baseUrl` to the address clients use, for the
   * ticket URLs.
   *
   * @since 0.1.0
   */
  readonly host?: string | undefined
}

/**
 * A running server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://<host>:<port>` (`http://127.0.0.1:<port>` by default), the real address: use it as `CLERK_API_URL`. */
  readonly url: string
  readonly port: number
  /** The emulator behind the server, to inspect and control. */
  readonly emulator: Emulator.Service
}

/**
 * The running server, provided by {@link layer}.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmulatorServer extends Context.Tag("@effect-clerk/test-kit/EmulatorServer")<EmulatorServer, Service>() {}

/**
 * The server could not listen (e.g. `EADDRINUSE`, or `ENOTFOUND` for a host that does not resolve), or the port is
 * not a port number, or the host is empty.
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorServerError extends Schema.TaggedError<EmulatorServerError>()("EmulatorServerError", {
  code: Schema.optionalWith(Schema.String, { exact: true }),
  message: Schema.String
}) {}

/**
 * Starts the emulator on `127.0.0.1` (or `host`) until the scope closes; closing it drops every connection (stalled
 * ones included). Ticket URLs use the real address unless `baseUrl` is given.
 *
 * Requests are handled with the runtime of the fiber that calls `make`: started under `@effect/vitest`, the emulator
 * reads the `TestClock`.
 *
 * @example
 * ```ts
 * import { EmulatorServer } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const server = yield* EmulatorServer.make({ port: 0 })
 *     const response = yield* Effect.promise(() =>
 *       fetch(`${server.url}/v1/actor_tokens`, { method: "POST", body: "{}" })
 *     )
 *     return response.status // 401: no secret key
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, EmulatorServerError | Emulator.EmulatorConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { host = hostname, port = 0, ...emulatorOptions } = options
    if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
      return yield* new EmulatorServerError({ message: `port must be a whole number from 0 to 65535, got ${port}` })
    }
    if (typeof host !== "string" || host.trim() === "") {
      return yield* new EmulatorServerError({ message: "host must be an address or a host name, got an empty one" })
    }
    const listening = yield* InternalNode.listen(host, port).pipe(
      Effect.mapError((failure) =>
        new EmulatorServerError({
          ...(failure.code === undefined ? {} : { code: failure.code }),
          message: `cannot listen on ${host}:${port}: ${failure.message}`
        })
      )
    )
    const url = listening.origin
    const emulator = yield* Emulator.make({ ...emulatorOptions, baseUrl: emulatorOptions.baseUrl ?? url })
    listening.serve(emulator)
    return EmulatorServer.of({ url, port: listening.port, emulator })
  })

/**
 * A layer of a running server and its emulator: provides `EmulatorServer` and `Emulator.Emulator`.
 *
 * @example
 * ```ts
 * import { EmulatorServer } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* EmulatorServer.EmulatorServer
 *   yield* Effect.log(`point CLERK_API_URL at ${server.url}`)
 * }).pipe(Effect.provide(EmulatorServer.layer({ port: 0, rateLimit: {} })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<EmulatorServer | Emulator.Emulator, EmulatorServerError | Emulator.EmulatorConfigError> =>
  Layer.scopedContext(
    Effect.map(
      make(options),
      (server) => Context.make(EmulatorServer, server).pipe(Context.add(Emulator.Emulator, server.emulator))
    )
  )
