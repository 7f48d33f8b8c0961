/**
 * Delivers the emulator's webhook events: one queue and one worker fiber per endpoint (events reach an endpoint in
 * the order they were emitted), each delivery signed as Svix signs Clerk's and retried on the `Clock`; and a fiber
 * that wakes at the next session deadline, so an expiry is emitted when it happens, not when something next reads
 * the state. Everything runs in the emulator's scope, off the request that caused the event.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { createHmac } from "node:crypto"
import type { ResolvedOptions } from "../Emulator.js"
import { type AttemptResult, attemptTimeout, type EmittedEvent, retryDelays } from "../EmulatorWebhooks.js"
import * as State from "./emulator/state.js"
import * as Webhooks from "./emulator/webhooks.js"

// The `svix-signature` of a delivery: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64
// after the secret's `whsec_`. Signed here rather than with `@effect-clerk/auth`'s `Webhooks.sign`: the auth package
// tests against the test-kit, so the test-kit must not depend on it; the delivery tests verify with svix and Clerk.
const signature = (secret: Redacted.Redacted<string>, id: string, timestamp: number, body: string): string =>
  `v1,${
    createHmac("sha256", Buffer.from(Redacted.value(secret).slice("whsec_".length), "base64"))
      .update(`${id}.${timestamp}.${body}`)
      .digest("base64")
  }`

/**
 * @internal The request an event is emitted during, as Clerk's `http_request` attributes: the first
 * `x-forwarded-for` address, else the peer's (on loopback), else empty (in memory there is no peer); and the
 * `user-agent`. Outside a request (a test calling the emulator), both are empty.
 */
export const currentRequest: Effect.Effect<Webhooks.HttpRequest> = Effect.map(
  Effect.serviceOption(HttpServerRequest.HttpServerRequest),
  Option.match({
    onNone: () => Webhooks.noRequest,
    onSome: (request) => ({
      client_ip: request.headers["x-forwarded-for"]?.split(",")[0]?.trim() ||
        Option.getOrElse(request.remoteAddress, () => ""),
      user_agent: request.headers["user-agent"] ?? ""
    })
  })
)

type Update = (change: (log: Webhooks.Log) => Webhooks.Log) => Effect.Effect<void>

// One attempt: POST the body, signed for this attempt's timestamp; when it was sent, and what it got.
const attempt = (
  client: HttpClient.HttpClient,
  endpoint: ResolvedOptions["webhooks"][number],
  event: EmittedEvent
): Effect.Effect<readonly [number, AttemptResult]> =>
  Effect.gen(function*() {
    const at = yield* State.currentMillis
    const timestamp = Math.floor(at / 1000)
    const request = HttpClientRequest.post(endpoint.url).pipe(
      HttpClientRequest.setHeaders({
        "svix-id": event.id,
        "svix-timestamp": String(timestamp),
        "svix-signature": signature(endpoint.secret, event.id, timestamp, event.body)
      }),
      HttpClientRequest.bodyText(event.body, "application/json")
    )
    const result = yield* client.execute(request).pipe(
      Effect.flatMap((response) => Effect.as(Effect.ignore(response.arrayBuffer), response.status)),
      Effect.scoped,
      Effect.timeout(attemptTimeout),
      Effect.catchAll((error) =>
        Effect.succeed<AttemptResult>(error._tag === "TimeoutException" ? "timeout" : "unreachable")
      )
    )
    return [at, result] as const
  })

const isSuccess = (result: AttemptResult): boolean => typeof result === "number" && result >= 200 && result < 300

const retrySchedule = Schedule.fromDelays(...retryDelays)

// Delivers one event to one endpoint: attempts until a 2xx answer or the retries run out, each one recorded.
const deliver = (
  client: HttpClient.HttpClient,
  endpoint: ResolvedOptions["webhooks"][number],
  index: number,
  update: Update
) =>
(event: EmittedEvent): Effect.Effect<void> =>
  attempt(client, endpoint, event).pipe(
    Effect.flatMap(([at, result]) => {
      const delivered = isSuccess(result)
      return update((log) =>
        Webhooks.recordAttempt(log, event.id, index, { at, result }, delivered ? "delivered" : "pending")
      ).pipe(Effect.zipRight(delivered ? Effect.void : Effect.fail(result)))
    }),
    Effect.retry(retrySchedule),
    Effect.catchAll(() => update((log) => Webhooks.giveUp(log, event.id, index)))
  )

/** @internal What the emulator hands its events to. */
export interface Dispatcher {
  /** Queues the events for every endpoint, and wakes the deadline watcher; never waits for a delivery. */
  readonly emitted: (events: ReadonlyArray<EmittedEvent>) => Effect.Effect<void>
  /**
   * Forks, when there is an endpoint, the fiber that runs `observe` (a transition that changes nothing, which emits
   * what time has ended) at each session deadline, and whenever events were emitted (a new session, a new deadline).
   */
  readonly watchDeadlines: (observe: Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
}

/** @internal Starts a worker per endpoint, in the scope. */
export const start = (
  endpoints: ResolvedOptions["webhooks"],
  state: Ref.Ref<State.State>
): Effect.Effect<Dispatcher, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (endpoints.length === 0) return { emitted: () => Effect.void, watchDeadlines: () => Effect.void }
    const update: Update = (change) => Ref.update(state, (s) => ({ ...s, webhooks: change(s.webhooks) }))
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const queues = yield* Effect.forEach(endpoints, (endpoint, index) =>
      Effect.gen(function*() {
        const queue = yield* Queue.unbounded<EmittedEvent>()
        yield* Queue.take(queue).pipe(
          Effect.flatMap(deliver(client, endpoint, index, update)),
          Effect.forever,
          Effect.forkScoped
        )
        return queue
      }))
    const wake = yield* Queue.sliding<void>(1)
    const watch = (observe: Effect.Effect<void>) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const { sessions, webhooks } = yield* Ref.get(state)
        yield* Option.match(Webhooks.nextDeadline(webhooks, sessions), {
          onNone: () => Queue.take(wake),
          onSome: (deadline) =>
            Effect.raceFirst(Effect.sleep(Duration.millis(Math.max(0, deadline - now))), Queue.take(wake))
        })
        yield* observe
      }).pipe(Effect.forever, Effect.forkScoped, Effect.asVoid)
    return {
      watchDeadlines: watch,
      emitted: (events: ReadonlyArray<EmittedEvent>) =>
        events.length === 0
          ? Effect.void
          : Effect.zipRight(
            Effect.forEach(queues, (queue) => Queue.offerAll(queue, events), { discard: true }),
            Queue.offer(wake, undefined)
          )
    }
  }).pipe(Effect.provide(FetchHttpClient.layer))
