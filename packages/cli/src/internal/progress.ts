import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { Outcome, OutcomeKind } from "../BulkRevoke.js"
import { Output } from "../Output.js"

/** @internal Counts outcomes as they arrive and shows them on stderr. */
export interface Progress {
  readonly record: (outcome: Outcome) => Effect.Effect<void>
  /** Ends the redrawn line on a terminal. */
  readonly finish: Effect.Effect<void>
  readonly counts: Effect.Effect<Counts>
}

type Counts = { readonly [K in OutcomeKind]: number } & { readonly done: number }

const label: Record<OutcomeKind, string> = { revoked: "revoked", not_pending: "not pending", failed: "failed" }

const bar = (done: number, total: number, width: number): string => {
  const filled = total === 0 ? width : Math.round((done / total) * width)
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`
}

/**
 * @internal
 * On a terminal, one line redrawn in place: `revoking [#####-----] 5/10 · revoked 4 · not pending 1 · failed 0`. On a
 * pipe or a file, one line per id: `[5/10] act_… not pending (actor_token_cannot_be_revoked_code)`.
 */
export const make = (total: number): Effect.Effect<Progress> =>
  Effect.gen(function*() {
    const { stderr } = yield* Output
    const terminal = stderr.isTerminal
    const columns = yield* stderr.columns
    const counts = yield* Ref.make<Counts>({ done: 0, revoked: 0, not_pending: 0, failed: 0 })
    const status = (c: Counts) =>
      `${c.done}/${total} · revoked ${c.revoked} · not pending ${c.not_pending} · failed ${c.failed}`
    const redraw = (c: Counts) =>
      stderr.write(`\r\x1b[2K${`revoking ${bar(c.done, total, 20)} ${status(c)}`.slice(0, Math.max(20, columns - 1))}`)
    const record = (outcome: Outcome) =>
      Ref.updateAndGet(counts, (c) => ({ ...c, done: c.done + 1, [outcome.outcome]: c[outcome.outcome] + 1 })).pipe(
        Effect.flatMap((c) => {
          if (terminal) return redraw(c)
          const detail = outcome.error === undefined
            ? ""
            : ` (${[outcome.error.httpStatus, outcome.error.code ?? outcome.error.tag].filter(Boolean).join(" ")})`
          return stderr.write(`[${c.done}/${total}] ${outcome.id} ${label[outcome.outcome]}${detail}\n`)
        })
      )
    if (terminal) yield* redraw({ done: 0, revoked: 0, not_pending: 0, failed: 0 })
    return {
      record,
      finish: terminal ? Effect.flatMap(Ref.get(counts), (c) => stderr.write(`\r\x1b[2K${status(c)}\n`)) : Effect.void,
      counts: Ref.get(counts)
    }
  })
