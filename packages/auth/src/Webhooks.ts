/**
 * Verified Clerk webhooks. Clerk delivers its events through Svix, signed by the Standard Webhooks rules: the
 * {@link Verifier} checks a delivery's signature and timestamp and decodes its event, and {@link impersonationOf}
 * turns a session event into the audit record of an impersonation starting or ending.
 *
 * Deliveries are at least once: the same event may arrive more than once, always with the same
 * {@link Delivery.id}. Deduplicate on it.
 *
 * @since 0.1.0
 */
import { Ids, Json, type WebhookEvent } from "@effect-clerk/schema"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as internal from "./internal/webhooks.js"

/**
 * A signing secret as Clerk shows it, `whsec_` followed by base64 (the bare base64 is taken too).
 *
 * @since 0.1.0
 * @category models
 */
export type Secret = string | Redacted.Redacted<string>

/**
 * One signing secret, or several while a secret is rotated: a delivery signed with any of them is accepted. A string
 * may also hold several secrets separated by whitespace.
 *
 * @since 0.1.0
 * @category models
 */
export type Secrets = Secret | ReadonlyArray<Secret>

/**
 * A request's headers: a `Headers` object, `@effect/platform`'s `Headers`, Node's `IncomingHttpHeaders`, or any
 * record (its names are matched whatever their case).
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput =
  | globalThis.Headers
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * Why a delivery was refused:
 *
 * - `missing-headers`: not all three of `svix-id`, `svix-timestamp`, `svix-signature` (or of `webhook-id`,
 *   `webhook-timestamp`, `webhook-signature`) are there.
 * - `invalid-signature`: no `v1` signature matches a secret, or the timestamp is not a whole number of seconds.
 * - `timestamp-too-old` / `timestamp-too-new`: an authentic delivery signed more than 5 minutes from now.
 * - `invalid-secret`: a signing secret is empty or not base64.
 * - `invalid-body`: the body is over {@link maxBodyBytes}, or, once authentic, not JSON of a Clerk event.
 *
 * @since 0.1.0
 * @category errors
 */
export const Reason = Schema.Literal(
  "missing-headers",
  "invalid-signature",
  "timestamp-too-old",
  "timestamp-too-new",
  "invalid-secret",
  "invalid-body"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type Reason = typeof Reason.Type

/**
 * A delivery was refused. It holds nothing of the secrets, the signatures or the body's values: safe to log and to
 * answer with. As an `HttpApi` error it answers 400.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookVerificationError extends Schema.TaggedError<WebhookVerificationError>()(
  "WebhookVerificationError",
  { reason: Reason, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

/**
 * The largest body verified, in bytes: a larger one is refused as `invalid-body` before any HMAC is computed.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodyBytes: number = internal.maxBodyBytes

/**
 * An authentic delivery.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** The delivery's id (`svix-id`): the same for every attempt to deliver one event, so the key to deduplicate on. */
  readonly id: string
  /** When the delivery was signed (`svix-timestamp`). */
  readonly timestamp: DateTime.Utc
  readonly event: WebhookEvent.WebhookEvent
}

/**
 * What {@link verify} reads: the raw body, exactly as received (a re-serialised JSON body no longer matches its
 * signature).
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly headers: HeadersInput
  readonly body: string | Uint8Array
}

const toError = (failure: internal.Failure): WebhookVerificationError => new WebhookVerificationError(failure)

/**
 * Verifies one delivery: the signature (HMAC-SHA256 over `id.timestamp.body`, every `v1` signature of the header
 * tried, compared in constant time), the timestamp (within 5 minutes of the `Clock`, both ways), then decodes the
 * event. The last secrets given are kept imported, so a handler that passes the same ones on every call imports them
 * once; a server that holds several secrets builds a {@link Verifier} for each with {@link layer} or {@link make}.
 *
 * Verification opens no span of its own: it runs inside the span of the request that carried the delivery, and a
 * span per delivery would cost as much CPU as the verification.
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { Effect } from "effect"
 *
 * const receive = (headers: Headers, body: string) =>
 *   Webhooks.verify({ secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, body }).pipe(
 *     Effect.tap((delivery) => Effect.log(`delivery ${delivery.id}: ${delivery.event.type}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const verify = (
  options: Request & { readonly secret: Secrets }
): Effect.Effect<Delivery, WebhookVerificationError> =>
  internal.keyringOfLast(options.secret).pipe(
    Effect.flatMap((keyring) => internal.verifyDelivery(keyring, options)),
    Effect.mapError(toError)
  )

/**
 * The service that verifies deliveries with the secrets it was built with.
 *
 * @since 0.1.0
 * @category services
 */
