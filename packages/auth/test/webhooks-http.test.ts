import { Webhooks } from "@effect-clerk/auth"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Ref } from "effect"
import { Webhook as SvixWebhook } from "svix"

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

class ClerkWebhooks extends HttpApiGroup.make("webhooks").add(
  HttpApiEndpoint.post("clerk", "/webhooks/clerk")
    .addSuccess(HttpApiSchema.NoContent)
    .addError(Webhooks.WebhookVerificationError)
) {}

class Api extends HttpApi.make("app").add(ClerkWebhooks) {}

/** The recipe of `Webhooks.verifyRequest`: each delivery recorded once, keyed on its id, with its audit record. */
const serve = Effect.gen(function*() {
  const recorded = yield* Ref.make(new Map<string, Option.Option<Webhooks.Impersonation>>())
  const WebhooksLive = HttpApiBuilder.group(
    Api,
    "webhooks",
    (handlers) =>
      handlers.handleRaw("clerk", () =>
        Effect.gen(function*() {
          const delivery = yield* Webhooks.verifyRequest
          yield* Ref.update(
            recorded,
            (map) =>
              map.has(delivery.id) ? map : new Map(map).set(delivery.id, Webhooks.impersonationOf(delivery.event))
          )
        }))
  ).pipe(Layer.provide(Webhooks.layer({ secret })))
  const { dispose, handler } = HttpApiBuilder.toWebHandler(
    Layer.mergeAll(HttpApiBuilder.api(Api).pipe(Layer.provide(WebhooksLive)), HttpServer.layerContext)
  )
  yield* Effect.addFinalizer(() => Effect.promise(dispose))
  const post = (body: string, headers: Record<string, string>) =>
    Effect.promise(async () => {
      const response = await handler(
        new Request("http://app.test/webhooks/clerk", {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body
        })
      )
      return { status: response.status, body: await response.text() }
    })
  return { post, recorded: Ref.get(recorded) }
})

const session = {
  object: "session",
  id: "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  client_id: "client_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  actor: { sub: "user_support_42" },
  status: "revoked",
  last_active_at: 1_700_000_000_000,
  expire_at: 1_700_001_800_000,
  abandon_at: 1_702_592_000_000,
  updated_at: 1_700_000_000_000,
  created_at: 1_700_000_000_000
}

// Spaced out as Clerk may send it: parsing and re-serialising the JSON would change the signed bytes.
const body = JSON.stringify(
  {
    data: session,
    instance_id: "ins_2abcdefghijklmnopqrstuvwx",
    object: "event",
    timestamp: 1_700_000_123_000,
    type: "session.revoked"
  },
  null,
  2
)

const signed = (id: string, text = body) => {
  const now = new Date()
  return {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
    "svix-signature": new SvixWebhook(secret).sign(id, now, text)
  }
}

describe("a POST /webhooks/clerk endpoint of an HttpApi", () => {
  it.live("answers 204 to an authentic delivery, and a redelivery changes nothing", () =>
    Effect.gen(function*() {
      const { post, recorded } = yield* serve
      const headers = signed("msg_1")
      expect(yield* post(body, headers)).toEqual({ status: 204, body: "" })
      expect(yield* post(body, headers)).toEqual({ status: 204, body: "" })
      const records = yield* recorded
      expect([...records.keys()]).toEqual(["msg_1"])
      expect(Option.getOrThrow(records.get("msg_1")!)).toMatchObject({
        _tag: "ImpersonationEnded",
        reason: "revoked",
        sessionId: session.id
      })
    }).pipe(Effect.scoped))

  it.live("answers 400 with the reason to a forged, re-serialised, unsigned or oversized delivery", () =>
    Effect.gen(function*() {
      const { post, recorded } = yield* serve
      const refusal = (reason: Webhooks.Reason) => ({
        status: 400,
        body: expect.stringContaining(`"reason":"${reason}"`)
      })
      expect(yield* post(JSON.stringify(JSON.parse(body)), signed("msg_2"))).toEqual(refusal("invalid-signature"))
      expect(yield* post(body.replace("revoked", "ended"), signed("msg_3"))).toEqual(refusal("invalid-signature"))
      expect(yield* post(body, {})).toEqual(refusal("missing-headers"))
      const huge = " ".repeat(Webhooks.maxBodyBytes + 1)
      expect(yield* post(huge, signed("msg_4", huge))).toEqual(refusal("invalid-body"))
      expect((yield* recorded).size).toBe(0)
    }).pipe(Effect.scoped))
})
