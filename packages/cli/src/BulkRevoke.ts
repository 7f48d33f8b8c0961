/**
 * Revoking many actor tokens: bounded concurrency, one outcome per id, and the JSON summary printed by
 * `clerk-actor-tokens revoke --from-file … --json`.
 *
 * @since 0.1.0
 */
import { ActorTokens, type ClerkClient, ClerkError } from "@effect-clerk/client"
import { Ids } from "@effect-clerk/schema"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The Clerk error code of revoking a token that is no longer pending (already accepted or revoked).
 *
 * @since 0.1.0
 * @category constants
 */
export const cannotBeRevokedCode: Extract<ClerkError.KnownCode, "actor_token_cannot_be_revoked_code"> =
  "actor_token_cannot_be_revoked_code"

/**
 * What happened to one id: `revoked`; `not_pending` (Clerk's 400 `actor_token_cannot_be_revoked_code`: it was
 * already accepted or revoked — nothing left to do); `failed` (any other error: not found, rate limited, …).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OutcomeKind = Schema.Literal("revoked", "not_pending", "failed")

/**
 * @since 0.1.0
 * @category models
 */
export type OutcomeKind = typeof OutcomeKind.Type

/**
 * Why an id was not revoked: the client's error tag, Clerk's HTTP status and error code when there was an answer, and
 * the message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ErrorDetail = Schema.Struct({
  tag: Schema.String,
  httpStatus: Schema.optionalWith(Schema.Int, { exact: true }).pipe(Schema.fromKey("http_status")),
  code: Schema.optionalWith(Schema.String, { exact: true }),
  message: Schema.String
}).annotations({ identifier: "ErrorDetail" })

/**
 * @since 0.1.0
 * @category models
 */
export type ErrorDetail = typeof ErrorDetail.Type

/**
 * The outcome for one id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Schema.Struct({
  id: Ids.ActorTokenId,
  outcome: OutcomeKind,
  error: Schema.optionalWith(ErrorDetail, { exact: true })
}).annotations({ identifier: "Outcome" })

/**
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

/**
 * The summary of a bulk revoke; its encoded side (snake_case) is what `--json` prints.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Summary = Schema.Struct({
  total: Schema.Int,
  revoked: Schema.Int,
  notPending: Schema.propertySignature(Schema.Int).pipe(Schema.fromKey("not_pending")),
  failed: Schema.Int,
  results: Schema.Array(Outcome)
}).annotations({ identifier: "Summary" })

/**
 * @since 0.1.0
 * @category models
 */
export type Summary = typeof Summary.Type

/**
 * The errors that stop a bulk revoke at once: the key is refused, so every other id would fail the same way.
 *
 * @since 0.1.0
 * @category errors
 */
export type FatalError = ClerkError.ClerkUnauthorized | ClerkError.ClerkForbidden

/**
 * The options of {@link run}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How many revokes are in flight at once. */
  readonly concurrency: number
  /** Called once per id as soon as its outcome is known (in completion order). */
  readonly onOutcome?: ((outcome: Outcome) => Effect.Effect<void>) | undefined
}

const isFatal = (error: ClerkError.ClerkError): error is FatalError =>
  error._tag === "ClerkUnauthorized" || error._tag === "ClerkForbidden"

/**
 * Whether an error is Clerk's "only pending tokens can be revoked".
 *
 * @since 0.1.0
 * @category predicates
 */
export const isNotPending = (error: ClerkError.ClerkError): boolean =>
  error._tag === "ClerkBadRequest" && ClerkError.hasCode(error, cannotBeRevokedCode)

/**
 * The {@link ErrorDetail} of a client error.
 *
 * @since 0.1.0
 * @category conversions
 */
export const errorDetail = (error: ClerkError.ClerkError): ErrorDetail => {
  const status = "status" in error ? { httpStatus: error.status } : {}
  const code = "errors" in error && error.errors[0] !== undefined ? { code: error.errors[0].code } : {}
  return { tag: error._tag, ...status, ...code, message: error.message }
}

const revokeOne = (id: Ids.ActorTokenId): Effect.Effect<Outcome, FatalError, ClerkClient.ClerkClient> =>
  ActorTokens.revoke(id).pipe(
    Effect.as<Outcome>({ id, outcome: "revoked" }),
    Effect.catchIf(
      (error) => !isFatal(error),
      (error) =>
        Effect.succeed<Outcome>({
          id,
          outcome: isNotPending(error) ? "not_pending" : "failed",
          error: errorDetail(error)
        })
    )
  )

/**
 * Revokes every id with at most `concurrency` requests in flight (the client's retries, `Retry-After` and rate limit
 * apply to each), and sums up the outcomes in the order of `ids`. A 401 or 403 stops the run at once and fails with
 * it; every other error is the `failed` outcome of its id.
 *
 * @example
 * ```ts
 * import { BulkRevoke } from "@effect-clerk/cli"
 * import { Ids } from "@effect-clerk/schema"
 * import { Effect } from "effect"
 *
 * const ids = ["act_1", "act_2"].map((id) => Ids.ActorTokenId.make(id))
 * const program = BulkRevoke.run(ids, { concurrency: 4 }).pipe(
 *   Effect.map((summary) => summary.failed === 0)
 * )
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const run: (
  ids: ReadonlyArray<Ids.ActorTokenId>,
  options: Options
) => Effect.Effect<Summary, FatalError, ClerkClient.ClerkClient> = Effect.fn("BulkRevoke.run")(
  function*(ids: ReadonlyArray<Ids.ActorTokenId>, options: Options) {
    const onOutcome = options.onOutcome ?? (() => Effect.void)
    const results = yield* Effect.forEach(ids, (id) => Effect.tap(revokeOne(id), onOutcome), {
      concurrency: options.concurrency
    })
    const count = (kind: OutcomeKind) => results.filter((result) => result.outcome === kind).length
    return {
      total: results.length,
      revoked: count("revoked"),
      notPending: count("not_pending"),
      failed: count("failed"),
      results
    }
  }
)
