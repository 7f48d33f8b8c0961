/**
 * The handlers: each maps the SDK's typed errors to the admin API's own, and writes one audit line.
 */
import { ActorTokens, type ClerkError } from "@effect-clerk/client"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AdminApi, Impersonation, InvalidRequest, NotFound, NotPending, Unavailable } from "./Api.js"
import { AuditLog } from "./AuditLog.js"

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
        const staffId = headers["x-staff-id"]
        const token = yield* ActorTokens.create({
          userId: payload.userId,
          actor: { sub: staffId, via: "admin-server" },
          expiresInSeconds: linkLifetimeSeconds
        }).pipe(Effect.catchAll(toApiError))
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
        const staffId = headers["x-staff-id"]
        const revoked = yield* ActorTokens.revoke(path.actorTokenId).pipe(
          Effect.catchAll((error): Effect.Effect<never, NotFound | NotPending | InvalidRequest | Unavailable> => {
            switch (error._tag) {
              case "ClerkNotFound":
                return Effect.fail(new NotFound({ message: `no impersonation ${path.actorTokenId}` }))
              case "ClerkBadRequest":
                // Accepted (the session exists: revoke the session instead) or already revoked.
                return audit.record({ action: "cancel-refused", actor: staffId, actorTokenId: path.actorTokenId }).pipe(
                  Effect.zipRight(Effect.fail(new NotPending({ message: error.message })))
                )
              default:
                return toApiError(error)
            }
          })
        )
        yield* audit.record({ action: "cancel", actor: staffId, user: revoked.userId, actorTokenId: revoked.id })
      })))
