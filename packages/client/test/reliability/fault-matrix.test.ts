/**
 * The fault matrix: every fault the emulator can inject × {create, revoke, Sessions.list, Sessions.get,
 * Sessions.revoke} × {first attempt only, every attempt} (× `retryCreateOnAmbiguousFailure` for create), through the
 * real client over the in-memory emulator, on the TestClock. Each cell checks the outcome (success after N attempts,
 * or the exact error), the requests the emulator saw, its state, that nothing hung, that no defect or unhandled
 * rejection happened, and that neither the secret key nor any credential the emulator minted shows up in logs, spans
 * or the error's renderings.
 *
 * The expected outcome of a cell is derived from the retry policy (packages/client/README.md, "Retry policy"), not
 * listed per cell: a fault is `final` (never retried), `safe` (always retried: 429) or `ambiguous` (retried for the
 * idempotent operations — every one but create —, and for create only with the opt-in).
 *
 * The observed matrix is printed. MATRIX.md next to this file is written only on request, by `pnpm matrix` (which sets
 * `UPDATE_MATRIX=1`), and only once every cell has passed: `pnpm test` never changes it, and warns when it is stale.
 */
import { ActorTokens, type ClerkClient, type ClerkError, Sessions } from "@effect-clerk/client"
import type { Session } from "@effect-clerk/schema"
import { Emulator, type EmulatorModel, Observe, TestClerk } from "@effect-clerk/test-kit"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Random, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { expectFields } from "../support.js"
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

// The session-token and key-set routes meet the same faults in the test-kit's emulator-session-tokens-http tests.
type Operation = Exclude<Emulator.Operation, "createSessionToken" | "getJwks">
type Faulted = "first" | "every"

/** What each operation is called in the table, and what it answers. */
const operations: Record<Operation, { readonly name: string; readonly answers: string }> = {
  create: { name: "create", answers: "token" },
  revoke: { name: "revoke", answers: "token" },
  listSessions: { name: "Sessions.list", answers: "page" },
  getSession: { name: "Sessions.get", answers: "session" },
  revokeSession: { name: "Sessions.revoke", answers: "session" }
}

const isSessionOperation = (operation: Operation): boolean =>
  operation === "listSessions" || operation === "getSession" || operation === "revokeSession"

/** Every operation but create is safe to send twice: the token revoke and the three session operations. */
const isIdempotent = (operation: Operation): boolean => operation !== "create"

interface Column {
  readonly operation: Operation
  readonly faulted: Faulted
  readonly optIn: boolean
}

const tokenColumns: ReadonlyArray<Column> = [
  { operation: "create", faulted: "first", optIn: false },
  { operation: "create", faulted: "every", optIn: false },
  { operation: "create", faulted: "first", optIn: true },
  { operation: "create", faulted: "every", optIn: true },
  { operation: "revoke", faulted: "first", optIn: false },
  { operation: "revoke", faulted: "every", optIn: false }
]

const sessionColumns: ReadonlyArray<Column> = (["listSessions", "getSession", "revokeSession"] as const).flatMap(
  (operation) => (["first", "every"] as const).map((faulted) => ({ operation, faulted, optIn: false }))
)

const columns: ReadonlyArray<Column> = [...tokenColumns, ...sessionColumns]

const columnName = (column: Column): string =>
  `${operations[column.operation].name}${column.optIn ? " + opt-in" : ""}, ${
    column.faulted === "first" ? "1st attempt" : "every attempt"
  }`

const isRetried = (fault: FaultCase, column: Column): boolean =>
  fault.retry === "safe" || (fault.retry === "ambiguous" && (isIdempotent(column.operation) || column.optIn))

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
  readonly tokens: ReadonlyArray<EmulatorModel.StoredToken>
  readonly sessions: ReadonlyArray<Session.Session>
  /** The token (revoke) or the session (get, revoke) the call is about. */
  readonly target: string | undefined
  readonly leaked: ReadonlyArray<string>
}

/**
 * What exists before the faulted call, made without faults: nothing for create, a pending token for revoke, and for
 * the session operations a token accepted through the emulator, so the user has one active impersonated session.
 */
const setUp = (
  operation: Operation
): Effect.Effect<string | undefined, unknown, Emulator.Emulator | ClerkClient.ClerkClient> =>
  Effect.gen(function*() {
    if (operation === "create") return undefined
    const token = yield* ActorTokens.create(params)
    if (operation === "revoke") return token.id
    const emulator = yield* Emulator.Emulator
    yield* emulator.accept(token.id)
    const [session, ...others] = yield* emulator.sessions
    assert(session !== undefined && others.length === 0, "accepting the token starts exactly one session")
    return session.id
  })

