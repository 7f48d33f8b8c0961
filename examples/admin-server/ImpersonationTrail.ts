/**
 * The audit trail of impersonations, fed by Clerk's webhooks: when each started (who, as whom, in which session) and
 * when and why it ended. Clerk delivers each event at least once, so a record is kept per delivery id (`svix-id`, the
 * same on every attempt): a redelivery changes nothing. Kept in memory here; a real deployment writes it to its
 * database with the delivery id as a unique key.
 */
import type { Webhooks } from "@effect-clerk/auth"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { AuditRecord } from "./Api.js"

export class ImpersonationTrail extends Context.Tag("admin-server/ImpersonationTrail")<ImpersonationTrail, {
  /** Records what the delivery brought; `false` when that delivery id was already recorded. */
  readonly record: (deliveryId: string, record: Webhooks.Impersonation) => Effect.Effect<boolean>
  /** Every record, in the order the deliveries arrived. */
  readonly records: Effect.Effect<ReadonlyArray<AuditRecord>>
}>() {}

export const layerMemory: Layer.Layer<ImpersonationTrail> = Layer.effect(
  ImpersonationTrail,
  Effect.map(Ref.make<ReadonlyArray<AuditRecord>>([]), (records) =>
    ImpersonationTrail.of({
      // One atomic modify: two concurrent attempts of one delivery cannot both be recorded.
      record: (deliveryId, record) =>
        Ref.modify(records, (all) =>
          all.some((entry) => entry.deliveryId === deliveryId)
            ? [false, all]
            : [true, [...all, new AuditRecord({ deliveryId, record })]]),
      records: Ref.get(records)
    }))
)
