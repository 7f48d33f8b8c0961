import { Webhooks } from "@effect-clerk/auth"
import { Observe } from "@effect-clerk/test-kit"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Effect, Exit, FastCheck, Layer, Option, Redacted, Schema, TestClock } from "effect"
import { Webhook as StandardWebhook } from "standardwebhooks"
import { Webhook as SvixWebhook } from "svix"
import * as InternalWebhooks from "../src/internal/webhooks.js"
import * as InternalHmac from "../src/internal/webhooksHmac.js"

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const secretBase64 = secret.slice("whsec_".length)
const otherSecret = "whsec_dGhlIG90aGVyIHNpZ25pbmcgc2VjcmV0IQ=="
const signedAt = new Date(1_700_000_000_000)
const seconds = String(signedAt.getTime() / 1000)
const id = "msg_2abcDEFghiJKLmnoPQRstuVWX"

const session = {
  object: "session",
  id: "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  client_id: "client_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  actor: { sub: "user_support_42", iss: "https://dashboard.clerk.com" },
  status: "active",
  last_active_at: 1_700_000_000_000,
  expire_at: 1_700_001_800_000,
  abandon_at: 1_702_592_000_000,
  updated_at: 1_700_000_000_000,
  created_at: 1_700_000_000_000
}

const eventJson = (type: string, data: unknown, timestamp = signedAt.getTime()) => ({
  data,
  event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "Mozilla/5.0 (Macintosh)" } },
  instance_id: "ins_2abcdefghijklmnopqrstuvwx",
  object: "event",
  timestamp,
  type
})

const body = JSON.stringify(eventJson("session.created", { ...session, user: { id: session.user_id } }))

/** Clerk's headers, signed by the `svix` library. */
const svixHeaders = (options?: { secret?: string; id?: string; at?: Date; body?: string }) => ({
  "svix-id": options?.id ?? id,
  "svix-timestamp": String(Math.floor((options?.at ?? signedAt).getTime() / 1000)),
  "svix-signature": new SvixWebhook(options?.secret ?? secret).sign(
    options?.id ?? id,
    options?.at ?? signedAt,
    options?.body ?? body
  )
})

/** The Standard Webhooks headers, signed by the `standardwebhooks` library. */
const standardHeaders = (options?: { secret?: string; id?: string; at?: Date; body?: string }) => ({
  "webhook-id": options?.id ?? id,
  "webhook-timestamp": String(Math.floor((options?.at ?? signedAt).getTime() / 1000)),
  "webhook-signature": new StandardWebhook(options?.secret ?? secret).sign(
    options?.id ?? id,
    options?.at ?? signedAt,
    options?.body ?? body
  )
})

const atSigningTime = TestClock.setTime(signedAt.getTime())

const verify = (options: Partial<Webhooks.Request & { secret: Webhooks.Secrets }>) =>
  Effect.zipRight(atSigningTime, Webhooks.verify({ secret, headers: svixHeaders(), body, ...options }))

const reasonOf = (options: Partial<Webhooks.Request & { secret: Webhooks.Secrets }>) =>
  verify(options).pipe(Effect.flip, Effect.map((error) => error.reason))

