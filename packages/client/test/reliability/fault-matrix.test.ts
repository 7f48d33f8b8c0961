/**
 * The fault matrix: every fault the emulator can inject × {create, revoke} × {first attempt only, every attempt}
 * (× `retryCreateOnAmbiguousFailure` for create), through the real client over the in-memory emulator, on the
 * TestClock. Each cell checks the outcome (success after N attempts, or the exact error), the requests the emulator
 * saw, its state, that nothing hung, that no defect or unhandled rejection happened, and that neither the secret key
 * nor any credential the emulator minted shows up in logs, spans or the error's renderings.
 *
 * The expected outcome of a cell is derived from the retry policy (README, "Retry policy"), not listed per cell:
 * a fault is `final` (never retried), `safe` (always retried: 429) or `ambiguous` (retried for revoke, and for
 * create only with the opt-in).
 *
 * The observed matrix is printed. MATRIX.md next to this file is written only on request, by `pnpm matrix` (which sets
 * `UPDATE_MATRIX=1`), and only once every cell has passed: `pnpm test` never changes it, and warns when it is stale.
 */
import { ActorTokens } from "@effect-clerk/client"
import { Emulator, Observe, TestClerk } from "@effect-clerk/test-kit"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Random, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import {
  type Bounded,
  callBound,
  callFloor,
  capturedText,
  classify,
  describeError,
  leaks,
  renderings,
  runBounded,
  sentinelKey,
  sentinelKeyCore,
  watchUnhandledRejections
} from "./harness.js"

// ---------------------------------------------------------------------------------------------------------------
// the faults and what the client must make of them
// ---------------------------------------------------------------------------------------------------------------

type Retry = "final" | "safe" | "ambiguous"

interface FaultCase {
  readonly name: string
  readonly fault: Emulator.Fault
  readonly retry: Retry
  /** The error a caller gets when the fault is not (or no longer) retried. */
  readonly error: { readonly _tag: string; readonly [field: string]: unknown }
  /** Extra checks on that error. */
  readonly check?: (error: Record<string, unknown>) => void
  readonly retryAfter?: Duration.DurationInput
}

const retryAfter = Duration.seconds(2)

const serverError = (status: number): FaultCase => ({
  name: `${status} (Clerk JSON)`,
  fault: Emulator.Fault.Status({ status }),
  retry: "ambiguous",
  error: { _tag: "ClerkServerError", status },
  check: (error) => expect((error["errors"] as Array<{ code: string }>)[0]?.code).toBe("internal_clerk_error")
})

const faults: ReadonlyArray<FaultCase> = [
  serverError(500),
  serverError(502),
  serverError(503),
  serverError(504),
  {
    name: "429, Retry-After: 2 (seconds)",
    fault: Emulator.Fault.RateLimited({ retryAfter }),
    retry: "safe",
    retryAfter,
    error: { _tag: "ClerkRateLimited", status: 429 },
    check: (error) => expect(error["retryAfter"]).toEqual(retryAfter)
  },
  {
    name: "429, Retry-After: HTTP date (+2 s)",
    fault: Emulator.Fault.RateLimited({ retryAfter, httpDate: true }),
    retry: "safe",
    retryAfter,
    error: { _tag: "ClerkRateLimited", status: 429 },
    // An HTTP date has whole seconds: from a Clock between two seconds, the wait is a little under 2 s.
    check: (error) => {
      const wait = Duration.toMillis(error["retryAfter"] as Duration.Duration)
      expect(wait).toBeGreaterThan(1_000)
      expect(wait).toBeLessThanOrEqual(2_000)
    }
  },
  {
    name: "connection reset",
    fault: Emulator.Fault.ConnectionReset(),
    retry: "ambiguous",
    error: { _tag: "ClerkTransportError", reason: "ConnectionReset" }
  },
  {
    name: "stall past the timeout",
    fault: Emulator.Fault.Stall(),
    retry: "ambiguous",
    error: { _tag: "ClerkTransportError", reason: "Timeout" }
  },
  {
    name: "HTML page, 502",
    fault: Emulator.Fault.HtmlPage({ status: 502 }),
    retry: "ambiguous",
    error: { _tag: "ClerkServerError", status: 502, errors: [], message: "Clerk answered 502 Bad Gateway" }
  },
  {
    name: "HTML page, 200",
    fault: Emulator.Fault.HtmlPage({ status: 200 }),
    retry: "final",
    error: { _tag: "ClerkDecodeError", status: 200, reason: "InvalidJson" }
  },
  {
    name: "truncated JSON, 200",
    fault: Emulator.Fault.TruncatedJson(),
    retry: "final",
    error: { _tag: "ClerkDecodeError", status: 200, reason: "InvalidJson" }
  },
  {
    name: "wrong-shaped JSON, 200",
    fault: Emulator.Fault.WrongShape(),
    retry: "final",
    error: { _tag: "ClerkDecodeError", status: 200, reason: "SchemaMismatch" }
  },
  {
    name: "empty body, 200",
    fault: Emulator.Fault.EmptyBody(),
    retry: "final",
    error: { _tag: "ClerkDecodeError", status: 200, reason: "InvalidJson", message: "the response body is empty" }
  }
]

