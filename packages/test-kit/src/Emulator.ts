/**
 * A stateful emulator of Clerk's actor-token and session endpoints: one implementation of Clerk's behaviour, as an
 * `@effect/platform` HTTP app, served in memory by `TestClerk` and on loopback by `EmulatorServer`.
 *
 * Inside, it is a state machine with an HTTP face: pure transitions over one state value (`internal/emulator/`:
 * `tokens`, `sessions`, `quota`, `rateWindow`, `faults`, composed in `state`), and a router that maps requests to
 * them. This module holds the public API, and the one `Ref` the transitions run on.
 *
 * @since 0.1.0
 */
import type { Session } from "@effect-clerk/schema"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { EmittedEvent } from "./EmulatorWebhooks.js"
import { ConnectionReset } from "./internal/emulator/faultResponses.js"
import * as InternalFaults from "./internal/emulator/faults.js"
import * as InternalOptions from "./internal/emulator/options.js"
import type { Options, ResolvedOptions } from "./internal/emulator/options.js"
import * as InternalRouter from "./internal/emulator/router.js"
import * as InternalSessions from "./internal/emulator/sessions.js"
import type { SeedSessionParams } from "./internal/emulator/sessions.js"
import * as InternalState from "./internal/emulator/state.js"
import type * as InternalTokens from "./internal/emulator/tokens.js"
import { StoredToken } from "./internal/emulator/tokens.js"
import * as InternalWebhooks from "./internal/emulator/webhooks.js"
import * as InternalRandom from "./internal/random.js"
import * as InternalWebhookDelivery from "./internal/webhookDelivery.js"

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
export const defaultSecretKey: string = InternalOptions.defaultSecretKey

/**
 * The base URL used in ticket URLs when none is given. In memory nothing listens on it: open such a URL with
 * `TestClerk.httpClient`, or use `EmulatorServer`, whose base URL is its real listening address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: string = InternalOptions.defaultBaseUrl

/**
 * Clerk's development-instance rate limit: 100 requests per 10 seconds (`limit` per `interval`, the names of the
 * client's own `rateLimit` option).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimit: { readonly limit: number; readonly interval: Duration.Duration } =
  InternalOptions.defaultRateLimit

// The options' interfaces are declared, and documented, beside their defaults and the schema that checks them
// (internal/emulator/options.ts), which then needs nothing from this module.
export { type Options, type RateLimitOptions, type ResolvedOptions } from "./internal/emulator/options.js"

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

// ---------------------------------------------------------------------------------------------------------------
// models
// ---------------------------------------------------------------------------------------------------------------

// Declared, and documented, beside the transitions that create it (internal/emulator/tokens.ts): the internal modules
// then need no value from this one, and import it for types only (no import cycle).
export { StoredToken }

// Declared, and documented, beside the sessions it seeds (internal/emulator/sessions.ts), for the same reason.
export { type SeedSessionParams } from "./internal/emulator/sessions.js"

/**
 * The Backend API operations of the emulator: `create` and `revoke` (actor tokens), `listSessions`, `getSession` and
 * `revokeSession` (`GET /v1/sessions`, `GET /v1/sessions/:session_id`, `POST /v1/sessions/:session_id/revoke`).
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "create" | "revoke" | "listSessions" | "getSession" | "revokeSession"

/**
 * The routes whose requests are counted: the Backend API operations, the ticket-accept page, and anything else
 * (answered 404).
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
  /** The operation whose requests are faulted; `"any"` (the default) is every Backend API operation. */
  readonly operation?: Operation | "any" | undefined
  /** How many matching requests are faulted, default 1 (a number below 1 injects nothing). */
  readonly times?: number | undefined
  /**
   * `false` (the default): the fault replaces the request, which is never processed (no state change). `true`: the
   * request is processed (a token is created or revoked, a session revoked) and then its response is lost to the fault — the
   * ambiguous failure a client must not blindly retry.
   */
  readonly afterProcessing?: boolean | undefined
}

// Declared, and documented, where faults produce it (internal/emulator/faultResponses.ts), for the same reason.
export { ConnectionReset }

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

/**
 * Why a session could not be seeded or touched: `NotFound` (no session has the id), `NotActive` (touching a session
 * that is no longer active), `InvalidParams` (seed params that break a rule), `DuplicateId` (a seeded id in use).
 *
 * @since 0.2.0
 * @category errors
 */