describe("Webhooks.verify", () => {
  it.effect("accepts a delivery signed by svix and returns its id, its signing time and its decoded event", () =>
    Effect.gen(function*() {
      const delivery = yield* verify({})
      expect(delivery.id).toBe(id)
      expect(DateTime.toEpochMillis(delivery.timestamp)).toBe(signedAt.getTime())
      expect(delivery.event._tag).toBe("SessionEvent")
      expect(delivery.event.type).toBe("session.created")
      expect(delivery.event._tag === "SessionEvent" && delivery.event.data.actor).toEqual(session.actor)
    }))

  it.effect("accepts a delivery signed by standardwebhooks with the webhook-* headers", () =>
    Effect.gen(function*() {
      const delivery = yield* verify({ headers: standardHeaders() })
      expect(delivery.id).toBe(id)
      expect(delivery.event.type).toBe("session.created")
    }))

  it.effect("reads a Headers object, a record in any case, a body as bytes, a Redacted or unprefixed secret", () =>
    Effect.gen(function*() {
      const headers = svixHeaders()
      yield* verify({ headers: new Headers(headers) })
      yield* verify({ headers: new Headers(standardHeaders()) })
      yield* verify({
        headers: {
          "SVIX-ID": headers["svix-id"],
          "Svix-Timestamp": [seconds],
          "svix-SIGNATURE": headers["svix-signature"]
        }
      })
      yield* verify({ body: new TextEncoder().encode(body) })
      yield* verify({ secret: Redacted.make(secret) })
      yield* verify({ secret: secretBase64 })
    }))

  it.effect("refuses a tampered body, id or timestamp", () =>
    Effect.gen(function*() {
      expect(yield* reasonOf({ body: body.replace("user_support_42", "user_support_43") })).toBe("invalid-signature")
      expect(yield* reasonOf({ body: body + " " })).toBe("invalid-signature")
      expect(yield* reasonOf({ headers: { ...svixHeaders(), "svix-id": `${id}x` } })).toBe("invalid-signature")
      expect(yield* reasonOf({ headers: { ...svixHeaders(), "svix-timestamp": String(Number(seconds) + 1) } }))
        .toBe("invalid-signature")
      expect(yield* reasonOf({ headers: standardHeaders({ body: body.replace("active", "ended") }) }))
        .toBe("invalid-signature")
    }))

  it.effect("takes timestamps within 5 minutes of the Clock, both ways, and refuses anything further", () =>
    Effect.gen(function*() {
      const at = (offsetSeconds: number) => new Date(signedAt.getTime() + offsetSeconds * 1000)
      const reasonAt = (offsetSeconds: number) =>
        verify({ headers: svixHeaders({ at: at(offsetSeconds) }) }).pipe(
          Effect.as("accepted" as const),
          Effect.catchAll((error) => Effect.succeed(error.reason))
        )
      expect(yield* reasonAt(-300)).toBe("accepted")
      expect(yield* reasonAt(300)).toBe("accepted")
      expect(yield* reasonAt(-301)).toBe("timestamp-too-old")
      expect(yield* reasonAt(301)).toBe("timestamp-too-new")
      expect(yield* reasonAt(-86_400)).toBe("timestamp-too-old")
      const delivery = yield* verify({ headers: svixHeaders({ at: at(-300) }) })
      expect(DateTime.toEpochMillis(delivery.timestamp)).toBe(at(-300).getTime())
    }))

  it.effect("accepts either secret of a rotation, as a list or as one string, and refuses a stranger's", () =>
    Effect.gen(function*() {
      yield* verify({ secret: [otherSecret, secret] })
      yield* verify({ secret: [secret, Redacted.make(otherSecret)] })
      yield* verify({ secret: `${otherSecret} ${secret}\n` })
      yield* verify({ secret: [otherSecret, secret], headers: svixHeaders({ secret: otherSecret }) })
      expect(yield* reasonOf({ secret: otherSecret })).toBe("invalid-signature")
      expect(yield* reasonOf({ secret: [otherSecret], headers: standardHeaders() })).toBe("invalid-signature")
    }))

  it.effect("verifies with the secrets of each call, also when they change or a list is changed in place", () =>
    Effect.gen(function*() {
      // The function form keeps the last secrets imported: a call with other secrets must not reuse them.
      yield* verify({ secret })
      expect(yield* reasonOf({ secret: otherSecret })).toBe("invalid-signature")
      yield* verify({ secret })
      expect(yield* reasonOf({ secret: Redacted.make(otherSecret) })).toBe("invalid-signature")
      yield* verify({ secret: Redacted.make(secret) })
      const list: Array<Webhooks.Secret> = [secret]
      yield* verify({ secret: list })
      list[0] = otherSecret
      expect(yield* reasonOf({ secret: list })).toBe("invalid-signature")
      list.push(secret)
      yield* verify({ secret: list })
      expect(yield* reasonOf({ secret: "whsec_" })).toBe("invalid-secret")
      yield* verify({ secret })
    }))

  it.effect("tries every v1 signature of the header and ignores other versions", () =>
    Effect.gen(function*() {
      const valid = svixHeaders()["svix-signature"]
      const stranger = svixHeaders({ secret: otherSecret })["svix-signature"]
      const withSignature = (signature: string) => ({ headers: { ...svixHeaders(), "svix-signature": signature } })
      yield* verify(withSignature(`${stranger} ${valid}`))
      yield* verify(withSignature(`v1,bm90IGEgc2lnbmF0dXJl v2,${valid.slice(3)} v1a,x ${valid}`))
      yield* verify(withSignature(`v1,!!!  ${valid}`))
      expect(yield* reasonOf(withSignature(`v2,${valid.slice(3)}`))).toBe("invalid-signature")
      expect(yield* reasonOf(withSignature(`${stranger} v1,${valid.slice(3, -4)}AAA=`))).toBe("invalid-signature")
    }))

  it.effect("refuses missing, partial or mixed header families as missing-headers", () =>
    Effect.gen(function*() {
      const headers = svixHeaders()
      const standard = standardHeaders()
      expect(yield* reasonOf({ headers: {} })).toBe("missing-headers")
      expect(yield* reasonOf({ headers: new Headers() })).toBe("missing-headers")
      expect(yield* reasonOf({ headers: { "svix-id": id, "svix-timestamp": seconds } })).toBe("missing-headers")
      expect(yield* reasonOf({ headers: { ...headers, "svix-id": "" } })).toBe("missing-headers")
      expect(
        yield* reasonOf({
          headers: { "svix-id": id, "svix-timestamp": seconds, "webhook-signature": standard["webhook-signature"] }
        })
      ).toBe("missing-headers")
    }))

  it.effect("refuses garbage headers with invalid-signature, never a defect", () =>
    Effect.gen(function*() {
      const withHeader = (name: string, value: string) => ({ headers: { ...svixHeaders(), [name]: value } })
      for (const timestamp of ["17e8", "-1700000000", "1700000000.5", "soon", "0x65", "9".repeat(40)]) {
        expect(yield* reasonOf(withHeader("svix-timestamp", timestamp))).toBe("invalid-signature")
      }
      for (const signature of ["garbage", "v1,", "v1,not base64!", ",,,", "v1,AAAA"]) {
        expect(yield* reasonOf(withHeader("svix-signature", signature))).toBe("invalid-signature")
      }
    }))

  it.effect("refuses a body over 1 MiB as invalid-body, even when it is signed", () =>
    Effect.gen(function*() {
      const huge = JSON.stringify(eventJson("user.created", { blob: "x".repeat(Webhooks.maxBodyBytes) }))
      expect(yield* reasonOf({ body: huge, headers: svixHeaders({ body: huge }) })).toBe("invalid-body")
      // Three UTF-8 bytes per character: the string is under the limit, its bytes are not.
      const wide = JSON.stringify(eventJson("user.created", { blob: "€".repeat(Webhooks.maxBodyBytes / 2) }))
      expect(yield* reasonOf({ body: wide, headers: svixHeaders({ body: wide }) })).toBe("invalid-body")
    }))

  it.effect("refuses an authentic body that is not JSON of a Clerk event as invalid-body", () =>
    Effect.gen(function*() {
      for (const text of ["not json", "", "[]", "{}", JSON.stringify({ ...eventJson("session.ended", {}) })]) {
        const error = yield* verify({ body: text, headers: svixHeaders({ body: text }) }).pipe(Effect.flip)
        expect(error.reason, text).toBe("invalid-body")
      }
      const bytes = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
      const signature = InternalHmac.makeKeyring([
        new Uint8Array(Buffer.from(secretBase64, "base64"))
      ]).pipe(
        Effect.flatMap((keyring) =>
          InternalWebhooks.signDelivery(keyring, { id, timestamp: signedAt.getTime(), body: bytes })
        )
      )
      const headers = yield* Effect.orDie(signature)
      expect(yield* reasonOf({ body: bytes, headers: { ...headers } })).toBe("invalid-body")
    }))

  it.effect("says where an authentic event does not decode, without repeating its values", () =>
    Effect.gen(function*() {
      const text = JSON.stringify(eventJson("session.revoked", { ...session, status: "sleeping" }))
      const error = yield* verify({ body: text, headers: svixHeaders({ body: text }) }).pipe(Effect.flip)
      expect(error.reason).toBe("invalid-body")
      expect(error.message).toContain("data.status")
      expect(error.message).not.toContain("sleeping")
    }))

  it.effect("refuses an empty or malformed secret as invalid-secret", () =>
    Effect.gen(function*() {
      for (const bad of ["", "whsec_", "  ", "whsec_not base64!", "whsec_abc", Redacted.make("whsec_====")]) {
        expect(yield* reasonOf({ secret: bad })).toBe("invalid-secret")
      }
      expect(yield* reasonOf({ secret: [] })).toBe("invalid-secret")
      expect(yield* reasonOf({ secret: [secret, "whsec_%%%%"] })).toBe("invalid-secret")
    }))

  it.effect.prop(
    "accepts any id and body svix or standardwebhooks signed, and refuses them once a byte changes",
    [
      FastCheck.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      FastCheck.string({ unit: "grapheme", maxLength: 300 }),
      FastCheck.jsonValue(),
      FastCheck.boolean()
    ],
    ([messageId, type, data, withSvix]) =>
      Effect.gen(function*() {
        const text = JSON.stringify(eventJson(`x.${type}`, data))
        const headers = withSvix
          ? svixHeaders({ id: messageId, body: text })
          : standardHeaders({ id: messageId, body: text })
        const delivery = yield* verify({ headers, body: text })
        expect(delivery.id).toBe(messageId)
        expect(delivery.event).toMatchObject({ _tag: "UnknownEvent", type: `x.${type}` })
        expect(yield* reasonOf({ headers, body: `${text} ` })).toBe("invalid-signature")
        expect(yield* reasonOf({ headers, body: text.slice(1) })).toBe("invalid-signature")
      }),
    { fastCheck: { numRuns: 50 } }
  )

  it.effect.prop(
    "answers every input with a WebhookVerificationError or a delivery, never a defect",
    [
      FastCheck.dictionary(
        FastCheck.constantFrom("svix-id", "svix-timestamp", "svix-signature", "webhook-id", "Webhook-Signature", "x"),
        FastCheck.oneof(FastCheck.string(), FastCheck.constant(seconds), FastCheck.array(FastCheck.string()))
      ),
      FastCheck.oneof(FastCheck.string(), FastCheck.uint8Array())
    ],
    ([headers, garbage]) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(verify({ headers, body: garbage }))
        expect(Exit.isSuccess(exit) || exit.cause._tag === "Fail").toBe(true)
      }),
    { fastCheck: { numRuns: 100 } }
  )
})

