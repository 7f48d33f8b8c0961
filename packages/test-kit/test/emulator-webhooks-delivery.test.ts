// The emulator's webhook deliveries to a real receiver on loopback: signed as Svix signs Clerk's (checked by svix and
// @clerk/backend, outside verifiers), retried on the emulator's Clock, never in the way of the emulator's answers.
// The retry tests run on the TestClock: the HTTP is real, the waits and timeouts move only when the test says.
import { verifyWebhook } from "@clerk/backend/webhooks"
import { ActorTokens } from "@effect-clerk/client"
import { WebhookEvent } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Schema, TestClock } from "effect"
import { Webhook as SvixWebhook } from "svix"
import { call } from "./support.js"
import * as Receiver from "./webhookReceiver.js"

const secretA = `whsec_${Buffer.from("emulator-webhook-secret-A").toString("base64")}`
const secretB = `whsec_${Buffer.from("emulator-webhook-secret-B").toString("base64")}`

const decode = Schema.decodeUnknownSync(Schema.parseJson(WebhookEvent.WebhookEvent))

// Real-time polling, bounded: the deliveries are real HTTP, which the TestClock does not move.
const until = (check: Effect.Effect<boolean>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000; i++) {
      if (yield* check) return
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

// Moves the TestClock by `millis` once something sleeps until exactly then (a retry wait or an attempt's timeout).
const step = (millis: number) =>
  Effect.gen(function*() {
    const target = (yield* TestClock.currentTimeMillis) + millis
    yield* until(Effect.map(TestClock.sleeps(), Chunk.some((at) => at === target)), `a sleep until ${target}`)
    yield* TestClock.adjust(millis)
  })

// A whole second near the real now, so that the outside verifiers (which read Date.now()) take the timestamps.
const realNow = () => Math.floor(Date.now() / 1000) * 1000

const ticketUrl = (url: string) =>
  Effect.gen(function*() {
    const created = yield* call(`${url}/v1/actor_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${Emulator.defaultSecretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ user_id: "user_target", actor: { sub: "user_support" } }),
      signal: AbortSignal.timeout(5_000)
    })
    expect(created.status).toBe(200)
    return (JSON.parse(created.text) as { url: string }).url
  })

describe("webhook deliveries", () => {
  it.scoped("a receiver answering 500 twice then 200 gets 3 deliveries with the same svix-id, 1 s then 2 s apart", () =>
    Effect.gen(function*() {
      const start = realNow()
      yield* TestClock.setTime(start)
      const receiver = yield* Receiver.start((n) => (n < 2 ? 500 : 200))
      const emulator = yield* Emulator.make({ webhooks: [{ url: receiver.url, secret: secretA }] })
      yield* emulator.seedSession({ userId: "user_target" })
      yield* receiver.waitFor(1)
      yield* step(1000)
      yield* receiver.waitFor(2)
      yield* step(2000)
      const received = yield* receiver.waitFor(3)
      yield* until(
        Effect.map(emulator.webhookEvents, ([e]) => e?.deliveries[0]?.outcome === "delivered"),
        "the delivery to be recorded"
      )

      const [event] = yield* emulator.webhookEvents
      expect(received.map((r) => r.headers["svix-id"])).toEqual([event!.id, event!.id, event!.id])
      expect(received.map((r) => Number(r.headers["svix-timestamp"]))).toEqual(
        [0, 1, 3].map((s) => start / 1000 + s)
      )
      expect(event!.deliveries).toEqual([{
        url: receiver.url,
        attempts: [
          { at: start, result: 500 },
          { at: start + 1000, result: 500 },
          { at: start + 3000, result: 200 }
        ],
        outcome: "delivered"
      }])
      // Each attempt is signed anew (its own timestamp) over the same body.
      const svix = new SvixWebhook(secretA)
      for (const r of received) {
        expect(r.body).toBe(event!.body)
        expect(r.headers["content-type"]).toBe("application/json")
        expect(svix.verify(r.body, r.headers)).toEqual(JSON.parse(event!.body))
      }
      expect(received).toHaveLength(3)
    }))

  it.scoped("a receiver that never answers is retried, then given up, while the emulator answers at once", () =>
    Effect.gen(function*() {
      const start = realNow()
      yield* TestClock.setTime(start)
      const receiver = yield* Receiver.start(() => "hang")
      const server = yield* EmulatorServer.make({ webhooks: [{ url: receiver.url, secret: secretA }] })
      yield* server.emulator.seedSession({ userId: "user_target" })
      yield* receiver.waitFor(1)

      // The endpoint hangs; the emulator's own requests (which emit events) are answered regardless.
      const ticket = yield* ticketUrl(server.url)
      const opened = yield* call(ticket, { signal: AbortSignal.timeout(5_000) })
      expect(opened.status).toBe(200)

      // 5 s timeout, wait 1 s, 5 s timeout, wait 2 s, 5 s timeout, wait 4 s, 5 s timeout: given up.
      for (const millis of [5000, 1000]) yield* step(millis)
      yield* receiver.waitFor(2)
      for (const millis of [5000, 2000]) yield* step(millis)
      yield* receiver.waitFor(3)
      for (const millis of [5000, 4000]) yield* step(millis)
      yield* receiver.waitFor(4)
      yield* step(5000)
      // The next event for this endpoint is sent only once the first is given up: order per endpoint.
      const received = yield* receiver.waitFor(5)

      const [first, second] = yield* server.emulator.webhookEvents
      expect(first!.deliveries[0]).toEqual({
        url: receiver.url,
        attempts: [0, 6000, 13000, 22000].map((offset) => ({ at: start + offset, result: "timeout" })),
        outcome: "failed"
      })
      expect(received.slice(0, 4).map((r) => r.headers["svix-id"])).toEqual(Array(4).fill(first!.id))
      expect(second!.event.type).toBe("session.created")
      expect(received[4]!.headers["svix-id"]).toBe(second!.id)
    }))

  it.scoped("a connection closed without an answer counts as a failed attempt, and is retried", () =>
    Effect.gen(function*() {
      const start = realNow()
      yield* TestClock.setTime(start)
      const receiver = yield* Receiver.start(() => "drop")
      const emulator = yield* Emulator.make({ webhooks: [{ url: receiver.url, secret: secretA }] })
      yield* emulator.seedSession({ userId: "user_target" })
      for (const millis of [1000, 2000, 4000]) yield* step(millis)
      yield* until(
        Effect.map(emulator.webhookEvents, ([e]) => e?.deliveries[0]?.outcome === "failed"),
        "the delivery to be given up"
      )
      const [event] = yield* emulator.webhookEvents
      expect(event!.deliveries[0]?.attempts).toEqual(
        [0, 1000, 3000, 7000].map((offset) => ({ at: start + offset, result: "unreachable" }))
      )
      expect(receiver.received).toHaveLength(4)
    }))

  it.scoped("an expiry is delivered when it happens, with no request: session.ended, status expired", () =>
    Effect.gen(function*() {
      // Ten minutes ago, so that the expiry is signed at about the real now.
      const start = realNow() - 10 * 60_000
      yield* TestClock.setTime(start)
      const receiver = yield* Receiver.start()
      const emulator = yield* Emulator.make({ webhooks: [{ url: receiver.url, secret: secretA }] })
      const session = yield* emulator.seedSession({ userId: "user_target", actor: { sub: "user_support" } })
      yield* receiver.waitFor(1)
      // Ten minutes without activity end an impersonation; only the Clock moves.
      yield* step(10 * 60_000)
      const received = yield* receiver.waitFor(2)
      new SvixWebhook(secretA).verify(received[1]!.body, received[1]!.headers)
      const ended = decode(received[1]!.body)
      expect(ended).toMatchObject({
        type: "session.ended",
        timestamp: start + 10 * 60_000,
        data: { id: session.id, status: "expired", actor: { sub: "user_support" } }
      })
      expect(Number(received[1]!.headers["svix-timestamp"])).toBe(start / 1000 + 600)
    }))

  it.live("on loopback, an event's client_ip is the address the request came from", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      const opened = yield* call(yield* ticketUrl(server.url), { headers: { "user-agent": "support/1" } })
      expect(opened.status).toBe(200)
      const [created] = yield* server.emulator.webhookEvents
      // No x-forwarded-for: the peer's address, which the in-memory emulator has none of (its client_ip is empty).
      expect(created?.event.eventAttributes).toEqual({
        http_request: { client_ip: "127.0.0.1", user_agent: "support/1" }
      })
    }).pipe(Effect.scoped))

  it.live("TestClerk.layer delivers to the endpoints of its emulator option, signed, when the client's ticket is accepted", () =>
    Effect.gen(function*() {
      const receiver = yield* Receiver.start()
      const layer = TestClerk.layer({ emulator: { webhooks: [{ url: receiver.url, secret: secretA }] } })
      yield* Effect.gen(function*() {
        const token = yield* ActorTokens.create({ userId: "user_target", actor: { sub: "user_support" } })
        const emulator = yield* Emulator.Emulator
        yield* emulator.accept(token.id)
        const [delivery] = yield* receiver.waitFor(1)
        new SvixWebhook(secretA).verify(delivery!.body, delivery!.headers)
        expect(decode(delivery!.body)).toMatchObject({
          type: "session.created",
          data: { userId: "user_target", actor: { sub: "user_support" }, status: "active" }
        })
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped))

  it.live(
    "create → accept → revoke on loopback: every endpoint gets each event, which svix and @clerk/backend accept",
    () =>
      Effect.gen(function*() {
        const a = yield* Receiver.start()
        const b = yield* Receiver.start()
        const server = yield* EmulatorServer.make({
          webhooks: [{ url: a.url, secret: secretA }, { url: b.url, secret: secretB }]
        })
        const ticket = yield* ticketUrl(server.url)
        const opened = yield* call(ticket, { headers: { "user-agent": "support-console/2.1" } })
        expect(opened.status).toBe(200)
        const [session] = yield* server.emulator.sessions
        const revoked = yield* call(`${server.url}/v1/sessions/${session!.id}/revoke`, {
          method: "POST",
          headers: { authorization: `Bearer ${Emulator.defaultSecretKey}` }
        })
        expect(revoked.status).toBe(200)

        const emitted = yield* server.emulator.webhookEvents
        expect(emitted.map((e) => e.event.type)).toEqual(["session.created", "session.revoked"])
        for (const [receiver, secret, other] of [[a, secretA, secretB], [b, secretB, secretA]] as const) {
          const received = yield* receiver.waitFor(2)
          expect(received).toHaveLength(2)
          for (const [i, delivery] of received.entries()) {
            expect(delivery.headers["svix-id"]).toBe(emitted[i]!.id)
            expect(delivery.body).toBe(emitted[i]!.body)
            expect(new SvixWebhook(secret).verify(delivery.body, delivery.headers)).toEqual(JSON.parse(delivery.body))
            // Each endpoint signs with its own secret.
            expect(() => new SvixWebhook(other).verify(delivery.body, delivery.headers)).toThrow()
            const verified = yield* Effect.promise(() =>
              verifyWebhook(
                new Request(`http://127.0.0.1${delivery.url}`, {
                  method: "POST",
                  headers: delivery.headers,
                  body: delivery.body
                }),
                { signingSecret: secret }
              )
            )
            expect(verified.type).toBe(emitted[i]!.event.type)
            expect(verified.data).toMatchObject({ id: session!.id, actor: { sub: "user_support" } })
          }
          const [created, ended] = received.map((r) => decode(r.body))
          expect(created).toMatchObject({
            type: "session.created",
            eventAttributes: { http_request: { client_ip: "127.0.0.1", user_agent: "support-console/2.1" } },
            data: { status: "active", actor: { sub: "user_support" }, userId: "user_target" }
          })
          expect(ended).toMatchObject({ type: "session.revoked", data: { status: "revoked" } })
        }
        yield* until(
          Effect.map(
            server.emulator.webhookEvents,
            (events) => events.every((e) => e.deliveries.every((d) => d.outcome === "delivered"))
          ),
          "every delivery to be recorded delivered"
        )
      }).pipe(Effect.scoped),
    20_000
  )
})
