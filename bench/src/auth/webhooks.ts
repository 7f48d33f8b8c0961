/**
 * CPU per verification of one signed 2 KB Clerk event, side by side in one process: the `svix` library's
 * `Webhook.verify`, `standardwebhooks`' `verify`, and `Webhooks` (the `Verifier` a layer holds, and the function form
 * that imports the secret on every call), with the body as a string and as bytes. Ours run in one fiber, as a request
 * handler runs them, and once more through `Effect.runPromise` per call. Each round runs a batch of every verifier in
 * turn, the order rotating, so drift spreads over all of them. Every verifier also parses the JSON; ours decodes the
 * event too.
 */
import { Webhooks } from "@effect-clerk/auth"
import { WebhookEvent } from "@effect-clerk/schema"
import { Effect, Either, Schema } from "effect"
import { Webhook as StandardWebhook } from "standardwebhooks"
import { Webhook as SvixWebhook } from "svix"

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const quick = process.argv.includes("--quick")
const rounds = Number(process.env.ROUNDS ?? (quick ? 4 : 30))
const batch = Number(process.env.BATCH ?? (quick ? 500 : 2_000))

const session = {
  object: "session",
  id: "sess_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  user_id: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  client_id: "client_2EL6mQKzeUtoRwGuLZsznyfkIsH",
  actor: { sub: "user_support_42", iss: "https://dashboard.clerk.com", reason: "ticket T-1234" },
  status: "active",
  last_active_organization_id: null,
  last_active_at: 1_700_000_000_000,
  latest_activity: { object: "session_activity", id: "sess_activity_1", is_mobile: false, city: "Berlin" },
  expire_at: 1_700_001_800_000,
  abandon_at: 1_702_592_000_000,
  updated_at: 1_700_000_000_000,
  created_at: 1_700_000_000_000
}

const eventWithUser = (padding: number) =>
  JSON.stringify({
    data: {
      ...session,
      user: {
        id: session.user_id,
        object: "user",
        first_name: "Ada",
        last_name: "Lovelace",
        email_addresses: [{ id: "idn_1", email_address: "ada@example.com", verification: { status: "verified" } }],
        public_metadata: { note: "x".repeat(padding) }
      }
    },
    event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "Mozilla/5.0 (Macintosh)" } },
    instance_id: "ins_2abcdefghijklmnopqrstuvwx",
    object: "event",
    timestamp: 1_700_000_000_000,
    type: "session.created"
  })

const body = eventWithUser(2048 - eventWithUser(0).length)
const id = "msg_2abcDEFghiJKLmnoPQRstuVWX"

/** Headers signed now: re-made every round, so the 5-minute window never closes on a long run. */
const signNow = () => {
  const now = new Date()
  return {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
    "svix-signature": new SvixWebhook(secret).sign(id, now, body)
  }
}

const verifier = await Effect.runPromise(Webhooks.make({ secret }))

/** Verifies the same delivery `calls` times. */
type Batch = (headers: Record<string, string>, calls: number) => Promise<unknown>

const svix = new SvixWebhook(secret)
const standard = new StandardWebhook(secret)
const parseEvent = Schema.decodeUnknownSync(WebhookEvent.WebhookEvent)

/** A batch of Effects run in one fiber, as a request handler runs them. */
const inFiber = (verify: (headers: Record<string, string>) => Effect.Effect<unknown, unknown>): Batch =>
(
  headers,
  calls
) =>
  Effect.runPromise(Effect.gen(function*() {
    for (let i = 0; i < calls; i++) yield* verify(headers)
  }))

const syncLoop = (verify: (headers: Record<string, string>) => unknown): Batch => async (headers, calls) => {
  for (let i = 0; i < calls; i++) verify(headers)
}

const bytes = new TextEncoder().encode(body)
const buffer = Buffer.from(bytes)

const svixRow = "svix Webhook.verify"
const svixBytesRow = "svix Webhook.verify, Buffer body"
/** The rows the goal is about: ours, as an application's handler runs it, against svix on the same body. */
const goalRows: ReadonlyArray<readonly [string, string]> = [
  ["Webhooks Verifier (layer), in a fiber", svixRow],
  ["Webhooks Verifier (layer), in a fiber, bytes body", svixBytesRow]
]

