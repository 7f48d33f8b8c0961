/**
 * `clerk-actor-tokens`, the command line for Clerk's actor tokens: the `@effect/cli` commands, the exit codes, the
 * errors and the bulk-revoke summary, for embedding in another Effect program.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as BulkRevoke from "./BulkRevoke.js"

/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * @since 0.1.0
 */
export * as CliError from "./CliError.js"

/**
 * @since 0.1.0
 */
export * as ExitCode from "./ExitCode.js"

/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"