// ---------------------------------------------------------------------------------------------------------------
// cells
// ---------------------------------------------------------------------------------------------------------------

const maxRetries = 2
const timeout = Duration.seconds(1)
const params = { userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_support_42", ticket: "T-1" } }

type Operation = "create" | "revoke"
type Faulted = "first" | "every"

interface Column {
  readonly operation: Operation
  readonly faulted: Faulted
  readonly optIn: boolean
}

const columns: ReadonlyArray<Column> = [
  { operation: "create", faulted: "first", optIn: false },
  { operation: "create", faulted: "every", optIn: false },
  { operation: "create", faulted: "first", optIn: true },
  { operation: "create", faulted: "every", optIn: true },
  { operation: "revoke", faulted: "first", optIn: false },
  { operation: "revoke", faulted: "every", optIn: false }
]

const columnName = (column: Column): string =>
  `${column.operation}${column.optIn ? " + opt-in" : ""}, ${
    column.faulted === "first" ? "1st attempt" : "every attempt"
  }`

const isRetried = (fault: FaultCase, column: Column): boolean =>
  fault.retry === "safe" || (fault.retry === "ambiguous" && (column.operation === "revoke" || column.optIn))

interface Expected {
  readonly success: boolean
  readonly attempts: number
}

const expected = (fault: FaultCase, column: Column): Expected => {
  const retried = isRetried(fault, column)
  if (column.faulted === "first") return retried ? { success: true, attempts: 2 } : { success: false, attempts: 1 }
  return { success: false, attempts: retried ? maxRetries + 1 : 1 }
}

interface Observed {
  readonly row: string
  readonly column: string
  readonly outcome: string
  readonly requests: number
  readonly elapsedMillis: number
}

const observed: Array<Observed> = []

/** The names of the tests (cells and after-processing cases) whose every assertion held. */
const passed = new Set<string>()

const clerk = (optIn: boolean) =>
  Layer.merge(
    TestClerk.layer({
      emulator: { secretKey: sentinelKey },
      client: { maxRetries, timeout, retryCreateOnAmbiguousFailure: optIn }
    }),
    Observe.layer
  )

interface CellResult {
  readonly run: Bounded<unknown>
  readonly requests: number
  readonly tokens: ReadonlyArray<Emulator.StoredToken>
  readonly target: string | undefined
  readonly leaked: ReadonlyArray<string>
}

/**
 * Runs one call with `fault` injected (`times` requests, before or after processing) and collects what the cell
 * asserts on. For revoke, a pending token is created first, before any fault.
 */
const runCell = (options: {
  readonly operation: Operation
  readonly fault: Emulator.Fault
  readonly times: number
  readonly afterProcessing: boolean
  readonly bound: Duration.Duration
}) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const target = options.operation === "revoke" ? (yield* ActorTokens.create(params)).id : undefined
    const before = yield* emulator.requestCount(options.operation)
    yield* emulator.injectFault(options.fault, {
      operation: options.operation,
      times: options.times,
      afterProcessing: options.afterProcessing
    })
    const call = target === undefined ? ActorTokens.create(params) : ActorTokens.revoke(target)
    const run = yield* runBounded(call.pipe(Effect.tapErrorCause(Effect.logError)), options.bound)
    const requests = (yield* emulator.requestCount(options.operation)) - before
    const tokens = yield* emulator.tokens
    // Every credential the emulator minted, and the key: none may appear in logs, spans or renderings.
    const secrets = [
      sentinelKey,
      sentinelKeyCore,
      ...tokens.flatMap((t) => [t.token, t.url].flatMap((c) => (c == null ? [] : [Redacted.value(c)])))
    ]
    const leaked = leaks(
      {
        "logs and spans": [yield* capturedText],
        renderings: Option.match(run.exit, { onNone: () => [], onSome: renderings })
      },
      secrets
    )
    // A truncated or reshaped body carries a sample token the emulator does not store: no ticket-like run of 64
    // base62 characters, and no ticket URL, may show up either.
    const ticketLike = /[0-9A-Za-z]{64}|tickets\/accept/.exec(yield* capturedText)
    const result: CellResult = {
      run,
      requests,
      tokens,
      target,
      leaked: ticketLike ? [...leaked, ticketLike[0]] : leaked
    }
    return result
  })

