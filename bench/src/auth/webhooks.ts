/**
 * CPU per verification of one signed 2 KB Clerk event, side by side in one process: the `svix` library's
 * `Webhook.verify`, `standardwebhooks`' `verify`, and `Webhooks` (the `Verifier` a layer holds, and the function form that
 * imports the secret on every call). Each round runs a batch of every verifier in turn, the order rotating, so drift
 * spreads over all of them. Every verifier also parses the JSON; ours decodes the event too.
 */
import { Webhooks } from "@effect-clerk/auth"
import { WebhookEvent } from "@effect-clerk/schema"
import { Effect, Schema } from "effect"
import { Webhook as StandardWebhook } from "standardwebhooks"
import { Webhook as SvixWebhook } from "svix"

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
const rounds = Number(process.env.ROUNDS ?? 30)
const batch = Number(process.env.BATCH ?? 2_000)

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

type Verify = (headers: Record<string, string>) => Promise<unknown>

const decodeEvent = Schema.decodeUnknownSync(WebhookEvent.WebhookEvent)
const svix = new SvixWebhook(secret)
const standard = new StandardWebhook(secret)
const verifiers: ReadonlyArray<readonly [string, Verify]> = [
  ["svix Webhook.verify", async (headers) => svix.verify(body, headers)],
  ["standardwebhooks verify", async (headers) =>
    standard.verify(body, {
      "webhook-id": headers["svix-id"]!,
      "webhook-timestamp": headers["svix-timestamp"]!,
      "webhook-signature": headers["svix-signature"]!
    })],
  ["Webhooks Verifier (layer)", (headers) => Effect.runPromise(verifier.verify({ headers, body }))],
  ["Webhooks.verify (function)", (headers) => Effect.runPromise(Webhooks.verify({ secret, headers, body }))],
  // Not a verifier: the share of ours that decoding the event with the schema package takes, without any signature.
  ["of which JSON.parse + WebhookEvent decode", async () => decodeEvent(JSON.parse(body))]
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
  await verify(signNow()).catch((error) => {
    throw new Error(`${name} refused the benchmark's delivery: ${String(error)}`)
  })
  for (let i = 0; i < batch; i++) await verify(signNow())
}

const perRound = new Map(verifiers.map(([name]) => [name, [] as Array<number>]))
for (let round = 0; round < rounds; round++) {
  const headers = signNow()
  for (let k = 0; k < verifiers.length; k++) {
    const [name, verify] = verifiers[(k + round) % verifiers.length]!
    const start = cpuMicros()
    for (let i = 0; i < batch; i++) await verify(headers)
    perRound.get(name)!.push((cpuMicros() - start) / batch)
  }
}

const svixRounds = perRound.get("svix Webhook.verify")!
const svixMean = mean(svixRounds)
const svixRelativeError = standardError(svixRounds) / svixMean
const rows = verifiers.map(([name]) => {
  const values = perRound.get(name)!
  const m = mean(values)
  const ratio = m / svixMean
  // Relative errors add in quadrature; ± 2 standard errors is the noise band.
  const band = 2 * ratio * Math.hypot(standardError(values) / m, svixRelativeError)
  return [
    name,
    `${m.toFixed(2)} µs`,
    `± ${(2 * standardError(values)).toFixed(2)} µs`,
    `${ratio.toFixed(2)}× ± ${band.toFixed(2)}`
  ]
})

console.log(
  `Verifying one ${Buffer.byteLength(body)}-byte signed Clerk event: CPU (user + system) per call, mean of ${rounds} ` +
    `rounds × ${batch} calls, Node ${process.version}\n`
)
console.log(table(["verifier", "CPU per call", "± 2 SE", "vs svix (± 2 SE)"], rows))
