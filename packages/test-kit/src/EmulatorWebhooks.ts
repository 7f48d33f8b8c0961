/**
 * The webhooks the emulator emits: Clerk's `session.*` events, recorded in memory and, for each endpoint given in the
 * emulator's `webhooks` option, POSTed signed the way Clerk's deliveries are (Svix, Standard Webhooks). This module
 * declares what a test reads back with `Emulator.Service.webhookEvents`; the emulator emits and delivers them.
 *
 * @since 0.1.0
 */
import type { WebhookEvent } from "@effect-clerk/schema"
import * as Duration from "effect/Duration"
import type * as Redacted from "effect/Redacted"

/**
 * An endpoint to deliver every event to: its URL, and its signing secret as Clerk shows it (`whsec_` then base64).
 * Each endpoint signs with its own secret.
 *
 * @example
 * ```ts
 * import { Emulator } from "@effect-clerk/test-kit"
 *
 * const emulator = Emulator.make({
 *   webhooks: [{ url: "http://127.0.0.1:4000/webhooks/clerk", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }]
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoint {
  /** An absolute `http:` or `https:` URL. */
  readonly url: string | URL
  /** `whsec_` followed by the base64 of the key. */
  readonly secret: string | Redacted.Redacted<string>
}

/**
 * How long one delivery attempt may take, on the emulator's `Clock`, before it counts as failed: 5 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const attemptTimeout: Duration.Duration = Duration.seconds(5)

/**
 * The waits between the attempts of one delivery after a failure (a non-2xx answer, no connection, or a timeout): 1,
 * 2, then 4 seconds, on the emulator's `Clock`; after the fourth attempt the delivery is given up.
 *
 * @since 0.1.0
 * @category constants
 */
export const retryDelays: readonly [Duration.Duration, ...Array<Duration.Duration>] = [
  Duration.seconds(1),
  Duration.seconds(2),
  Duration.seconds(4)
]

/**
 * What one attempt got: the endpoint's HTTP status, or `"timeout"` (no answer within {@link attemptTimeout}), or
 * `"unreachable"` (no connection, or the connection failed).
 *
 * @since 0.1.0
 * @category models
 */
export type AttemptResult = number | "timeout" | "unreachable"

/**
 * One attempt: when it was sent (Unix milliseconds, the emulator's `Clock`) and what it got.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  readonly at: number
  readonly result: AttemptResult
}

/**
 * Where a delivery stands: `pending` (not sent yet, or to be retried), `delivered` (a 2xx answer), `failed` (every
 * attempt failed).
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "pending" | "delivered" | "failed"

/**
 * The delivery of one event to one endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** The endpoint's URL. */
  readonly url: string
  /** Every attempt so far, oldest first. */
  readonly attempts: ReadonlyArray<Attempt>
  readonly outcome: Outcome
}

/**
 * An event the emulator emitted: the event, its delivery id (`svix-id`, the same on every attempt), the exact JSON
 * body that was signed and sent, and its delivery to each endpoint (none when no endpoint is configured).
 *
 * @since 0.1.0
 * @category models
 */
export interface EmittedEvent {
  /** `msg_…`: the `svix-id` header, a receiver's idempotency key. */
  readonly id: string
  readonly event: WebhookEvent.SessionEvent
  /** The body, `WebhookEvent` encoded as JSON. */
  readonly body: string
  /** One per endpoint, in the order of the `webhooks` option. */
  readonly deliveries: ReadonlyArray<Delivery>
}