const call = (
  operation: Operation,
  target: string | undefined
): Effect.Effect<unknown, ClerkError.ClerkError, ClerkClient.ClerkClient> => {
  switch (operation) {
    case "create":
      return ActorTokens.create(params)
    case "revoke":
      return ActorTokens.revoke(target!)
    case "listSessions":
      return Sessions.list({ userId: params.userId })
    case "getSession":
      return Sessions.get(target!)
    case "revokeSession":
      return Sessions.revoke(target!)
  }
}

/**
 * Runs one call with `fault` injected (`times` requests, before or after processing) and collects what the cell
 * asserts on.
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
    const target = yield* setUp(options.operation)
    const before = yield* emulator.requestCount(options.operation)
    yield* emulator.injectFault(options.fault, {
      operation: options.operation,
      times: options.times,
      afterProcessing: options.afterProcessing
    })
    const run = yield* runBounded(
      call(options.operation, target).pipe(Effect.tapErrorCause(Effect.logError)),
      options.bound
    )
    const requests = (yield* emulator.requestCount(options.operation)) - before
    const tokens = yield* emulator.tokens
    const sessions = yield* emulator.sessions
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
      sessions,
      target,
      leaked: ticketLike ? [...leaked, ticketLike[0]] : leaked
    }
    return result
  })

/** What a successful call must have answered: the token or session it is about, or the page holding the session. */
const checkSuccess = (operation: Operation, value: unknown, target: string | undefined): void => {
  switch (operation) {
    case "create":
      expect(value).toMatchObject({ status: "pending", userId: params.userId })
      return
    case "revoke":
      expect(value).toMatchObject({ id: target, status: "revoked" })
      return
    case "listSessions": {
      const page = value as Session.SessionList
      expect(page.data.map((s) => [s.id, s.status, s.actor])).toEqual([[target, "active", params.actor]])
      expect(page.totalCount).toBe(1)
      return
    }
    case "getSession":
      expect(value).toMatchObject({ id: target, status: "active", actor: params.actor })
      return
    case "revokeSession":
      expect(value).toMatchObject({ id: target, status: "revoked", actor: params.actor })
  }
}

/**
 * The emulator's state after a cell whose faults replaced the requests: it changed only for the attempt that got
 * through, if any.
 */
const checkState = (operation: Operation, success: boolean, result: CellResult): void => {
  const { sessions, target, tokens } = result
  switch (operation) {
    case "create":
      expect(tokens).toHaveLength(success ? 1 : 0)
      return
    case "revoke":
      expect(tokens.map((t) => [t.id, t.status])).toEqual([[target, success ? "revoked" : "pending"]])
      return
    default:
      expect(tokens.map((t) => t.status)).toEqual(["accepted"])
      expect(sessions.map((s) => [s.id, s.status])).toEqual([
        [target, operation === "revokeSession" && success ? "revoked" : "active"]
      ])
  }
}

const describeOutcome = (outcome: ReturnType<typeof classify>): string =>
  outcome._tag === "Success" ? "ok" : outcome._tag === "Failure" ? describeError(outcome.error) : "DEFECT"

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
          const result = yield* runCell({
            operation: column.operation,
            fault: fault.fault,
            times: column.faulted === "first" ? 1 : 1_000,
            afterProcessing: false,
            bound
          })
          const { leaked, requests, run, target } = result
          assert(Option.isSome(run.exit), `no outcome within ${Duration.format(bound)}: the call hung`)
          const outcome = classify(run.exit.value)
          observed.push({
            row: fault.name,
            column: columnName(column),
            outcome: describeOutcome(outcome),
            requests,
            elapsedMillis: run.elapsedMillis
          })
          assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
          expect(leaked).toEqual([])
          expect(requests).toBe(want.attempts)
          expect(run.elapsedMillis).toBeLessThanOrEqual(Duration.toMillis(bound))
          expect(run.elapsedMillis).toBeGreaterThanOrEqual(Duration.toMillis(floor))
          if (want.success) {
            assert(outcome._tag === "Success", `expected a success, got ${JSON.stringify(outcome)}`)
            checkSuccess(column.operation, outcome.value, target)
          } else {
            assert(outcome._tag === "Failure", "expected a typed error")
            expectFields(outcome.error, fault.error)
            fault.check?.(outcome.error as unknown as Record<string, unknown>)
          }
          checkState(column.operation, want.success, result)
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
  /** The code of the first error entry the caller gets, when it is a Clerk error. */
  readonly code?: string
  /** The statuses of the tokens (token operations) or sessions (session operations) the emulator holds afterwards. */
  readonly state: ReadonlyArray<string>
  readonly note: string
}

