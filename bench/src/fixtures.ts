/**
 * The fixed data of every benchmark: the create parameters, the secret key, and the Clerk-shaped JSON the loopback
 * server answers with — encoded by `@effect-clerk/schema`, never typed by hand.
 */
import { ActorToken, ClerkErrorBody, Ids } from "@effect-clerk/schema"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

export const secretKey = "sk_test_bench_0000000000000000000000000000"

export const actorTokenId = "act_2EL6mQKzeUtoRwGuLZsznyfkIsH"

/** The parameters of every `create` call, as a caller passes them. */
export const createParams = {
  userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb",
  actor: { sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rc" },
  expiresInSeconds: 600
} as const

/** The wire body of `create`, encoded once by the schema (what the raw transports send). */
export const createBodyJson: string = JSON.stringify(
  Schema.encodeUnknownSync(ActorToken.CreateActorTokenParams)(createParams)
)

const token = (status: ActorToken.ActorTokenStatus): ActorToken.ActorToken =>
  new ActorToken.ActorToken({
    id: Ids.ActorTokenId.make(actorTokenId),
    status,
    userId: Ids.UserId.make(createParams.userId),
    actor: { sub: createParams.actor.sub },
    token: Redacted.make("eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yYmVuY2gifQ.bench_ticket_payload.bench_signature"),
    url: Redacted.make(
      "https://accounts.bench.example/v1/tickets/accept?ticket=eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18yYmVuY2gifQ"
    ),
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000
  })

const encodeToken = Schema.encodeSync(ActorToken.ActorToken)

/** The body of a successful create: a pending token. */
export const createdJson: string = JSON.stringify(encodeToken(token("pending")))

/** The body of a successful revoke. */
export const revokedJson: string = JSON.stringify(encodeToken(token("revoked")))

/** The body of any other route: Clerk's 404. */
export const notFoundJson: string = JSON.stringify(
  Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)({
    errors: [{ code: "resource_not_found", message: "not found", longMessage: "Resource not found" }],
    clerkTraceId: "bench"
  })
)

/** The headers every client sends besides authorization and content type. */
export const clerkApiVersion = "2026-05-12"

/**
 * How the loopback server frames an answer (one port each, see server.ts): `Content-Length`, chunked, or
 * gzip-encoded (chunked) when the request accepts gzip.
 */
export const shapes = ["length", "chunked", "gzip"] as const
export type Shape = typeof shapes[number]
