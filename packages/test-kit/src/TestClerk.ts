/**
 * The emulator in memory: an `HttpClient` that hands each request to the emulator's HTTP app, no sockets, and a
 * layer of the real `ClerkClient` over it for `@effect/vitest`; and {@link stub}, a `ClerkClient` made of the
 * operations a test gives, with no HTTP at all.
 *
 * @since 0.1.0
 */
import { ClerkClient, type ClerkError } from "@effect-clerk/client"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Emulator from "./Emulator.js"
import * as InternalAdapter from "./internal/adapter.js"

/**
 * An `HttpClient` served by the emulator in memory. Whatever the URL's host, the request goes to the emulator.
 *
 * - A `ConnectionReset` fault fails with a `RequestError` (reason `Transport`) whose `cause` is an `Error` with
 *   `code: "ECONNRESET"`, as Node reports a reset connection.
 * - A `Stall` fault never answers; the wait is interruptible, so a timeout (on the `TestClock` in tests) ends it.
 * - The emulator reads the `Clock` of the fiber that sends the request: timestamps, expiry and rate-limit windows
 *   follow the `TestClock` in tests.
 *
 * @example
 * ```ts
 * import { Emulator, TestClerk } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * // Open a token's `url` the way a browser would.
 * const open = (url: string) =>
 *   Effect.gen(function*() {
 *     const emulator = yield* Emulator.Emulator
 *     return yield* TestClerk.httpClient(emulator).get(url)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient = (emulator: Emulator.Service): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    InternalAdapter.toWebRequest(request, url).pipe(
      Effect.flatMap((webRequest) => InternalAdapter.respond(emulator, webRequest)),
      Effect.map((webResponse) => HttpClientResponse.fromWeb(request, webResponse)),
      Effect.catchTag("ConnectionReset", () =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: InternalAdapter.connectionResetError(),
            description: "the emulator reset the connection"
          })
        ))
    )
  )

/**
 * The in-memory `HttpClient` of the `Emulator` in context.
 *
 * @example
 * ```ts
 * import { ClerkClient } from "@effect-clerk/client"
 * import { Emulator, TestClerk } from "@effect-clerk/test-kit"
 * import { Layer, Redacted } from "effect"
 *
 * // Your own client options over the in-memory emulator.
 * const ClerkTest = ClerkClient.layer({
 *   secretKey: Redacted.make(Emulator.defaultSecretKey),
 *   apiUrl: Emulator.defaultBaseUrl,
 *   maxRetries: 0
 * }).pipe(Layer.provide(TestClerk.layerHttpClient), Layer.provideMerge(Emulator.layer()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient, never, Emulator.Emulator> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(Emulator.Emulator, httpClient)
)

/**
 * The options of {@link layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The emulator's options: secret key, rate limit, quota, plan. */
  readonly emulator?: Emulator.Options | undefined
  /**
   * Overrides for the client (`maxRetries`, `timeout`, …). `secretKey` defaults to the emulator's and `apiUrl` to its
   * base URL; set `secretKey` to another key to test a 401.
   */
  readonly client?: Partial<ClerkClient.Options> | undefined
}

/**
 * A fresh emulator and the real `ClerkClient` pointed at it in memory: provides `ClerkClient.ClerkClient` (for
 * `ActorTokens.create` / `revoke`) and `Emulator.Emulator` (to inspect state and inject faults).
 *
 * @example
 * ```ts
 * import { ActorTokens } from "@effect-clerk/client"
 * import { Emulator, TestClerk } from "@effect-clerk/test-kit"
 * import { expect, layer } from "@effect/vitest"
 * import { Effect, Option } from "effect"
 *
 * layer(TestClerk.layer({ client: { maxRetries: 0 } }))((it) => {
 *   it.effect("revokes a pending token", () =>
 *     Effect.gen(function*() {
 *       const token = yield* ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } })
 *       yield* ActorTokens.revoke(token.id)
 *       const stored = yield* Effect.flatMap(Emulator.Emulator, (emulator) => emulator.find(token.id))
 *       expect(stored.pipe(Option.map((t) => t.status))).toEqual(Option.some("revoked"))
 *     }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  ClerkClient.ClerkClient | Emulator.Emulator,
  ClerkError.ClerkConfigError | Emulator.EmulatorConfigError
> => {
  const client = Layer.unwrapEffect(
    Effect.map(Emulator.Emulator, (emulator) =>
      ClerkClient.layer({
        ...options.client,
        secretKey: options.client?.secretKey ?? emulator.options.secretKey,
        apiUrl: options.client?.apiUrl ?? emulator.options.baseUrl
      }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient(emulator)))))
  )
  return Layer.provideMerge(client, Emulator.layer(options.emulator))
}

/**
 * The operations of {@link stub}: any of the client's operations, by resource, as in `ClerkClient.Service`.
 *
 * @since 0.1.0
 * @category models
 */
export type StubOperations = {
  readonly [Group in keyof ClerkClient.Service]?: Partial<ClerkClient.Service[Group]>
}

// Every operation of the service, by resource: the compiler checks the list is complete.
const operationNames: {
  readonly [Group in keyof ClerkClient.Service]: Record<keyof ClerkClient.Service[Group], true>
} = {
  actorTokens: { create: true, revoke: true },
  sessions: { list: true, get: true, revoke: true, createToken: true },
  jwks: { get: true }
}

const notStubbed = (name: string) => () => Effect.dieMessage(`ClerkClient stub: ${name} was not stubbed`)

/**
 * A `ClerkClient` made only of the operations given, for tests of code that calls the client: no emulator, no HTTP.
 * The module-level accessors (`ActorTokens.create`, …) run them. Any operation not given fails with a defect that
 * names it (`ClerkClient stub: actorTokens.revoke was not stubbed`), so a test never passes by calling something it
 * did not mean to.
 *
 * @example
 * ```ts
 * import { ActorTokens, ClerkError } from "@effect-clerk/client"
 * import { TestClerk } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * // Clerk is down: how does the code under test answer?
 * const ClerkDown = TestClerk.stub({
 *   actorTokens: {
 *     create: () => Effect.fail(new ClerkError.ClerkServerError({ status: 503, errors: [], message: "down" }))
 *   }
 * })
 * const program = ActorTokens.create({ userId: "user_1", actor: { sub: "user_admin" } }).pipe(
 *   Effect.provide(ClerkDown)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const stub = (operations: StubOperations = {}): Layer.Layer<ClerkClient.ClerkClient> => {
  const service: Record<string, Record<string, unknown>> = {}
  for (const [group, names] of Object.entries(operationNames)) {
    const given: Record<string, unknown> = operations[group as keyof StubOperations] ?? {}
    service[group] = Object.fromEntries(
      Object.keys(names).map((name) => [name, given[name] ?? notStubbed(`${group}.${name}`)])
    )
  }
  return Layer.succeed(ClerkClient.ClerkClient, ClerkClient.ClerkClient.of(service as unknown as ClerkClient.Service))
}
