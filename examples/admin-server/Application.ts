/**
 * "The application" the impersonated user signs in to. `ClerkAuth.ClerkAuth` verifies the request's session token
 * before any handler runs (401 without one) and gives the handlers `CurrentSession`; `ClerkAuth.NoImpersonation`
 * refuses the sensitive endpoint (403) while someone acts for the user.
 */
import { ClerkAuth } from "@effect-clerk/auth"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AccountDeletion, AdminApi, Me } from "./Api.js"

export const ApplicationLive = HttpApiBuilder.group(AdminApi, "app", (handlers) =>
  handlers
    .handle("me", () =>
      Effect.map(ClerkAuth.CurrentSession, (session) =>
        new Me({
          userId: session.userId,
          sessionId: session.sessionId,
          actor: Option.getOrNull(session.actor),
          impersonated: Option.isSome(session.actor)
        })))
    .handle("deleteAccount", () =>
      // Only reached by the user themselves: the middleware has refused every impersonation already.
      Effect.map(
        ClerkAuth.CurrentSession,
        (session) => new AccountDeletion({ userId: session.userId, status: "scheduled" })
      )))
