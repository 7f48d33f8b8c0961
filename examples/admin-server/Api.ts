/**
 * One server, two sides of an impersonation:
 *
 * - the admin API staff use: start an impersonation (get a one-time sign-in url), and stop it — before the link is
 *   used (the link is revoked) or after (the impersonated session is ended). Staff are identified by the `x-staff-id`
 *   header, which a real deployment sets in its auth proxy;
 * - "the application" the impersonated user signs in to: every request carries a Clerk session token, which shows who
 *   is signed in and who acts for them; a sensitive action is refused (403) while someone does;
 * - the audit trail: Clerk's webhooks (`POST /webhooks/clerk`) record when each impersonation started and ended, and
 *   `GET /audit` serves the records.
 */
import { ClerkAuth, Webhooks } from "@effect-clerk/auth"
import { Actor, Ids } from "@effect-clerk/schema"
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

/** Who is signed in, and who acts for them (`actor`: the session token's `act` claim, every key kept). */
export class Me extends Schema.Class<Me>("Me")({
  userId: Schema.String,
  sessionId: Schema.String,
  actor: Schema.NullOr(Actor.ActClaim),
  impersonated: Schema.Boolean
}) {}

export class AccountDeletion extends Schema.Class<AccountDeletion>("AccountDeletion")({
  userId: Schema.String,
  status: Schema.Literal("scheduled")
}) {}

class ApplicationGroup extends HttpApiGroup.make("app")
  .add(HttpApiEndpoint.get("me", "/app/me").addSuccess(Me))
  .add(
    // Sensitive: only the user themselves may ask for it, never someone acting for them (403).
    HttpApiEndpoint.post("deleteAccount", "/app/account/delete")
      .addSuccess(AccountDeletion, { status: 202 })
      .middleware(ClerkAuth.NoImpersonation)
  )
  .middleware(ClerkAuth.ClerkAuth)
{}

/** One impersonation record of the trail, with the id of the delivery that brought it. */
export class AuditRecord extends Schema.Class<AuditRecord>("AuditRecord")({
  deliveryId: Schema.String,
  record: Webhooks.Impersonation
}) {}

class WebhooksGroup extends HttpApiGroup.make("webhooks")
  .add(
    // No payload: the signature covers the raw body, which the handler reads itself.
    HttpApiEndpoint.post("clerk", "/webhooks/clerk")
      .addSuccess(HttpApiSchema.NoContent)
      .addError(Webhooks.WebhookVerificationError)
  )
{}

class AuditGroup extends HttpApiGroup.make("audit")
  .add(HttpApiEndpoint.get("list", "/audit").setHeaders(StaffHeaders).addSuccess(Schema.Array(AuditRecord)))
{}

export class AdminApi extends HttpApi.make("admin")
  .add(ImpersonationsGroup)
  .add(ApplicationGroup)
  .add(WebhooksGroup)
  .add(AuditGroup)
{}