describe("Webhooks.sign", () => {
  it.effect("signs deliveries that the svix and standardwebhooks libraries verify", () =>
    Effect.gen(function*() {
      const now = DateTime.unsafeMake(Date.now())
      const headers = yield* Webhooks.sign({ secret, id, body, timestamp: now })
      expect(new SvixWebhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body))
      expect(new StandardWebhook(secret).verify(body, {
        "webhook-id": headers["svix-id"],
        "webhook-timestamp": headers["svix-timestamp"],
        "webhook-signature": headers["svix-signature"]
      })).toEqual(JSON.parse(body))
      expect(() => new SvixWebhook(otherSecret).verify(body, { ...headers })).toThrow()
    }))

  it.effect("signs at the Clock's time with the first secret, and what it signs verifies", () =>
    Effect.gen(function*() {
      yield* atSigningTime
      const headers = yield* Webhooks.sign({ secret: [secret, otherSecret], id, body })
      expect(headers).toEqual(svixHeaders())
      yield* Webhooks.verify({ secret, headers: { ...headers }, body })
    }))
})

describe("the WebCrypto fallback", () => {
  const keyring = (secrets: ReadonlyArray<string>, webCrypto: boolean) =>
    Effect.flatMap(
      Effect.orDie(InternalWebhooks.decodeSecrets(secrets)),
      (keys) => Effect.orDie(InternalHmac.makeKeyring(keys, { webCrypto }))
    )

  it.effect("decides every delivery as node:crypto does, and signs the same", () =>
    Effect.gen(function*() {
      yield* atSigningTime
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Webhooks.Request]> = [
        [[secret], { headers: svixHeaders(), body }],
        [[otherSecret, secret], { headers: standardHeaders(), body: new TextEncoder().encode(body) }],
        [[otherSecret], { headers: svixHeaders(), body }],
        [[secret], { headers: svixHeaders(), body: `${body} ` }],
        [[secret], { headers: { ...svixHeaders(), "svix-id": "msg_other" }, body }],
        [[secret], {
          headers: {
            ...svixHeaders(),
            "svix-signature": `v1,AAAA ${svixHeaders({ secret: otherSecret })["svix-signature"]} ${
              svixHeaders()["svix-signature"]
            }`
          },
          body
        }]
      ]
      const outcomes = yield* Effect.forEach(cases, ([secrets, request]) =>
        Effect.forEach([false, true], (webCrypto) =>
          keyring(secrets, webCrypto).pipe(
            Effect.flatMap((ring) =>
              InternalWebhooks.verifyDelivery(ring, request)
            ),
            Effect.match({ onFailure: (failure) => failure.reason, onSuccess: (delivery) => delivery.id })
          )))
      expect(outcomes).toEqual([
        [id, id],
        [id, id],
        ["invalid-signature", "invalid-signature"],
        ["invalid-signature", "invalid-signature"],
        ["invalid-signature", "invalid-signature"],
        [id, id]
      ])
      const signatures = yield* Effect.forEach([false, true], (webCrypto) =>
        Effect.flatMap(
          keyring([secret], webCrypto),
          (ring) => InternalWebhooks.signDelivery(ring, { id, timestamp: signedAt.getTime(), body })
        ))
      expect(signatures).toEqual([svixHeaders(), svixHeaders()])
    }))
})