const unhandled = { seen: [] as Array<unknown>, stop: () => {} }
beforeAll(() => {
  Object.assign(unhandled, watchUnhandledRejections())
})

describe("fault matrix (in-memory emulator, TestClock)", () => {
  for (const fault of faults) {
    for (const column of columns) {
      const want = expected(fault, column)
      const bound = callBound({ attempts: want.attempts, timeout, retryAfter: fault.retryAfter })
      // A stall fills every attempt it faults; a 429's wait is at least its Retry-After (an HTTP date has whole
      // seconds, so from a Clock between two seconds it can be up to 1 s shorter).
      const floor = callFloor({
        attempts: want.attempts,
        stalledAttempts: fault.fault._tag === "Stall" ? (column.faulted === "first" ? 1 : want.attempts) : 0,
        timeout,
        retryAfter: fault.retryAfter === undefined
          ? undefined
          : Duration.subtract(
            fault.retryAfter,
            fault.fault._tag === "RateLimited" && fault.fault.httpDate === true ? "1 second" : 0
          )
      })
      const name = `${fault.name} · ${columnName(column)}`
      it.effect(name, () =>
        Effect.gen(function*() {
          const { leaked, requests, run, target, tokens } = yield* runCell({
            operation: column.operation,
            fault: fault.fault,
            times: column.faulted === "first" ? 1 : 1_000,
            afterProcessing: false,
            bound
          })
          assert(Option.isSome(run.exit), `no outcome within ${Duration.format(bound)}: the call hung`)
          const outcome = classify(run.exit.value)
          observed.push({
            row: fault.name,
            column: columnName(column),
            outcome: outcome._tag === "Success"
              ? "ok"
              : outcome._tag === "Failure"
              ? describeError(outcome.error)
              : "DEFECT",
            requests,
            elapsedMillis: run.elapsedMillis
          })
          assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
          expect(leaked).toEqual([])
          expect(requests).toBe(want.attempts)
          expect(run.elapsedMillis).toBeLessThanOrEqual(Duration.toMillis(bound))
          expect(run.elapsedMillis).toBeGreaterThanOrEqual(Duration.toMillis(floor))
          if (want.success) {
            assert(outcome._tag === "Success", `expected a token, got ${JSON.stringify(outcome)}`)
          } else {
            assert(outcome._tag === "Failure", "expected a typed error")
            expect(outcome.error).toMatchObject(fault.error)
            fault.check?.(outcome.error as unknown as Record<string, unknown>)
          }
          // Faults replace the request: the emulator changed state only for the attempt that got through.
          if (column.operation === "create") {
            expect(tokens).toHaveLength(want.success ? 1 : 0)
          } else {
            expect(tokens.map((t) => [t.id, t.status])).toEqual([[target, want.success ? "revoked" : "pending"]])
          }
          passed.add(name)
        }).pipe(
          Effect.provide(clerk(column.optIn)),
          Effect.withRandom(Random.make(`${fault.name}/${columnName(column)}`))
        ))
    }
  }
})

