/**
 * The admin API staff use: start an impersonation (get a one-time sign-in url), and stop it — before the link is used
 * (the link is revoked) or after (the impersonated session is ended).
 * Staff are identified by the `x-staff-id` header, which a real deployment sets in its auth proxy.
 */
import { Ids } from "@effect-clerk/schema"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Schema from "effect/Schema"

const StaffHeaders = Schema.Struct({ "x-staff-id": Schema.NonEmptyString })

export class Impersonation extends Schema.Class<Impersonation>("Impersonation")({
  actorTokenId: Schema.String,
  /** The one-time sign-in link: give it to the staff member who asked, and to nobody else. */
  url: Schema.String,
  expiresInSeconds: Schema.Number
}) {}

/** What `cancel` did: revoked the unused link, ended the session it started, or nothing (already cancelled). */
export class Cancellation extends Schema.Class<Cancellation>("Cancellation")({
  outcome: Schema.Literal("link-revoked", "session-ended", "already-cancelled"),
  sessionsEnded: Schema.Number
}) {}

export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()(
  "InvalidRequest",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 })
) {}

export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export class Unavailable extends Schema.TaggedError<Unavailable>()(
  "Unavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}

class ImpersonationsGroup extends HttpApiGroup.make("impersonations")
  .add(
    HttpApiEndpoint.post("impersonate", "/impersonations")
      .setHeaders(StaffHeaders)
      .setPayload(Schema.Struct({ userId: Schema.String }))
      .addSuccess(Impersonation, { status: 201 })
  )
  .add(
    HttpApiEndpoint.del("cancel", "/impersonations/:actorTokenId")
      .setHeaders(StaffHeaders)
      // A malformed id is refused here (400), before any lookup or request.
      .setPath(Schema.Struct({ actorTokenId: Ids.ActorTokenId }))
      .addSuccess(Cancellation)
      .addError(NotFound)
  )
  .addError(InvalidRequest)
  .addError(Unavailable)
{}

export class AdminApi extends HttpApi.make("admin").add(ImpersonationsGroup) {}
