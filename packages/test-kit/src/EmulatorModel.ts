/**
 * What the emulator's state machine builds and hands out: the tokens it keeps, and the failure of a reset connection.
 * `Emulator` uses them; they live apart from it so that the emulator's internal modules can build them without
 * importing `Emulator` (whose implementation imports them).
 *
 * @since 0.1.0
 */
import { ActorToken } from "@effect-clerk/schema"
import * as Schema from "effect/Schema"

/**
 * A token as the emulator keeps it: the {@link ActorToken.ActorToken} Clerk returns (encoded with that schema on the
 * wire), plus what Clerk keeps to itself: when it expires and the longest session it may start.
 *
 * @since 0.1.0
 * @category models
 */
export class StoredToken extends ActorToken.ActorToken.extend<StoredToken>("StoredToken")({
  /** Unix milliseconds after which the ticket can no longer be accepted. */
  expiresAt: Schema.Int,
  sessionMaxDurationInSeconds: Schema.Int
}) {}

/**
 * The emulator's HTTP app fails with this when the connection must be reset: the adapters turn it into a reset
 * connection (a destroyed socket, or a transport error carrying `code: "ECONNRESET"` in memory).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionReset extends Schema.TaggedError<ConnectionReset>()("ConnectionReset", {}) {}