export class Verifier extends Context.Tag("@effect-clerk/auth/Webhooks/Verifier")<Verifier, Verifier.Service>() {}

/**
 * @since 0.1.0
 * @category services
 */
export declare namespace Verifier {
  /**
   * @since 0.1.0
   * @category services
   */
  export interface Service {
    readonly verify: (request: Request) => Effect.Effect<Delivery, WebhookVerificationError>
  }
}

/**
 * Builds a {@link Verifier.Service}, importing the secrets once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly secret: Secrets }): Effect.Effect<
  Verifier.Service,
  WebhookVerificationError
> =>
  internal.keyringOf(options.secret).pipe(
    Effect.mapError(toError),
    Effect.map((keyring) =>
      Verifier.of({ verify: (request) => Effect.mapError(internal.verifyDelivery(keyring, request), toError) })
    )
  )

/**
 * A {@link Verifier} with the given secrets; an invalid secret fails the layer (`invalid-secret`).
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { Redacted } from "effect"
 *
 * // During a rotation, both the new and the old secret.
 * const WebhooksLive = Webhooks.layer({
 *   secret: [Redacted.make("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Redacted.make("whsec_dGVzdCBzZWNyZXQ=")]
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: { readonly secret: Secrets }): Layer.Layer<Verifier, WebhookVerificationError> =>
  Layer.effect(Verifier, make(options))

/**
 * A {@link Verifier} with the secret in `CLERK_WEBHOOK_SIGNING_SECRET` (the name Clerk uses), or in the given
 * `Config`. Several secrets separated by spaces are all accepted, for a rotation.
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { Config } from "effect"
 *
 * const fromEnv = Webhooks.layerConfig()
 * const fromElsewhere = Webhooks.layerConfig({ secret: Config.redacted("CLERK_WEBHOOK_SECRET_STAGING") })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: { readonly secret?: Config.Config<Redacted.Redacted<string>> }
): Layer.Layer<Verifier, WebhookVerificationError | ConfigError.ConfigError> =>
  Layer.effect(
    Verifier,
    Effect.flatMap(options?.secret ?? Config.redacted("CLERK_WEBHOOK_SIGNING_SECRET"), (secret) => make({ secret }))
  )

/**
 * Verifies the current `HttpServerRequest` with the {@link Verifier}: reads the raw body (at most
 * {@link maxBodyBytes}) and the headers. The recipe for an `HttpApi` endpoint: declare no payload (so nothing parses
 * the body before), add {@link WebhookVerificationError} (400), answer 204 as soon as the delivery is recorded and
 * do the slow work after.
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
 * import { Effect, Layer, Option } from "effect"
 *
 * class ClerkWebhooks extends HttpApiGroup.make("webhooks").add(
 *   HttpApiEndpoint.post("clerk", "/webhooks/clerk")
 *     .addSuccess(HttpApiSchema.NoContent)
 *     .addError(Webhooks.WebhookVerificationError)
 * ) {}
 *
 * class Api extends HttpApi.make("app").add(ClerkWebhooks) {}
 *
 * const WebhooksLive = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
 *   handlers.handleRaw("clerk", () =>
 *     Effect.gen(function*() {
 *       const delivery = yield* Webhooks.verifyRequest
 *       const impersonation = Webhooks.impersonationOf(delivery.event)
 *       if (Option.isSome(impersonation)) {
 *         // Record it keyed on `delivery.id`: a redelivery then changes nothing.
 *         yield* Effect.log(`${impersonation.value._tag} ${impersonation.value.sessionId}`)
 *       }
 *     }))
 * ).pipe(Layer.provide(Webhooks.layerConfig()))
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const verifyRequest: Effect.Effect<
  Delivery,
  WebhookVerificationError,
  Verifier | HttpServerRequest.HttpServerRequest
> = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const verifier = yield* Verifier
  const body = yield* request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(internal.maxBodyBytes)),
    Effect.mapError(() =>
      new WebhookVerificationError({
        reason: "invalid-body",
        message: `the body could not be read, or is larger than ${internal.maxBodyBytes} bytes`
      })
    )
  )
  return yield* verifier.verify({ headers: request.headers, body: new Uint8Array(body) })
})

/**
 * The headers of a signed delivery, with the names Clerk sends.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedHeaders {
  readonly "svix-id": string
  readonly "svix-timestamp": string
  readonly "svix-signature": string
}

/**
 * Signs a delivery as Clerk does: what a test posts to its own webhook endpoint. The timestamp defaults to the
 * `Clock`'s now; with several secrets, the first signs.
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { Effect } from "effect"
 *
 * const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
 * const body = JSON.stringify({ type: "user.created", object: "event", timestamp: 0, instance_id: "ins_1", data: {} })
 *
 * const roundTrip = Webhooks.sign({ secret, id: "msg_1", body }).pipe(
 *   Effect.flatMap((headers) => Webhooks.verify({ secret, headers: { ...headers }, body }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const sign: (options: {
  readonly secret: Secrets
  readonly id: string
  readonly body: string | Uint8Array
  readonly timestamp?: DateTime.DateTime | undefined
}) => Effect.Effect<SignedHeaders, WebhookVerificationError> = Effect.fn("Webhooks.sign")(
  function*(options: {
    readonly secret: Secrets
    readonly id: string
    readonly body: string | Uint8Array
    readonly timestamp?: DateTime.DateTime | undefined
  }) {
    const keyring = yield* internal.keyringOfLast(options.secret)
    const timestamp = options.timestamp === undefined
      ? yield* Clock.currentTimeMillis
      : DateTime.toEpochMillis(options.timestamp)
    return yield* internal.signDelivery(keyring, { id: options.id, timestamp, body: options.body })
  },
  Effect.mapError(toError)
)

/**
 * How an impersonation ended: `ended` (signed out), `revoked` (revoked through the API or the dashboard), `removed`
 * (removed from its client), `expired` (its lifetime ran out — Clerk sends no event for that, so this reason appears
 * only when an ending event reports the session `expired`; close a started impersonation without an end at its
 * `expiresAt`).
 *
 * @since 0.1.0
 * @category models
 */
