/**
 * Effect `Schema`s for Clerk's actor tokens: the wire JSON (snake_case) on the encoded side, idiomatic camelCase
 * domain values on the type side.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Actor from "./Actor.js"

/**
 * @since 0.1.0
 */
export * as ActorToken from "./ActorToken.js"

/**
 * @since 0.1.0
 */
export * as ClerkErrorBody from "./ClerkErrorBody.js"

/**
 * @since 0.1.0
 */
export * as Ids from "./Ids.js"

/**
 * @since 0.1.0
 */
export * as Json from "./Json.js"

/**
 * @since 0.1.0
 */
export * as Jwks from "./Jwks.js"

/**
 * @since 0.1.0
 */
export * as Session from "./Session.js"

/**
 * @since 0.1.0
 */
export * as SessionClaims from "./SessionClaims.js"

/**
 * @since 0.1.0
 */
export * as SessionToken from "./SessionToken.js"

/**
 * @since 0.1.0
 */
export * as WebhookEvent from "./WebhookEvent.js"
