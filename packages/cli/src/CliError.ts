/**
 * The errors of the CLI itself, and the one-line message printed on stderr for every failure.
 *
 * @since 0.1.0
 */
import type { ClerkError } from "@effect-clerk/client"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"

/**
 * The command line was refused before anything was sent: an invalid id, duration or claim, conflicting flags, an
 * unreadable or invalid ids file.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/**
 * The client could not be configured: `CLERK_SECRET_KEY` missing or refused, an API URL refused, or the embedded
 * emulator could not start. The message names the setting, never the key.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>()("ConfigurationError", {
  message: Schema.String
}) {}

/**
 * A bulk revoke finished, and some ids could not be revoked. The summary has already been printed.
 *
 * @since 0.1.0
 * @category errors
 */
export class BulkRevokeIncomplete extends Schema.TaggedError<BulkRevokeIncomplete>()("BulkRevokeIncomplete", {
  failed: Schema.Int,
  total: Schema.Int
}) {}

/**
 * Every way a command can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type CliError = UsageError | ConfigurationError | BulkRevokeIncomplete | ClerkError.ClerkError

const headline: Record<ClerkError.ClerkStatusError["_tag"], string> = {
  ClerkBadRequest: "Clerk refused the request",
  ClerkUnauthorized: "Clerk did not accept the secret key in CLERK_SECRET_KEY",
  ClerkPaymentRequired: "impersonation is not on this application's plan",
  ClerkForbidden: "the secret key may not do this",
  ClerkNotFound: "not found",
  ClerkUnprocessableEntity: "Clerk refused a parameter",
  ClerkRateLimited: "rate limited by Clerk, retries used up",
  ClerkServerError: "Clerk failed",
  ClerkUnexpectedStatus: "unexpected answer from Clerk"
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim()

/**
 * The first Clerk error code of a status error (e.g. `actor_token_cannot_be_revoked_code`), if Clerk sent one.
 *
 * @since 0.1.0
 * @category accessors
 */
export const clerkCode = (error: CliError): string | undefined => "errors" in error ? error.errors[0]?.code : undefined

/**
 * What went wrong, on one line, with Clerk's status and error code when there is one. Never the secret key: no
 * error holds it.
 *
 * @example
 * ```ts
 * import { CliError } from "@effect-clerk/cli"
 *
 * CliError.describe(new CliError.UsageError({ message: "--user is missing" })) // "--user is missing"
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const describe = (error: CliError): string => {
  switch (error._tag) {
    case "UsageError":
    case "ConfigurationError":
      return oneLine(error.message)
    case "BulkRevokeIncomplete":
      return `${error.failed} of ${error.total} id(s) could not be revoked`
    case "ClerkInvalidInput":
      return oneLine(error.message)
    case "ClerkTransportError":
      return oneLine(`no response from Clerk (${error.reason}): ${error.message}`)
    case "ClerkDecodeError":
      return oneLine(`unusable response from Clerk (${error.status} ${error.reason}): ${error.message}`)
    case "ClerkRateLimiterUnavailable":
      return oneLine(`the shared rate limiter is unavailable (${error.reason}); nothing was sent: ${error.message}`)
    default: {
      const code = clerkCode(error)
      const retry = error._tag === "ClerkRateLimited" && error.retryAfter !== undefined
        ? `; Clerk asked to wait ${Duration.format(error.retryAfter)}`
        : ""
      const trace = error.clerkTraceId === undefined ? "" : ` [clerk_trace_id ${error.clerkTraceId}]`
      return oneLine(
        `${headline[error._tag]} (${error.status}${
          code === undefined ? "" : ` ${code}`
        }): ${error.message}${retry}${trace}`
      )
    }
  }
}
