/**
 * The Effect client for Clerk's actor tokens (user impersonation).
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