/**
 * A revoke (of a token or a session) whose answer was lost after it took effect: it is retried, and the retry finds
 * the token or session no longer revocable (400 with `code`).
 */
const lostRevokeAnswer = (
  operation: "revoke" | "revokeSession",
  faultName: string,
  fault: Emulator.Fault,
  note: string
): AfterCase => ({
  name: `${operations[operation].name} · ${faultName} after processing`,
  operation,
  fault,
  every: false,
  optIn: false,
  attempts: 2,
  outcome: { _tag: "ClerkBadRequest", status: 400 },
  code: operation === "revoke" ? "actor_token_cannot_be_revoked_code" : "session_not_active",
  state: ["revoked"],
  note
})

const afterCases: ReadonlyArray<AfterCase> = [
  {
    name: "create · reset after processing",
    operation: "create",
    fault: Emulator.Fault.ConnectionReset(),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkTransportError", reason: "ConnectionReset" },
    state: ["pending"],
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
    state: ["pending"],
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
    state: ["pending"],
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
    state: ["pending"],
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
    state: ["pending", "pending"],
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
    state: ["pending", "pending", "pending"],
    note: "one token per attempt, none known to the caller"
  },
  lostRevokeAnswer(
    "revoke",
    "reset",
    Emulator.Fault.ConnectionReset(),
    "the token is revoked, yet the caller gets an error: the retry finds it no longer pending (400 " +
      "`actor_token_cannot_be_revoked_code`)"
  ),
  lostRevokeAnswer("revoke", "stall", Emulator.Fault.Stall(), "as above"),
  lostRevokeAnswer(
    "revokeSession",
    "reset",
    Emulator.Fault.ConnectionReset(),
    "the session is revoked, yet the caller gets an error: the retry finds it no longer active (400 " +
      "`session_not_active`; `Impersonations.end` counts it as already ended)"
  ),
  lostRevokeAnswer("revokeSession", "stall", Emulator.Fault.Stall(), "as above"),
  lostRevokeAnswer("revokeSession", "503", Emulator.Fault.Status({ status: 503 }), "as above"),
  {
    name: "Sessions.revoke · truncated JSON after processing",
    operation: "revokeSession",
    fault: Emulator.Fault.TruncatedJson(),
    every: false,
    optIn: false,
    attempts: 1,
    outcome: { _tag: "ClerkDecodeError", reason: "InvalidJson" },
    state: ["revoked"],
    note: "a decode error is never retried: the session is revoked, the caller cannot tell"
  },
  {
    name: "Sessions.list · reset after processing",
    operation: "listSessions",
    fault: Emulator.Fault.ConnectionReset(),
    every: false,
    optIn: false,
    attempts: 2,
    outcome: "success",
    state: ["active"],
    note: "a read changes nothing: the retry answers the page"
  },
  {
    name: "Sessions.get · stall after processing",
    operation: "getSession",
    fault: Emulator.Fault.Stall(),
    every: false,
    optIn: false,
    attempts: 2,
    outcome: "success",
    state: ["active"],
    note: "as above: the retry answers the session"
  }
]

interface AfterObserved {
  readonly name: string
  readonly outcome: string
  readonly requests: number
  readonly state: string
  readonly note: string
}

const afterObserved: Array<AfterObserved> = []