describe("the Verifier layers", () => {
  it.effect("verify with the secrets imported once", () =>
    Effect.gen(function*() {
      yield* atSigningTime
      const verifier = yield* Webhooks.Verifier
      expect((yield* verifier.verify({ headers: svixHeaders({ secret: otherSecret }), body })).id).toBe(id)
      expect((yield* verifier.verify({ headers: standardHeaders(), body })).id).toBe(id)
      const error = yield* Effect.flip(verifier.verify({ headers: svixHeaders(), body: `${body}\n` }))
      expect(error.reason).toBe("invalid-signature")
    }).pipe(Effect.provide(Webhooks.layer({ secret: [Redacted.make(secret), otherSecret] }))))

  it.effect("fail to build with an invalid secret, saying nothing of it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(Webhooks.layer({ secret: "whsec_sup3r-secret!" })))
      expect(error._tag === "WebhookVerificationError" && error.reason).toBe("invalid-secret")
      expect(String(error)).not.toContain("sup3r")
    }).pipe(Effect.scoped))

  it.effect("read CLERK_WEBHOOK_SIGNING_SECRET, several secrets separated by spaces", () =>
    Effect.gen(function*() {
      yield* atSigningTime
      const verifier = yield* Webhooks.Verifier
      yield* verifier.verify({ headers: svixHeaders(), body })
      yield* verifier.verify({ headers: svixHeaders({ secret: otherSecret }), body })
    }).pipe(
      Effect.provide(Webhooks.layerConfig()),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map([["CLERK_WEBHOOK_SIGNING_SECRET", `${secret} ${otherSecret}`]]))
      )
    ))

  it.effect("fail with a ConfigError when the variable is not set", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(Webhooks.layerConfig()))
      expect(error._tag).not.toBe("WebhookVerificationError")
    }).pipe(Effect.scoped, Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
})

