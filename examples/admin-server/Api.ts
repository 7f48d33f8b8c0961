/**
 * The admin API staff use: start an impersonation (get a one-time sign-in url) and cancel one that is still pending.
 * Staff are identified by the `x-staff-id` header, which a real deployment sets in its auth proxy.
 */
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

export class NotPending extends Schema.TaggedError<NotPending>()(
  "NotPending",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
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
      .setPath(Schema.Struct({ actorTokenId: Schema.String }))
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .addError(NotPending)
  )
  .addError(InvalidRequest)
  .addError(Unavailable)
{}

export class AdminApi extends HttpApi.make("admin").add(ImpersonationsGroup) {}