// ---------------------------------------------------------------------------------------------------------------
// after processing: the state changed, the response was lost
// ---------------------------------------------------------------------------------------------------------------

interface AfterCase {
  readonly name: string
  readonly operation: Operation
  readonly fault: Emulator.Fault
  readonly every: boolean
  readonly optIn: boolean
  readonly attempts: number
  readonly outcome: { readonly _tag: string; readonly [field: string]: unknown } | "success"
  /** The statuses of the tokens the emulator holds afterwards. */
  readonly tokens: ReadonlyArray<string>
  readonly note: string
}

const afterCases: ReadonlyArray<AfterCase> = [
  {
    name: "create · reset after processing",
    operation: "create",
    fault: Emulator.Fault.ConnectionReset(),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkTransportError", reason: "ConnectionReset" },
    tokens: ["pending"],
    note: "one token exists, the caller is told the outcome is unknown; never sent twice"
  },
  {
    name: "create · 500 after processing",
    operation: "create",
    fault: Emulator.Fault.Status({ status: 500 }),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkServerError", status: 500 },
    tokens: ["pending"],
    note: "as above"
  },
  {
    name: "create · stall after processing",
    operation: "create",
    fault: Emulator.Fault.Stall(),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkTransportError", reason: "Timeout" },
    tokens: ["pending"],
    note: "as above"
  },
  {
    name: "create · truncated JSON after processing",
    operation: "create",
    fault: Emulator.Fault.TruncatedJson(),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkDecodeError", reason: "InvalidJson" },
    tokens: ["pending"],
    note: "a decode error is never retried"
  },
  {
    name: "create + opt-in · reset after processing",
    operation: "create",
    fault: Emulator.Fault.ConnectionReset(),
    every: false,
    optIn: true,
    attempts: 2,
    outcome: "success",
    tokens: ["pending", "pending"],
    note: "the opt-in's price: two live tokens, the caller knows of one"
  },
  {
    name: "create + opt-in · 503 after processing, every attempt",
    operation: "create",
    fault: Emulator.Fault.Status({ status: 503 }),
    every: true,
    optIn: true,
    attempts: maxRetries + 1,
    outcome: { _tag: "ClerkServerError", status: 503 },
    tokens: ["pending", "pending", "pending"],
    note: "one token per attempt, none known to the caller"
  },
  {
    name: "revoke · reset after processing",
    operation: "revoke",
    fault: Emulator.Fault.ConnectionReset(),
    every: false,
    optIn: false,
    attempts: 2,
    outcome: { _tag: "ClerkBadRequest", status: 400 },
    tokens: ["revoked"],
    note: "the token is revoked, yet the caller gets an error: the retry finds it no longer pending (400 " +
      "`actor_token_cannot_be_revoked_code`)"
  },
  {
    name: "revoke · stall after processing",
    operation: "revoke",
    fault: Emulator.Fault.Stall(),
    every: false,
    optIn: false,
    attempts: 2,
    outcome: { _tag: "ClerkBadRequest", status: 400 },
    tokens: ["revoked"],
    note: "as above"
  }
]

interface AfterObserved {
  readonly name: string
  readonly outcome: string
  readonly requests: number
  readonly tokens: string
  readonly note: string
}

const afterObserved: Array<AfterObserved> = []

