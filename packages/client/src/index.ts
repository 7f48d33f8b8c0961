/**
 * The Effect client for Clerk's impersonation: actor tokens, the sessions an accepted token starts, and the whole
 * workflow in `Impersonations`.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ActorTokens from "./ActorTokens.js"

/**
 * @since 0.1.0
 */
export * as ClerkClient from "./ClerkClient.js"

/**
 * @since 0.1.0
 */
export * as ClerkError from "./ClerkError.js"

/**
 * @since 0.1.0
 */
export * as Impersonations from "./Impersonations.js"

/**
 * @since 0.1.0
 */
export * as Jwks from "./Jwks.js"

/**
 * @since 0.1.0
 */
export * as Sessions from "./Sessions.js"

/**
 * @since 0.1.0
 */
export * as SharedRateLimiter from "./SharedRateLimiter.js"
