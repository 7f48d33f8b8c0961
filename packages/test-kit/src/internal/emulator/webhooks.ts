/**
 * The webhook events the sessions' changes emit, and their log. Each function is pure: after every transition the
 * emulator compares each session's status at `now` with the status last reported for it, and each change becomes an
 * event (`eventType`), recorded with its delivery id and the exact JSON body that will be signed.
 *
 * Sessions change status in two ways: a transition stores a new status (a ticket accepted, a session revoked), or
 * time passes one of its deadlines (`Sessions.at`). The first kind is stamped `now` and carries the HTTP request that
 * caused it; the second is stamped the instant the deadline was reached, and carries no request.
 */
import { type Session, WebhookEvent } from "@effect-clerk/schema"
import * as Arr from "effect/Array"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Attempt, Delivery, EmittedEvent, Outcome } from "../../EmulatorWebhooks.js"
import * as Sessions from "./sessions.js"

/** @internal The log: the status last reported per session id, the events emitted, and a counter for their ids. */
export interface Log {
  readonly reported: ReadonlyMap<string, Session.SessionStatus>
  readonly events: ReadonlyArray<EmittedEvent>
  /** How many events this emulator has emitted, `reset` included: delivery ids are never reused. */
  readonly sequence: number
}

/** @internal */
export const empty: Log = { reported: new Map(), events: [], sequence: 0 }

/** @internal The log after `reset`: nothing reported, no event, but the ids go on. */
export const reset = (log: Log): Log => ({ ...empty, sequence: log.sequence })

/** @internal The request behind an event: Clerk's `event_attributes.http_request`. */
export interface HttpRequest {
  readonly client_ip: string
  readonly user_agent: string
}

/** @internal The attributes of an event no request caused (a deadline passed, or a test called the emulator). */
export const noRequest: HttpRequest = { client_ip: "", user_agent: "" }

const isLive = (status: Session.SessionStatus): boolean => status === "active" || status === "pending"

/**
 * @internal The event a session's change of status emits, by Clerk's names: a session first seen live is
 * `session.created`; a live one revoked is `session.revoked`, removed from its client `session.removed`, and any other
 * end (signed out, expired, abandoned, replaced) `session.ended`. A session first seen already over, or one changing
 * after its end, emits nothing.
 */
export const eventType = (
  before: Session.SessionStatus | undefined,
  after: Session.SessionStatus
): Option.Option<WebhookEvent.SessionEventType> => {
  if (before === undefined) return isLive(after) ? Option.some("session.created") : Option.none()
  if (!isLive(before) || isLive(after)) return Option.none()
  if (after === "revoked") return Option.some("session.revoked")
  if (after === "removed") return Option.some("session.removed")
  return Option.some("session.ended")
}

/** @internal What an emitted event carries besides the session: the emulator's ids, endpoints and the request. */
export interface Context {
  /** `ins_…`, the same on every event of one emulator. */
  readonly instanceId: string
  /** 19 base62 characters; a delivery id is `msg_`, this prefix and the sequence number in 8 base62 characters. */
  readonly idPrefix: string
  /** The endpoints' URLs, in order. */
  readonly endpoints: ReadonlyArray<string>
  readonly request: HttpRequest
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const sequenceId = (n: number): string => {
  let text = ""
  for (let rest = n, i = 0; i < 8; i++, rest = Math.floor(rest / 62)) text = base62[rest % 62] + text
  return text
}

const encodeEvent = Schema.encodeSync(WebhookEvent.WebhookEvent)

interface Change {
  readonly type: WebhookEvent.SessionEventType
  readonly session: Session.Session
  readonly timestamp: number
  readonly byTime: boolean
}

/**
 * @internal The events the sessions' changes since the last observation emit, oldest first, and the log with them
 * recorded (each with a `pending` delivery per endpoint).
 */
export const observe = (
  log: Log,
  sessions: Sessions.Sessions,
  now: number,
  context: Context
): readonly [ReadonlyArray<EmittedEvent>, Log] => {
  const changes: Array<Change> = []
  let reported: Map<string, Session.SessionStatus> | undefined
  for (const stored of sessions) {
    const current = Sessions.at(stored, now)
    const before = log.reported.get(stored.id)
    if (before === current.status) continue
    reported ??= new Map(log.reported)
    reported.set(stored.id, current.status)
    const byTime = current.status !== stored.status
    const type = eventType(before, current.status)
    if (Option.isSome(type)) {
      changes.push({ type: type.value, session: current, timestamp: byTime ? current.updatedAt : now, byTime })
    }
  }
  if (reported === undefined) return [[], log]
  const emitted = changes
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((change, i): EmittedEvent => {
      const event: WebhookEvent.SessionEvent = {
        _tag: "SessionEvent",
        type: change.type,
        object: "event",
        timestamp: change.timestamp,
        instanceId: context.instanceId,
        eventAttributes: { http_request: { ...(change.byTime ? noRequest : context.request) } },
        data: new WebhookEvent.SessionEventData({ ...change.session })
      }
      return {
        id: `msg_${context.idPrefix}${sequenceId(log.sequence + i)}`,
        event,
        body: JSON.stringify(encodeEvent(event)),
        deliveries: context.endpoints.map((url) => ({ url, attempts: [], outcome: "pending" }))
      }
    })
  return [emitted, {
    reported,
    events: [...log.events, ...emitted],
    sequence: log.sequence + emitted.length
  }]
}

/**
 * @internal The earliest deadline of the sessions last reported live, if any: the next instant an observation may
 * emit an event that no transition causes (it may already be past).
 */
export const nextDeadline = (log: Log, sessions: Sessions.Sessions): Option.Option<number> => {
  const reportedLive = sessions.filter((session) => {
    const status = log.reported.get(session.id)
    return status !== undefined && isLive(status)
  })
  const deadlines = Arr.getSomes(reportedLive.map(Sessions.deadline))
  return deadlines.length === 0 ? Option.none() : Option.some(Math.min(...deadlines))
}

// The log with the delivery of event `id` to endpoint number `endpoint` changed; an event no longer in the log (after
// `reset`) is left alone.
const updateDelivery = (log: Log, id: string, endpoint: number, change: (delivery: Delivery) => Delivery): Log => ({
  ...log,
  events: log.events.map((emitted) =>
    emitted.id !== id
      ? emitted
      : {
        ...emitted,
        deliveries: emitted.deliveries.map((delivery, i) => i === endpoint ? change(delivery) : delivery)
      }
  )
})

/** @internal Records an attempt to deliver event `id` to endpoint number `endpoint`, and the outcome so far. */
export const recordAttempt = (log: Log, id: string, endpoint: number, attempt: Attempt, outcome: Outcome): Log =>
  updateDelivery(log, id, endpoint, (delivery) => ({ ...delivery, attempts: [...delivery.attempts, attempt], outcome }))

/** @internal Marks the delivery of event `id` to endpoint number `endpoint` given up. */
export const giveUp = (log: Log, id: string, endpoint: number): Log =>
  updateDelivery(log, id, endpoint, (delivery) => ({ ...delivery, outcome: "failed" }))
