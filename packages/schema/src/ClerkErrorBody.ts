/**
 * Clerk's error body: `{ errors: [{ code, message, long_message, meta }], meta, clerk_trace_id }`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { JsonObject } from "./Json.js"

/**
 * One entry of Clerk's `errors` array. `code` is the stable, machine-readable part (e.g.
 * `actor_token_cannot_be_revoked_code`); `longMessage` is the sentence meant for people. A missing `long_message`
 * decodes as `""` rather than losing the entry.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClerkErrorEntry = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  longMessage: Schema.optionalWith(Schema.String, { default: () => "" }).pipe(Schema.fromKey("long_message")),
  meta: Schema.optionalWith(JsonObject, { exact: true })
}).annotations({ identifier: "ClerkErrorEntry" })

/**
 * @since 0.1.0
 * @category models
 */
export type ClerkErrorEntry = typeof ClerkErrorEntry.Type

/**
 * The body Clerk sends with an error status. (It is the error *body*; the client's `ClerkError` is the union of the
 * errors a call fails with.)
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClerkErrorBody = Schema.Struct({
  errors: Schema.Array(ClerkErrorEntry),
  meta: Schema.optionalWith(JsonObject, { exact: true }),
  clerkTraceId: Schema.optionalWith(Schema.String, { exact: true }).pipe(Schema.fromKey("clerk_trace_id"))
}).annotations({ identifier: "ClerkErrorBody" })

/**
 * @since 0.1.0
 * @category models
 */
export type ClerkErrorBody = typeof ClerkErrorBody.Type

/**
 * The wire JSON of {@link ClerkErrorBody}.
 *
 * @since 0.1.0
 * @category models
 */
export type ClerkErrorBodyJson = typeof ClerkErrorBody.Encoded
