/**
 * The receiving side of Clerk impersonation: verify Clerk session tokens, see the actor on every request, refuse
 * sensitive actions while someone acts for the user.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as SessionToken from "./SessionToken.js"

/**
 * @since 0.1.0
 */
export * as ClerkAuth from "./ClerkAuth.js"

/**
 * @since 0.1.0
 */
export * as Webhooks from "./Webhooks.js"
