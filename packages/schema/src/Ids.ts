/**
 * Branded identifiers. An id is 1 to 128 characters from `[A-Za-z0-9_-]`, so it can always be placed in a URL path
 * segment as it is: it can never add a segment (`/`), a query (`?`), a fragment (`#`) or an escape (`%`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const idPattern = /^[A-Za-z0-9_-]+$/

const makeId = <const B extends string>(brand: B) =>
  Schema.String.pipe(
    Schema.minLength(1, { message: () => `${brand} must not be empty` }),
    Schema.maxLength(128, { message: () => `${brand} must be at most 128 characters` }),
    Schema.pattern(idPattern, {
      message: () => `${brand} may contain only letters, digits, "_" and "-"`
    }),
    Schema.brand(brand),
    Schema.annotations({ identifier: brand })
  )

/**
 * The id of an actor token, e.g. `act_2EL6mQKzeUtoRwGuLZsznyfkIsH`.
 *
 * @since 0.1.0
 * @category ids
 */
export const ActorTokenId = makeId("ActorTokenId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ActorTokenId = typeof ActorTokenId.Type

/**
 * The id of a Clerk user, e.g. `user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb`.
 *
 * @since 0.1.0
 * @category ids
 */
export const UserId = makeId("UserId")

/**
 * @since 0.1.0
 * @category ids
 */
export type UserId = typeof UserId.Type

/**
 * The id of a session, e.g. `sess_2EL6mQKzeUtoRwGuLZsznyfkIsH`.
 *
 * @since 0.1.0
 * @category ids
 */
export const SessionId = makeId("SessionId")

/**
 * @since 0.1.0
 * @category ids
 */
export type SessionId = typeof SessionId.Type

/**
 * The id of a client (a browser or device signed in to the application), e.g. `client_2EL6mQKzeUtoRwGuLZsznyfkIsH`.
 *
 * @since 0.1.0
 * @category ids
 */
export const ClientId = makeId("ClientId")

/**
 * @since 0.1.0
 * @category ids
 */
export type ClientId = typeof ClientId.Type