export class SessionRejected extends Schema.TaggedError<SessionRejected>()("SessionRejected", {
  reason: Schema.Literal("NotFound", "NotActive", "InvalidParams", "DuplicateId"),
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
   * The HTTP app: `POST /v1/actor_tokens`, `POST /v1/actor_tokens/:actor_token_id/revoke`, `GET /v1/sessions`,
   * `GET /v1/sessions/:session_id`, `POST /v1/sessions/:session_id/revoke` and `GET /v1/tickets/accept?ticket=…`. It
   * fails only with {@link ConnectionReset}; a stall never completes.
   */
  readonly httpApp: HttpApp.Default<ConnectionReset>
  /** Every token, oldest first, with its current status. */
  readonly tokens: Effect.Effect<ReadonlyArray<StoredToken>>
  /** The token with this id. */
  readonly find: (id: string) => Effect.Effect<Option.Option<StoredToken>>
  /**
   * Accepts the token with this id, as if its `url` had been opened: `pending` → `accepted`, and an `active` session
   * of its user starts, with its `actor`.
   */
  readonly accept: (id: string) => Effect.Effect<StoredToken, TicketRejected>
  /** Accepts the token whose `token` (the sign-in ticket) is this one. */
  readonly acceptTicket: (ticket: string) => Effect.Effect<StoredToken, TicketRejected>
  /** Every session, oldest first, with its status at the `Clock`'s now (expiry applied). */
  readonly sessions: Effect.Effect<ReadonlyArray<Session.Session>>
  /** The session with this id, with its status now. */
  readonly findSession: (id: string) => Effect.Effect<Option.Option<Session.Session>>
  /** Adds a session no ticket started: by default the user's own, not an impersonation (`actor: null`). */
  readonly seedSession: (params: SeedSessionParams) => Effect.Effect<Session.Session, SessionRejected>
  /** Activity on an active session: `last_active_at` = now, which restarts its 10-minute inactivity timeout. */
  readonly touchSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
  /**
   * Ends a live session as a sign-out does (Clerk's Frontend API, which the emulator does not serve): `ended`, and a
   * `session.ended` webhook event.
   *
   * @since 0.1.0
   */
  readonly endSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
  /**
   * Removes a live session from its client: `removed`, and a `session.removed` webhook event.
   *
   * @since 0.1.0
   */
  readonly removeSession: (id: string) => Effect.Effect<Session.Session, SessionRejected>
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
  /**
   * Every webhook event emitted, oldest first, with its delivery to each endpoint of the `webhooks` option (see
   * `EmulatorWebhooks`). Events are recorded with no endpoint too. Reading notices the sessions that expired since
   * the last request, as every request does.
   *
   * @example
   * ```ts
   * import { Emulator } from "@effect-clerk/test-kit"
   * import { Effect } from "effect"
   *
   * const program = Effect.gen(function*() {
   *   const emulator = yield* Emulator.make()
   *   const session = yield* emulator.seedSession({ userId: "user_1", actor: { sub: "user_admin" } })
   *   const [created] = yield* emulator.webhookEvents
   *   return created?.event.type === "session.created" && created.event.data.id === session.id
   * }).pipe(Effect.scoped)
   * ```
   *
   * @since 0.1.0
   */
  readonly webhookEvents: Effect.Effect<ReadonlyArray<EmittedEvent>>
  /** Forgets every token, session, count, fault, rate-limit window and webhook event (delivery ids are not reused). */
  readonly reset: Effect.Effect<void>
}

/**
 * The emulator service, provided by {@link layer} (and by `TestClerk.layer` and `EmulatorServer.layer`).
 *
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@effect-clerk/test-kit/Emulator")<Emulator, Service>() {}

/**
 * Creates an emulator with empty state. Its background work (webhook deliveries, and the watch for session
 * deadlines when there is a webhook endpoint) runs until the scope closes.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.make({ monthlyQuota: 5 })
 *   yield* emulator.injectFault(Emulator.Fault.Status({ status: 503 }), { operation: "create" })
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, EmulatorConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* Either.mapLeft(
      InternalOptions.resolve(options),
      (refused) => new EmulatorConfigError(refused)
    )
    const state = yield* Ref.make(InternalState.initial)
    const webhooks = {
      instanceId: yield* InternalRandom.instanceId,
      idPrefix: yield* InternalRandom.messageIdPrefix,
      endpoints: resolved.webhooks.map((endpoint) => endpoint.url)
    }
    const delivery = yield* InternalWebhookDelivery.start(resolved.webhooks, state)
    // Every transition is followed, atomically, by the webhook events the sessions' changes emit; they are handed to
    // the delivery once the transition is done, which never waits for them to be sent.
    const run: InternalState.Run = (transition) =>
      Effect.gen(function*() {
        const now = yield* InternalState.currentMillis
        const request = yield* InternalWebhookDelivery.currentRequest
        const [result, emitted] = yield* Ref.modify(state, (s) => {
          const [result, next] = transition(s, now)
          const [emitted, log] = InternalWebhooks.observe(next.webhooks, next.sessions, now, { ...webhooks, request })
          return [[result, emitted] as const, { ...next, webhooks: log }]
        })
        yield* delivery.emitted(emitted)
        return result
      })
    // A transition that changes nothing: what time has ended since the last one is emitted.
    const observe = run((s) => [undefined, s])
    yield* delivery.watchDeadlines(observe)
    const read = <A>(f: (s: InternalState.State) => A): Effect.Effect<A> => Effect.map(Ref.get(state), f)

    const accept = (by: InternalTokens.AcceptBy): Effect.Effect<StoredToken, TicketRejected> =>
      Effect.gen(function*() {
        const sessionId = yield* InternalRandom.sessionId
        const clientId = yield* InternalRandom.clientId
        const accepted = yield* run((s, now) => InternalState.accept(s, now, { by, sessionId, clientId }))
        return yield* Either.mapLeft(accepted, (rejection) => new TicketRejected(rejection))
      })
    const endSession = (id: string, status: "ended" | "removed") =>
      Effect.flatMap(
        run((s, now) => InternalState.endSession(s, now, id, status)),
        Either.mapLeft((refused) => new SessionRejected(InternalSessions.rejection(refused)))
      )
    const readAt = <A>(f: (s: InternalState.State, now: number) => A): Effect.Effect<A> =>
      run((s, now) => [f(s, now), s])

    return Emulator.of({
      options: resolved,
      httpApp: InternalRouter.make({ options: resolved, run }),
      tokens: read((s) => s.tokens),
      find: (id) => read((s) => Option.fromNullable(s.tokens.find((t) => t.id === id))),
      accept: (id) => accept({ id }),
      acceptTicket: (ticket) => accept({ ticket }),
      sessions: readAt((s, now) => InternalSessions.all(s.sessions, now)),
      findSession: (id) => readAt((s, now) => InternalSessions.find(s.sessions, now, id)),
      seedSession: (params) =>
        Effect.gen(function*() {
          const checked = yield* Either.mapLeft(
            InternalSessions.decodeSeedParams(params),
            (message) => new SessionRejected({ reason: "InvalidParams", message })
          )
          const input = {
            ...checked,
            id: checked.id ?? (yield* InternalRandom.sessionId),
            clientId: checked.clientId ?? (yield* InternalRandom.clientId)
          }
          const seeded = yield* run((s, now) => InternalState.seedSession(s, now, input))
          return yield* Either.mapLeft(
            seeded,
            () => new SessionRejected({ reason: "DuplicateId", message: `A session with the id ${input.id} exists.` })
          )
        }),
      touchSession: (id) =>
        Effect.flatMap(
          run((s, now) => InternalState.touchSession(s, now, id)),
          Either.mapLeft((refused) => new SessionRejected(InternalSessions.rejection(refused)))
        ),
      endSession: (id) => endSession(id, "ended"),
      removeSession: (id) => endSession(id, "removed"),
      requestCounts: read((s) => s.counts),
      requestCount: (route) => read((s) => s.counts[route]),
      injectFault: (fault, faultOptions) => Ref.update(state, (s) => InternalState.injectFault(s, fault, faultOptions)),
      pendingFaults: read((s) => InternalFaults.pending(s.faults)),
      clearFaults: Ref.update(state, InternalState.clearFaults),
      webhookEvents: Effect.zipRight(observe, read((s) => s.webhooks.events)),
      reset: Ref.update(state, (s) => ({ ...InternalState.initial, webhooks: InternalWebhooks.reset(s.webhooks) }))
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
  Layer.scoped(Emulator, make(options))