describe("faults after processing (state changed, response lost)", () => {
  for (const c of afterCases) {
    const bound = callBound({ attempts: c.attempts, timeout })
    it.effect(c.name, () =>
      Effect.gen(function*() {
        const { leaked, requests, run, target, tokens } = yield* runCell({
          operation: c.operation,
          fault: c.fault,
          times: c.every ? 1_000 : 1,
          afterProcessing: true,
          bound
        })
        assert(Option.isSome(run.exit), "the call hung")
        const outcome = classify(run.exit.value)
        afterObserved.push({
          name: c.name,
          outcome: outcome._tag === "Success"
            ? "ok"
            : outcome._tag === "Failure"
            ? describeError(outcome.error)
            : "DEFECT",
          requests,
          tokens: tokens.map((t) => t.status).join(", "),
          note: c.note
        })
        assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
        expect(leaked).toEqual([])
        expect(requests).toBe(c.attempts)
        expect(tokens.map((t) => t.status)).toEqual(c.tokens)
        if (c.outcome === "success") {
          assert(outcome._tag === "Success")
          // The caller holds the second token; the first one is live and unknown to it.
          expect(tokens.at(-1)?.id).toBe((outcome.value as { readonly id: string }).id)
        } else {
          assert(outcome._tag === "Failure")
          expect(outcome.error).toMatchObject(c.outcome)
        }
        if (c.operation === "revoke") {
          assert(outcome._tag === "Failure" && outcome.error._tag === "ClerkBadRequest")
          expect(outcome.error.errors[0]?.code).toBe("actor_token_cannot_be_revoked_code")
          expect(tokens[0]?.id).toBe(target)
        }
        passed.add(c.name)
      }).pipe(Effect.provide(clerk(c.optIn)), Effect.withRandom(Random.make(c.name))))
  }
})

// ---------------------------------------------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------------------------------------------

const cell = (o: Observed): string =>
  o.outcome === "ok"
    ? `✅ token · ${o.requests} req · ${Math.round(o.elapsedMillis)} ms`
    : `${o.outcome} · ${o.requests} req · ${Math.round(o.elapsedMillis)} ms`

const renderMatrix = (): string => {
  const header = `| fault | ${columns.map(columnName).join(" | ")} |`
  const rule = `|---|${columns.map(() => "---").join("|")}|`
  const rows = faults.map((fault) => {
    const cells = columns.map((column) => {
      const o = observed.find((x) => x.row === fault.name && x.column === columnName(column))
      return o === undefined ? "—" : cell(o)
    })
    return `| ${fault.name} | ${cells.join(" | ")} |`
  })
  const after = [
    "| scenario | outcome | requests | tokens in the emulator | |",
    "|---|---|---|---|---|",
    ...afterCases.map((c) => {
      const o = afterObserved.find((x) => x.name === c.name)
      return o === undefined
        ? `| ${c.name} | — | — | — | |`
        : `| ${o.name} | ${o.outcome === "ok" ? "✅ token" : o.outcome} | ${o.requests} | ${o.tokens} | ${o.note} |`
    })
  ]
  return [
    "# Fault matrix",
    "",
    "Written by `pnpm matrix` (`fault-matrix.test.ts` with `UPDATE_MATRIX=1`, once every cell passed; do not edit by",
    "hand): the real client over the in-memory emulator, on the TestClock, with",
    `\`maxRetries: ${maxRetries}\`, \`timeout: ${Duration.format(timeout)}\` and a seeded \`Random\`.`,
    "Each cell: the outcome (a token, or the error's `_tag` and status/reason), the requests the emulator saw, and",
    "the virtual time until the call ended. \"opt-in\" is `retryCreateOnAmbiguousFailure: true`. Every cell also",
    "checks: no defect, no hang (the call ends within attempts × timeout + the longest waits), no unhandled",
    "rejection, the emulator's state, and that neither the key nor a minted credential shows up in logs, spans or",
    "the error's renderings.",
    "",
    header,
    rule,
    ...rows,
    "",
    "## After processing (the request took effect, its response was lost)",
    "",
    ...after,
    ""
  ].join("\n")
}

afterAll(() => {
  unhandled.stop()
  expect(unhandled.seen).toEqual([])
  const table = renderMatrix()
  console.log(table)
  const all = faults.length * columns.length + afterCases.length
  const file = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "MATRIX.md")
  const current = Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : undefined
  if (process.env["UPDATE_MATRIX"] === "1") {
    // Assert first, then write: a table with a failed or missing cell is never recorded.
    expect(passed.size, `MATRIX.md is written only when all ${all} cells pass`).toBe(all)
    if (current !== table) Fs.writeFileSync(file, table)
  } else if (passed.size === all && current !== table) {
    console.warn("MATRIX.md does not match the observed matrix: run `npx -y pnpm@10.34.9 matrix` to rewrite it")
  }
})
