/**
 * The audit trail's two endpoints: `POST /webhooks/clerk` verifies each delivery (400 on a bad signature, nothing
 * recorded) and records the impersonation it carries; `GET /audit` serves the records.
 */
import { Webhooks } from "@effect-clerk/auth"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AdminApi } from "./Api.js"
import { ImpersonationTrail } from "./ImpersonationTrail.js"

export const ClerkWebhooksLive = HttpApiBuilder.group(
  AdminApi,
  "webhooks",
  (handlers) =>
    handlers.handleRaw("clerk", () =>
      Effect.gen(function*() {
        const trail = yield* ImpersonationTrail
        const delivery = yield* Webhooks.verifyRequest.pipe(
          Effect.tapError((error) => Effect.logWarning(`Refused a webhook delivery: ${error.reason}`))
        )
        // Every other event (a user's own sign-in, other event types) is answered 204 too: Clerk stops resending it.
        yield* Option.match(Webhooks.impersonationOf(delivery.event), {
          onNone: () => Effect.void,
          onSome: (record) => trail.record(delivery.id, record)
        })
      }))
)

export const AuditLive = HttpApiBuilder.group(
  AdminApi,
  "audit",
  (handlers) => handlers.handle("list", () => Effect.flatMap(ImpersonationTrail, (trail) => trail.records))
)