/** Name, the batch, and the row its ratio is taken against. */
const verifiers: ReadonlyArray<readonly [string, Batch, string]> = [
  [svixRow, syncLoop((headers) => svix.verify(body, headers)), svixRow],
  [
    "standardwebhooks verify",
    syncLoop((headers) =>
      standard.verify(body, {
        "webhook-id": headers["svix-id"]!,
        "webhook-timestamp": headers["svix-timestamp"]!,
        "webhook-signature": headers["svix-signature"]!
      })
    ),
    svixRow
  ],
  [goalRows[0]![0], inFiber((headers) => verifier.verify({ headers, body })), svixRow],
  ["Webhooks.verify (function), in a fiber", inFiber((headers) => Webhooks.verify({ secret, headers, body })), svixRow],
  // What a caller outside Effect pays: a fiber and a promise per delivery.
  ["Webhooks Verifier, Effect.runPromise per call", async (headers, calls) => {
    for (let i = 0; i < calls; i++) await Effect.runPromise(verifier.verify({ headers, body }))
  }, svixRow],
  // The body as a server reads it off the socket (`Webhooks.endpoint` passes bytes).
  [svixBytesRow, syncLoop((headers) => svix.verify(buffer, headers)), svixBytesRow],
  [goalRows[1]![0], inFiber((headers) => verifier.verify({ headers, body: bytes })), svixBytesRow],
  // Not verifiers: the share of ours that decoding the event takes, without any signature, and what the schema's
  // parser alone would take.
  [
    "of which JSON.parse + WebhookEvent.decodeUnknownEither",
    syncLoop(() => Either.getOrThrow(WebhookEvent.decodeUnknownEither(JSON.parse(body)))),
    svixRow
  ],
  ["(JSON.parse + Schema.decodeUnknownSync(WebhookEvent))", syncLoop(() => parseEvent(JSON.parse(body))), svixRow]
]

const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [head, head.map((_, i) => (i === 0 ? "---" : "---:")), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n")

const mean = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0) / values.length
const standardError = (values: ReadonlyArray<number>): number => {
  const m = mean(values)
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length)
}

// Every verifier must accept the delivery before it is timed.
for (const [name, verify] of verifiers) {
  await verify(signNow(), batch).catch((error) => {
    throw new Error(`${name} refused the benchmark's delivery: ${String(error)}`)
  })
}

const perRound = new Map(verifiers.map(([name]) => [name, [] as Array<number>]))
for (let round = 0; round < rounds; round++) {
  const headers = signNow()
  for (let k = 0; k < verifiers.length; k++) {
    const [name, verify] = verifiers[(k + round) % verifiers.length]!
    const start = cpuMicros()
    await verify(headers, batch)
    perRound.get(name)!.push((cpuMicros() - start) / batch)
  }
}

const relativeError = (name: string): number => standardError(perRound.get(name)!) / mean(perRound.get(name)!)
/** The mean ratio of a row to its baseline, and ± 2 standard errors (relative errors add in quadrature). */
const ratioOf = (name: string, baseline: string): readonly [number, number] => {
  const ratio = mean(perRound.get(name)!) / mean(perRound.get(baseline)!)
  return [ratio, 2 * ratio * Math.hypot(relativeError(name), relativeError(baseline))]
}
const rows = verifiers.map(([name, , baseline]) => {
  const values = perRound.get(name)!
  const [ratio, band] = ratioOf(name, baseline)
  return [
    name,
    `${mean(values).toFixed(2)} µs`,
    `± ${(2 * standardError(values)).toFixed(2)} µs`,
    `${ratio.toFixed(2)}× ± ${band.toFixed(2)}`,
    baseline
  ]
})

console.log(
  `Verifying one ${Buffer.byteLength(body)}-byte signed Clerk event: CPU (user + system) per call, mean of ${rounds} ` +
    `rounds × ${batch} calls, Node ${process.version}\n`
)
console.log(table(["verifier", "CPU per call", "± 2 SE", "ratio (± 2 SE)", "against"], rows))
console.log("\nGoal: verifying costs at most the CPU of svix's verify on the same body")
for (const [name, baseline] of goalRows) {
  const [ratio, band] = ratioOf(name, baseline)
  console.log(`- ${name}: ${ratio.toFixed(2)}× ± ${band.toFixed(2)} ${ratio <= 1 ? "(met)" : "(missed)"}`)
}
