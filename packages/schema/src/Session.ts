/**
 * Sessions: what an accepted actor token becomes. Once the impersonator opens the token's `url`, the impersonation
 * *is* a session of the user whose `actor` is the token's actor; seeing and ending it goes through these schemas.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { ClientId, SessionId, UserId } from "./Ids.js"
import { JsonObject } from "./Json.js"

/**
 * A session's status, as Clerk sends it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionStatus = Schema.Literal(
  "active",
  "revoked",
  "ended",
  "expired",
  "removed",
  "abandoned",
  "replaced",
  "pending"
).annotations({ identifier: "SessionStatus" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionStatus = typeof SessionStatus.Type

/**
 * The statuses the session list can be filtered by: every {@link SessionStatus} but `pending`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionListStatus: Schema.SchemaClass<Exclude<SessionStatus, "pending">> = Schema.Literal(
  ...SessionStatus.literals.filter((status): status is Exclude<SessionStatus, "pending"> => status !== "pending")
).annotations({ identifier: "SessionListStatus" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionListStatus = typeof SessionListStatus.Type

const optionalField = <S extends Schema.Schema.Any>(schema: S, key: string) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

/**
 * Where and on what the session was last active, as far as Clerk knows.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionActivity extends Schema.Class<SessionActivity>("SessionActivity")({
  object: Schema.String,
  id: Schema.String,
  isMobile: Schema.propertySignature(Schema.Boolean).pipe(Schema.fromKey("is_mobile")),
  deviceType: optionalField(Schema.String, "device_type"),
  browserName: optionalField(Schema.String, "browser_name"),
  browserVersion: optionalField(Schema.String, "browser_version"),
  ipAddress: optionalField(Schema.String, "ip_address"),
  city: Schema.optionalWith(Schema.String, { exact: true }),
  country: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A task the user must complete before the session is fully active.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionTask = Schema.Struct({ key: Schema.String }).annotations({ identifier: "SessionTask" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionTask = typeof SessionTask.Type

const timestamp = (key: string) => Schema.propertySignature(Schema.Int).pipe(Schema.fromKey(key))

/**
 * A session as Clerk returns it: the encoded side is Clerk's wire JSON, the type side camelCase.
 *
 * - `actor` is non-null exactly for impersonated sessions: the actor of the token that started it, every key kept
 *   (any object; a missing `actor` decodes as `null`).
 * - Timestamps are integers kept exactly as Clerk sends them (Unix milliseconds).
 * - `latestActivity` may be absent or `null`; unknown fields in a response are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Session extends Schema.Class<Session>("Session")({
  object: Schema.optionalWith(Schema.Literal("session"), { default: () => "session" as const }),
  id: SessionId,
  userId: Schema.propertySignature(UserId).pipe(Schema.fromKey("user_id")),
  clientId: Schema.propertySignature(ClientId).pipe(Schema.fromKey("client_id")),
  actor: Schema.optionalWith(Schema.NullOr(JsonObject), { default: () => null }),
  status: SessionStatus,
  lastActiveOrganizationId: optionalField(Schema.NullOr(Schema.String), "last_active_organization_id"),
  lastActiveAt: timestamp("last_active_at"),
  latestActivity: optionalField(Schema.NullOr(SessionActivity), "latest_activity"),
  expireAt: timestamp("expire_at"),
  abandonAt: timestamp("abandon_at"),
  updatedAt: timestamp("updated_at"),
  createdAt: timestamp("created_at"),
  tasks: Schema.optionalWith(Schema.NullOr(Schema.Array(SessionTask)), { exact: true })
}) {}

/**
 * The wire JSON of a {@link Session}.
 *
 * @since 0.1.0
 * @category models
 */
export type SessionJson = typeof Session.Encoded

const SessionPage = Schema.Struct({
  data: Schema.Array(Schema.typeSchema(Session)),
  totalCount: Schema.optionalWith(Schema.Int, { exact: true })
})

/**
 * One page of the session list. `totalCount` is the number of sessions matching the query over every page, when
 * the server said (it does when asked with `paginated=true`).
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionList {
  readonly data: ReadonlyArray<Session>
  readonly totalCount?: number
}

const PaginatedWire = Schema.Struct({ data: Schema.Array(Session), total_count: Schema.Int })

/**
 * The session list, in both shapes the server sends: a bare JSON array (the spec's shape), and
 * `{ "data": [...], "total_count": N }` (the answer to `paginated=true`). Encoding writes the paginated shape when
 * `totalCount` is known, else the bare array.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionList: Schema.Schema<
  SessionList,
  ReadonlyArray<SessionJson> | { readonly data: ReadonlyArray<SessionJson>; readonly total_count: number }
> = Schema.transform(Schema.Union(Schema.Array(Session), PaginatedWire), SessionPage, {
  strict: true,
  decode: (wire) => "data" in wire ? { data: wire.data, totalCount: wire.total_count } : { data: wire },
  encode: (page) => page.totalCount === undefined ? page.data : { data: page.data, total_count: page.totalCount }
}).annotations({ identifier: "SessionList" })

/**
 * The largest page the session list serves.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxListLimit = 500

/**
 * The query of the session list: at least one of `userId` and `clientId`, ids by the id rule, `limit` 1–500 (Clerk's
 * default 10 when left out), `offset` ≥ 0. The encoded side holds the query parameters' names and values.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListSessionsParams = Schema.Struct({
  userId: optionalField(UserId, "user_id"),
  clientId: optionalField(ClientId, "client_id"),
  status: Schema.optionalWith(SessionListStatus, { exact: true }),
  limit: Schema.optionalWith(
    Schema.Int.pipe(Schema.between(1, maxListLimit, { message: () => `must be a whole number from 1 to 500` })),
    { exact: true }
  ),
  offset: Schema.optionalWith(Schema.NonNegativeInt, { exact: true })
}).pipe(
  Schema.filter((params) =>
    params.userId !== undefined || params.clientId !== undefined || "give userId or clientId (or both)"
  )
).annotations({ identifier: "ListSessionsParams" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListSessionsParams = typeof ListSessionsParams.Type

/**
 * The query parameters of the session list, as sent.
 *
 * @since 0.1.0
 * @category models
 */
export type ListSessionsQuery = typeof ListSessionsParams.Encoded
