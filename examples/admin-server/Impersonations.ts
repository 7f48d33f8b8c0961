/**
 * The handlers: each maps the SDK's typed errors to the admin API's own, and writes one audit line.
 */
import { ActorTokens, type ClerkError, Impersonations } from "@effect-clerk/client"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AdminApi, Cancellation, Impersonation, InvalidRequest, NotFound, Unavailable } from "./Api.js"
import { AuditLog } from "./AuditLog.js"
import { IssuedTokens } from "./IssuedTokens.js"

/** How long a sign-in link stays usable. */
const linkLifetimeSeconds = 600

/** What the caller can act on; everything else (a Clerk outage, a bad key) is "unavailable", logged for operators. */
const toApiError = (error: ClerkError.ClerkError): Effect.Effect<never, InvalidRequest | Unavailable> => {
  switch (error._tag) {
    case "ClerkInvalidInput":
    case "ClerkUnprocessableEntity":
      return Effect.fail(new InvalidRequest({ message: error.message }))
    default:
      return Effect.logError(`Clerk call failed: ${error._tag}: ${error.message}`).pipe(
        Effect.zipRight(Effect.fail(new Unavailable({ message: "impersonation is unavailable right now" })))
      )
  }
}

export const ImpersonationsLive = HttpApiBuilder.group(AdminApi, "impersonations", (handlers) =>
  handlers
    .handle("impersonate", ({ headers, payload }) =>
      Effect.gen(function*() {
        const audit = yield* AuditLog
        const issued = yield* IssuedTokens
        const staffId = headers["x-staff-id"]
        const token = yield* ActorTokens.create({
          userId: payload.userId,
          actor: { sub: staffId, via: "admin-server" },
          expiresInSeconds: linkLifetimeSeconds
        }).pipe(Effect.catchAll(toApiError))
        yield* issued.save(token)
        yield* audit.record({ action: "impersonate", actor: staffId, user: payload.userId, actorTokenId: token.id })
        if (token.url === undefined || token.url === null) {
          return yield* new Unavailable({ message: "Clerk returned no sign-in url" })
        }
        return new Impersonation({
          actorTokenId: token.id,
          url: Redacted.value(token.url),
          expiresInSeconds: linkLifetimeSeconds
        })
      }))
    .handle("cancel", ({ headers, path }) =>
      Effect.gen(function*() {
        const audit = yield* AuditLog
        const issued = yield* IssuedTokens
        const staffId = headers["x-staff-id"]
        const token = yield* Effect.flatMap(
          issued.find(path.actorTokenId),
          Option.match({
            onNone: () => Effect.fail(new NotFound({ message: `no impersonation ${path.actorTokenId}` })),
            onSome: Effect.succeed
          })
        )
        // One call whatever happened since: revoke the link if it is unused, else end the session it started.
        const result = yield* Impersonations.stop(token).pipe(
          Effect.catchAll((error): Effect.Effect<never, NotFound | InvalidRequest | Unavailable> =>
            error._tag === "ClerkNotFound"
              ? Effect.fail(new NotFound({ message: `no impersonation ${path.actorTokenId}` }))
              : toApiError(error)
          )
        )
        const entry = { actor: staffId, user: token.userId, actorTokenId: token.id }
        return yield* Impersonations.StopResult.$match(result, {
          TokenRevoked: ({ token: revoked }) =>
            Effect.zipRight(
              Effect.zipRight(issued.save(revoked), audit.record({ action: "cancel", ...entry })),
              Effect.succeed(new Cancellation({ outcome: "link-revoked", sessionsEnded: 0 }))
            ),
          AlreadyRevoked: () => Effect.succeed(new Cancellation({ outcome: "already-cancelled", sessionsEnded: 0 })),
          SessionsEnded: ({ ended, failed }) =>
            Effect.gen(function*() {
              yield* audit.record({ action: "end", ...entry, sessions: ended.length })
              if (failed.length > 0) {
                yield* Effect.logError(`${failed.length} session(s) of ${token.id} could not be revoked`)
                return yield* new Unavailable({ message: "the impersonation could not be ended; try again" })
              }
              return new Cancellation({ outcome: "session-ended", sessionsEnded: ended.length })
            })
        })
      })))
