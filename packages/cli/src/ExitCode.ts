/**
 * The exit codes of `clerk-actor-tokens`, one per kind of failure, so scripts can tell them apart.
 *
 * @since 0.1.0
 */
import type { CliError } from "./CliError.js"

/**
 * The exit codes.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  /** Done. A bulk revoke whose ids were all revoked or already not pending. */
  Ok: 0,
  /** A bulk revoke or `end` finished, and at least one id or session failed (not found, rate limited, …). */
  BulkIncomplete: 1,
  /** Invalid command line: unknown flag, invalid id / duration / claim / rate, bad ids file. Nothing was sent. */
  Usage: 2,
  /** No `CLERK_SECRET_KEY` (and no `--emulator`), a key or API URL refused, the emulator could not start. */
  Configuration: 3,
  /** Clerk answered 401 or 403: the key is wrong, revoked, or not allowed. */
  Authentication: 4,
  /** Clerk answered 404: no such actor token. */
  NotFound: 5,
  /** Clerk refused the request: 400 (e.g. `actor_token_cannot_be_revoked_code`), 402, 422. */
  Refused: 6,
  /** Clerk answered 429 and the retries (which honour `Retry-After`) were used up. */
  RateLimited: 7,
  /** Clerk failed or was unreachable (5xx, other status, no or unreadable response); shared rate limiter down. */
  Unavailable: 8,
  /** Interrupted (Ctrl-C, SIGTERM). */
  Interrupted: 130
} as const

/**
 * One of {@link ExitCode}.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * The exit codes with what they mean, in order: printed by `--help` and in the README.
 *
 * @since 0.1.0
 * @category constants
 */
export const table: ReadonlyArray<readonly [code: ExitCode, meaning: string]> = [
  [
    ExitCode.Ok,
    "success (bulk revoke: every id revoked or already not pending; end: every session ended or already ended)"
  ],
  [ExitCode.BulkIncomplete, "bulk revoke or end: at least one id or session failed (see the summary)"],
  [ExitCode.Usage, "invalid command line, id, duration, claim, rate or ids file: nothing was sent"],
  [ExitCode.Configuration, "CLERK_SECRET_KEY missing or refused, API URL refused, emulator failed to start"],
  [ExitCode.Authentication, "Clerk answered 401/403: wrong or unauthorised secret key"],
  [ExitCode.NotFound, "Clerk answered 404: no such actor token"],
  [ExitCode.Refused, "Clerk refused: 400 (e.g. actor_token_cannot_be_revoked_code), 402, 422"],
  [ExitCode.RateLimited, "Clerk answered 429 and the retries were used up"],
  [
    ExitCode.Unavailable,
    "Clerk failed or unreachable: 5xx, other status, no/unreadable response; shared rate limiter down; internal error"
  ],
  [ExitCode.Interrupted, "interrupted (Ctrl-C / SIGTERM)"]
]

/**
 * The exit code for a failure.
 *
 * @since 0.1.0
 * @category conversions
 */
export const fromError = (error: CliError): ExitCode => {
  switch (error._tag) {
    case "BulkRevokeIncomplete":
      return ExitCode.BulkIncomplete
    case "UsageError":
    case "ClerkInvalidInput":
      return ExitCode.Usage
    case "ConfigurationError":
      return ExitCode.Configuration
    case "ClerkUnauthorized":
    case "ClerkForbidden":
      return ExitCode.Authentication
    case "ClerkNotFound":
      return ExitCode.NotFound
    case "ClerkBadRequest":
    case "ClerkPaymentRequired":
    case "ClerkUnprocessableEntity":
      return ExitCode.Refused
    case "ClerkRateLimited":
      return ExitCode.RateLimited
    case "ClerkServerError":
    case "ClerkUnexpectedStatus":
    case "ClerkTransportError":
    case "ClerkDecodeError":
    case "ClerkRateLimiterUnavailable":
      return ExitCode.Unavailable
  }
}