describe("secrets never leak", () => {
  const fragments = [secret, secretBase64, otherSecret.slice(6), svixHeaders()["svix-signature"].slice(3)]

  it.effect("into an error's text or JSON, nor into the logs and spans of a failed verification", () =>
    Effect.gen(function*() {
      yield* atSigningTime
      const stranger = svixHeaders({ secret: otherSecret })
      const failures = [
        {
          secret: Redacted.make(secret),
          headers: {
            ...stranger,
            "svix-signature": `${stranger["svix-signature"]} ${svixHeaders()["svix-signature"]}`
          },
          body: `${body} `
        },
        { secret: `${secret} whsec_${secretBase64}!` },
        { secret: [secret], headers: svixHeaders({ at: new Date(0) }) },
        { body: "no json", headers: svixHeaders({ body: "no json" }) }
      ]
      for (const options of failures) {
        const error = yield* verify(options).pipe(
          Effect.tapErrorCause((cause) => Effect.logError("webhook refused", cause)),
          Effect.withSpan("POST /webhooks/clerk"),
          Effect.flip
        )
        for (const fragment of fragments) {
          expect(String(error)).not.toContain(fragment)
          expect(JSON.stringify(error)).not.toContain(fragment)
        }
      }
      const captured = yield* Observe.Captured
      const text = yield* captured.text
      expect(text).toContain("webhook refused")
      expect(text).toContain("POST /webhooks/clerk")
      expect(text).toContain("WebhookVerificationError: no signature matches a signing secret")
      for (const fragment of fragments) expect(text).not.toContain(fragment)
    }).pipe(Effect.provide(Observe.layer)))
})