describe("faults after processing (state changed, response lost)", () => {
  for (const c of afterCases) {
    const bound = callBound({ attempts: c.attempts, timeout })
    it.effect(c.name, () =>
      Effect.gen(function*() {
        const result = yield* runCell({
          operation: c.operation,
          fault: c.fault,
          times: c.every ? 1_000 : 1,
          afterProcessing: true,
          bound
        })
        const { leaked, requests, run, sessions, target, tokens } = result
        assert(Option.isSome(run.exit), "the call hung")
        const outcome = classify(run.exit.value)
        const state = isSessionOperation(c.operation)
          ? sessions.map((s) => s.status)
          : tokens.map((t) => t.status)
        afterObserved.push({
          name: c.name,
          outcome: describeOutcome(outcome),
          requests,
          state: state.join(", "),
          note: c.note
        })
        assert(outcome._tag !== "Defect", outcome._tag === "Defect" ? outcome.pretty : "")
        expect(leaked).toEqual([])
        expect(requests).toBe(c.attempts)
        expect(state).toEqual(c.state)
        if (c.outcome === "success") {
          assert(outcome._tag === "Success")
          if (c.operation === "create") {
            // The caller holds the second token; the first one is live and unknown to it.
            expect(tokens.at(-1)?.id).toBe((outcome.value as { readonly id: string }).id)
          } else {
            checkSuccess(c.operation, outcome.value, target)
          }
        } else {
          assert(outcome._tag === "Failure")
          expectFields(outcome.error, c.outcome)
        }
        if (c.code !== undefined) {
          assert(outcome._tag === "Failure" && outcome.error._tag === "ClerkBadRequest")
          expect(outcome.error.errors[0]?.code).toBe(c.code)
        }
        // The call was about the one token or session there is.
        if (target !== undefined) {
          expect(isSessionOperation(c.operation) ? sessions.map((s) => s.id) : tokens.map((t) => t.id)).toEqual([
            target
          ])
        }
        passed.add(c.name)
      }).pipe(Effect.provide(clerk(c.optIn)), Effect.withRandom(Random.make(c.name))))
  }
})

// ---------------------------------------------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------------------------------------------

const cell = (o: Observed, answers: string): string =>
  `${o.outcome === "ok" ? `✅ ${answers}` : o.outcome} · ${o.requests} req · ${Math.round(o.elapsedMillis)} ms`

const faultTable = (tableColumns: ReadonlyArray<Column>): ReadonlyArray<string> => [
  `| fault | ${tableColumns.map(columnName).join(" | ")} |`,
  `|---|${tableColumns.map(() => "---").join("|")}|`,
  ...faults.map((fault) => {
    const cells = tableColumns.map((column) => {
      const o = observed.find((x) => x.row === fault.name && x.column === columnName(column))
      return o === undefined ? "—" : cell(o, operations[column.operation].answers)
    })
    return `| ${fault.name} | ${cells.join(" | ")} |`
  })
]

const afterTable = (sessionCases: boolean): ReadonlyArray<string> => [
  `| scenario | outcome | requests | ${sessionCases ? "sessions" : "tokens"} in the emulator | |`,
  "|---|---|---|---|---|",
  ...afterCases.filter((c) => isSessionOperation(c.operation) === sessionCases).map((c) => {
    const o = afterObserved.find((x) => x.name === c.name)
    return o === undefined
      ? `| ${c.name} | — | — | — | |`
      : `| ${o.name} | ${
        o.outcome === "ok" ? `✅ ${operations[c.operation].answers}` : o.outcome
      } | ${o.requests} | ${o.state} | ${o.note} |`
  })
]

const renderMatrix = (): string =>
  [
    "# Fault matrix",
    "",
    "Written by `pnpm matrix` (`fault-matrix.test.ts` with `UPDATE_MATRIX=1`, once every cell passed; do not edit by",
    "hand): the real client over the in-memory emulator, on the TestClock, with",
    `\`maxRetries: ${maxRetries}\`, \`timeout: ${Duration.format(timeout)}\` and a seeded \`Random\`.`,
    "Each cell: the outcome (a token, a session or a page of sessions, or the error's `_tag` and status/reason), the",
    "requests the emulator saw, and the virtual time until the call ended. Every cell also checks: no defect, no hang",
    "(the call ends within attempts × timeout + the longest waits), no unhandled rejection, the emulator's state, and",
    "that neither the key nor a minted credential shows up in logs, spans or the error's renderings.",
    "",
    "## Actor tokens",
    "",
    "\"opt-in\" is `retryCreateOnAmbiguousFailure: true`.",
    "",
    ...faultTable(tokenColumns),
    "",
    "### After processing (the request took effect, its response was lost)",
    "",
    ...afterTable(false),
    "",
    "## Sessions",
    "",
    "Before each call a token was created and accepted (no fault), so the user has one active impersonated session;",
    "`Sessions.list` asks for the user's sessions. The three operations are idempotent: every ambiguous fault is",
    "retried.",
    "",
    ...faultTable(sessionColumns),
    "",
    "### After processing (the request took effect, its response was lost)",
    "",
    ...afterTable(true),
    ""
  ].join("\n")

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
