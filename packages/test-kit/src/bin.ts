#!/usr/bin/env node
/**
 * `clerk-emulator`: the emulator on 127.0.0.1 (or `--host`), for any client. Prints `listening on http://<host>:<port>`
 * once it listens; stops on SIGINT / SIGTERM with exit code 0.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Redacted from "effect/Redacted"
import { parseArgs } from "node:util"
import * as Emulator from "./Emulator.js"
import * as EmulatorServer from "./EmulatorServer.js"

const usage = `Usage: clerk-emulator [options]

Emulates Clerk's actor-token endpoints (Backend API) on http://<host>:<port>.

Options:
  --port <n>             port to listen on; 0 (the default) picks a free one
  --host <addr>          address to listen on (default ${EmulatorServer.hostname}); 0.0.0.0 to be reached from other hosts
  --base-url <url>       the address in ticket URLs, when clients use another one (default: the listening address)
  --secret-key <key>     the accepted secret key (default ${Emulator.defaultSecretKey})
  --rate-limit <n>       allow n requests per window, then answer 429 (default off; 100 when only --rate-window is set)
  --rate-window <s>      the rate-limit window in seconds (default 10)
  --quota <n>            tokens that may be created per month, then 422 impersonation_limit_exceeded
  --no-impersonation     emulate a plan without impersonation: creating a token answers 402
  --webhook-url <url>    POST Clerk's session webhook events there, signed (repeatable, each with a --webhook-secret)
  --webhook-secret <s>   the signing secret (whsec_…) of the --webhook-url in the same position
  -h, --help             show this help
`

const fail = (message: string): never => {
  process.stderr.write(`clerk-emulator: ${message}\n\n${usage}`)
  process.exit(2)
}

const wholeNumber = (flag: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  return Number.isSafeInteger(n) && n >= min ? n : fail(`--${flag} must be a whole number ≥ ${min}, got "${value}"`)
}

const parse = (): EmulatorServer.Options => {
  let values
  try {
    values = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "base-url": { type: "string" },
        "secret-key": { type: "string" },
        "rate-limit": { type: "string" },
        "rate-window": { type: "string" },
        quota: { type: "string" },
        "no-impersonation": { type: "boolean" },
        "webhook-url": { type: "string", multiple: true },
        "webhook-secret": { type: "string", multiple: true },
        help: { type: "boolean", short: "h" }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
  if (values.help === true) {
    process.stdout.write(usage)
    process.exit(0)
  }
  const port = wholeNumber("port", values.port, 0)
  if (port !== undefined && port > 65535) fail(`--port must be at most 65535, got ${port}`)
  const limit = wholeNumber("rate-limit", values["rate-limit"], 1)
  const interval = wholeNumber("rate-window", values["rate-window"], 1)
  const quota = wholeNumber("quota", values.quota, 0)
  if (values.host !== undefined && values.host.trim() === "") fail("--host must not be empty")
  // Paired in order: the n-th secret signs for the n-th URL.
  const urls = values["webhook-url"] ?? []
  const secrets = values["webhook-secret"] ?? []
  if (urls.length !== secrets.length) {
    fail(`each --webhook-url needs a --webhook-secret: got ${urls.length} URLs and ${secrets.length} secrets`)
  }
  return {
    port: port ?? 0,
    host: values.host,
    baseUrl: values["base-url"],
    secretKey: values["secret-key"],
    rateLimit: limit === undefined && interval === undefined
      ? undefined
      : { limit, interval: interval === undefined ? undefined : Duration.seconds(interval) },
    monthlyQuota: quota,
    impersonationOnPlan: values["no-impersonation"] !== true,
    webhooks: urls.map((url, i) => ({ url, secret: Redacted.make(secrets[i]!) }))
  }
}

const program = Effect.gen(function*() {
  const server = yield* EmulatorServer.make(parse())
  yield* Effect.sync(() => process.stdout.write(`listening on ${server.url}\n`))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  // A value the emulator refuses (--secret-key, --base-url, --webhook-url, --webhook-secret) is a bad flag like any
  // other.
  Effect.catchTag("EmulatorConfigError", (error) => Effect.sync(() => fail(error.message)))
)

const fiber = Effect.runFork(program)
const stop = () => fiber.unsafeInterruptAsFork(FiberId.none)
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
fiber.addObserver((exit) => {
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
    const error = Cause.squash(exit.cause)
    process.stderr.write(`clerk-emulator: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  process.exit(0)
})