describe("Webhooks.impersonationOf", () => {
  const eventOf = (type: string, data: unknown) =>
    Effect.zipRight(
      atSigningTime,
      Webhooks.verify({
        secret,
        headers: svixHeaders({ body: JSON.stringify(eventJson(type, data, 1_700_000_123_000)) }),
        body: JSON.stringify(eventJson(type, data, 1_700_000_123_000))
      })
    ).pipe(Effect.map((delivery) => delivery.event))

  it.effect("reads a started impersonation from session.created with an actor", () =>
    Effect.gen(function*() {
      const record = Webhooks.impersonationOf(yield* eventOf("session.created", session))
      expect(record).toEqual(Option.some(
        new Webhooks.ImpersonationStarted({
          actor: session.actor,
          userId: session.user_id as never,
          sessionId: session.id as never,
          at: DateTime.unsafeMake(1_700_000_123_000),
          expiresAt: DateTime.unsafeMake(session.expire_at)
        })
      ))
    }))

  it.effect("reads an ended impersonation, its reason from the event type or an expired status", () =>
    Effect.gen(function*() {
      const reasonOf = (type: string, status: string) =>
        eventOf(type, { ...session, status }).pipe(
          Effect.map(Webhooks.impersonationOf),
          Effect.map(Option.map((record) => record._tag === "ImpersonationEnded" ? record.reason : record._tag))
        )
      expect(yield* reasonOf("session.ended", "ended")).toEqual(Option.some("ended"))
      expect(yield* reasonOf("session.revoked", "revoked")).toEqual(Option.some("revoked"))
      expect(yield* reasonOf("session.removed", "removed")).toEqual(Option.some("removed"))
      expect(yield* reasonOf("session.ended", "expired")).toEqual(Option.some("expired"))
      expect(yield* reasonOf("session.removed", "expired")).toEqual(Option.some("expired"))
      const ended = Webhooks.impersonationOf(yield* eventOf("session.revoked", { ...session, status: "revoked" }))
      expect(Option.getOrThrow(ended)).toMatchObject({
        _tag: "ImpersonationEnded",
        actor: session.actor,
        sessionId: session.id,
        userId: session.user_id,
        at: DateTime.unsafeMake(1_700_000_123_000)
      })
    }))

  it.effect("is None for a session that is no impersonation, a pending session and every other event", () =>
    Effect.gen(function*() {
      const { actor: _, ...plain } = session
      expect(Webhooks.impersonationOf(yield* eventOf("session.created", plain))).toEqual(Option.none())
      expect(Webhooks.impersonationOf(yield* eventOf("session.ended", { ...session, actor: null }))).toEqual(
        Option.none()
      )
      expect(Webhooks.impersonationOf(yield* eventOf("session.pending", session))).toEqual(Option.none())
      expect(Webhooks.impersonationOf(yield* eventOf("user.created", { actor: session.actor }))).toEqual(
        Option.none()
      )
    }))

  it.effect("makes records that survive a trip through JSON", () =>
    Effect.gen(function*() {
      const record = Option.getOrThrow(Webhooks.impersonationOf(yield* eventOf("session.created", session)))
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(Webhooks.Impersonation)(record)))
      expect(json).toMatchObject({ _tag: "ImpersonationStarted", at: "2023-11-14T22:15:23.000Z" })
      expect(Schema.decodeUnknownSync(Webhooks.Impersonation)(json)).toEqual(record)
    }))
})
