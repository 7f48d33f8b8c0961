/**
 * The size and depth limits of the client, in one place. Each bounds what untrusted input (a caller's value, or a
 * server's body) may make the client do, so that no input can exhaust memory or overflow the stack.
 */

/** The largest response body read: an actor token or an error body is a few KB, so 1 MiB is generous headroom. */
export const maxResponseBytes = 1024 * 1024

/**
 * The deepest nesting accepted in a caller's actor claims: Clerk puts them in every session JWT, so real claims stay
 * shallow, and a schema walking deeper input could overflow the stack.
 */
export const maxClaimDepth = 32

/**
 * The deepest `meta` an error entry keeps: a deeper one is dropped, because `JSON.stringify` or `util.inspect` of the
 * error could not render it without overflowing the stack.
 */
export const maxMetaDepth = 32

/**
 * The deepest success body decoded: a resource is at most 3 levels deep around the actor's claims, which are at most
 * {@link maxClaimDepth} deep; anything deeper is not Clerk's answer, and printing it would overflow the stack.
 */
export const maxSuccessDepth = maxClaimDepth + 8
