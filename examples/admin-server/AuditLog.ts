/**
 * The admin server's audit trail: one line per staff action, naming the staff member (the actor) and the target
 * user. It never holds the sign-in url or the ticket: they are credentials, and audit logs are widely readable.
 */
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

export interface AuditEntry {
  readonly action: "impersonate" | "cancel" | "end"
  /** The staff member who acted (the impersonator). */
  readonly actor: string
  /** The user being impersonated, when known. */
  readonly user?: string | undefined
  readonly actorTokenId: string
  /** For `end`: how many impersonated sessions were ended. */
  readonly sessions?: number | undefined
}

export const formatEntry = (entry: AuditEntry): string =>
  [
    `audit action=${entry.action}`,
    `actor=${entry.actor}`,
    ...(entry.user === undefined ? [] : [`user=${entry.user}`]),
    `actor_token=${entry.actorTokenId}`,
    ...(entry.sessions === undefined ? [] : [`sessions=${entry.sessions}`])
  ].join(" ")

export class AuditLog extends Context.Tag("admin-server/AuditLog")<AuditLog, {
  readonly record: (entry: AuditEntry) => Effect.Effect<void>
  readonly entries: Effect.Effect<ReadonlyArray<AuditEntry>>
}>() {}

/** Writes each entry as a line on stdout (a log shipper picks it up) and keeps it in memory. */
export const layer: Layer.Layer<AuditLog> = Layer.effect(
  AuditLog,
  Effect.map(Ref.make<ReadonlyArray<AuditEntry>>([]), (entries) =>
    AuditLog.of({
      record: (entry) =>
        Effect.zipRight(Ref.update(entries, (all) => [...all, entry]), Console.log(formatEntry(entry))),
      entries: Ref.get(entries)
    }))
)

/** Keeps entries in memory only: for tests. */
export const layerMemory: Layer.Layer<AuditLog> = Layer.effect(
  AuditLog,
  Effect.map(Ref.make<ReadonlyArray<AuditEntry>>([]), (entries) =>
    AuditLog.of({
      record: (entry) => Ref.update(entries, (all) => [...all, entry]),
      entries: Ref.get(entries)
    }))
)
