/**
 * Random identifiers, drawn from the Effect `Random` service (so a seeded `Random` makes them reproducible).
 */
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

// The characters of Clerk's base62 ids.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** @internal `length` characters drawn from `alphabet`. */
export const randomString = (alphabet: string, length: number): Effect.Effect<string> =>
  Effect.map(
    Effect.replicateEffect(Random.nextIntBetween(0, alphabet.length), length),
    (indexes) => indexes.map((index) => alphabet[index]).join("")
  )

// An id shaped like Clerk's: the prefix, `_`, and 27 base62 characters.
const clerkId = (prefix: string): Effect.Effect<string> =>
  Effect.map(randomString(base62, 27), (suffix) => `${prefix}_${suffix}`)

/** @internal An actor token id: `act_` and 27 base62 characters, like Clerk's. */
export const actorTokenId: Effect.Effect<string> = clerkId("act")

/** @internal A session id: `sess_` and 27 base62 characters. */
export const sessionId: Effect.Effect<string> = clerkId("sess")

/**
 * @internal An instance id, `ins_` and 27 base62 characters like Clerk's: the `instance_id` of an emulator's webhook
 * events, and the default `kid` of a signing key.
 */
export const instanceId: Effect.Effect<string> = clerkId("ins")

/** @internal The first 19 characters of an emulator's webhook delivery ids (`msg_…`), the rest a sequence number. */
export const messageIdPrefix: Effect.Effect<string> = randomString(base62, 19)

/** @internal A client id (the browser a session lives in): `client_` and 27 base62 characters. */
export const clientId: Effect.Effect<string> = clerkId("client")

/** @internal An opaque, URL-safe sign-in ticket. */
export const ticket: Effect.Effect<string> = randomString(base62, 64)