export const EndReason = Schema.Literal("ended", "revoked", "removed", "expired")

/**
 * @since 0.1.0
 * @category models
 */
export type EndReason = typeof EndReason.Type

/**
 * An impersonation began: `actor` (with `sub`, the impersonator) acts as `userId` in session `sessionId` from `at`
 * (the event's time), until `expiresAt` at the latest. A schema class, so the record can be stored as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export class ImpersonationStarted extends Schema.TaggedClass<ImpersonationStarted>()("ImpersonationStarted", {
  actor: Json.JsonObject,
  userId: Ids.UserId,
  sessionId: Ids.SessionId,
  at: Schema.DateTimeUtc,
  expiresAt: Schema.DateTimeUtc
}) {}

/**
 * An impersonation ended at `at` (the event's time), for `reason`.
 *
 * @since 0.1.0
 * @category models
 */
export class ImpersonationEnded extends Schema.TaggedClass<ImpersonationEnded>()("ImpersonationEnded", {
  actor: Json.JsonObject,
  userId: Ids.UserId,
  sessionId: Ids.SessionId,
  at: Schema.DateTimeUtc,
  reason: EndReason
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export type Impersonation = ImpersonationStarted | ImpersonationEnded

/**
 * The audit records, for storing them.
 *
 * @since 0.1.0
 * @category models
 */
export const Impersonation: Schema.Union<[typeof ImpersonationStarted, typeof ImpersonationEnded]> = Schema.Union(
  ImpersonationStarted,
  ImpersonationEnded
)

const endReasons = {
  "session.ended": "ended",
  "session.revoked": "revoked",
  "session.removed": "removed"
} as const satisfies Partial<Record<WebhookEvent.SessionEventType, EndReason>>

/**
 * The audit record a session event carries when its session is an impersonation (its `actor` is not null):
 * `session.created` starts one; `session.ended`, `session.revoked` and `session.removed` end one (`expired` when the
 * session's status says so). Every other event is `None`.
 *
 * @example
 * ```ts
 * import { Webhooks } from "@effect-clerk/auth"
 * import { Effect, Option } from "effect"
 *
 * const audit = (delivery: Webhooks.Delivery) =>
 *   Option.match(Webhooks.impersonationOf(delivery.event), {
 *     onNone: () => Effect.void,
 *     onSome: (record) => Effect.log(`${record._tag}: ${String(record.actor.sub)} as ${record.userId}`)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const impersonationOf = (event: WebhookEvent.WebhookEvent): Option.Option<Impersonation> => {
  if (event._tag !== "SessionEvent" || event.data.actor === null) return Option.none()
  const { actor, expireAt, id: sessionId, status, userId } = event.data
  const at = DateTime.unsafeMake(event.timestamp)
  if (event.type === "session.created") {
    return Option.some(
      new ImpersonationStarted({ actor, userId, sessionId, at, expiresAt: DateTime.unsafeMake(expireAt) })
    )
  }
  if (event.type === "session.pending") return Option.none()
  const reason = status === "expired" ? "expired" : endReasons[event.type]
  return Option.some(new ImpersonationEnded({ actor, userId, sessionId, at, reason }))
}
