/**
 * Clerk's webhook events: the envelope `{ type, object: "event", timestamp, instance_id, data, event_attributes }`
 * Clerk delivers, decoded into a union. The `session.*` events carry a {@link Session.Session}; every other type —
 * including the ones Clerk adds later — is an {@link UnknownEvent} with its `data` kept as sent.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as FastDecode from "./internal/fastDecode.js"
import type { JsonObject } from "./Json.js"
import { Session, SessionActivity } from "./Session.js"

/**
 * An object kept as `JSON.parse` made it: checked to be an object, not copied key by key (a user object has dozens
 * of keys, and decoding it would cost more than verifying the delivery's signature).
 */
const JsonObjectAsSent: Schema.Schema<JsonObject> = Schema.declare(
  (input: unknown): input is JsonObject => Predicate.isRecord(input),
  {
    identifier: "JsonObject",
    arbitrary: () => (fc) => fc.dictionary(fc.string(), fc.jsonValue())
  }
)

/**
 * The event types whose `data` is a session.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionEventType = Schema.Literal(
  "session.created",
  "session.pending",
  "session.ended",
  "session.removed",
  "session.revoked"
).annotations({ identifier: "SessionEventType" })

/**
 * @since 0.1.0
 * @category models
 */
export type SessionEventType = typeof SessionEventType.Type

const isSessionEventType = Schema.is(SessionEventType)

/**
 * The `data` of a session event: the session, and the user it belongs to when Clerk includes it (kept as JSON; decode
 * it with your own schema if you need it). An instance of {@link Session.Session}.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionEventData extends Session.extend<SessionEventData>("SessionEventData")({
  user: Schema.optionalWith(Schema.NullOr(JsonObjectAsSent), { exact: true })
}) {}

type Transformation = (value: Option.Option<unknown>) => Option.Option<unknown>

interface Rename {
  readonly from: string
  readonly to: string
  readonly transformation: Transformation | undefined
}

/**
 * A class decoded from its wire JSON in one step: the wire keys are checked with the fields' own schemas, then the
 * instance is built from a fresh object. Decoding through the class renames its keys one at a time on a copy, which
 * costs a session event more than the signature check of its delivery.
 */
const fromWireOnce = <Self extends object, Encoded>(
  klass: Schema.Schema<Self, Encoded> & {
    readonly fields: Schema.Struct.Fields
    readonly prototype: Self
  },
  nested: ReadonlyMap<SchemaAST.AST, SchemaAST.AST> = new Map()
): Schema.Schema<Self, Encoded> => {
  // A nested class, also where it may be null, is decoded the same way.
  const wire = (ast: SchemaAST.AST): Schema.Schema.Any =>
    Schema.make(
      nested.get(ast) ??
        (SchemaAST.isUnion(ast) && ast.types.some((member) => nested.has(member))
          ? SchemaAST.Union.make(ast.types.map((member) => nested.get(member) ?? member), ast.annotations)
          : ast)
    )
  const wireFields: Record<string, Schema.Schema.All | Schema.PropertySignature.All> = {}
  // One step per field and direction; a transformation that is the identity (a plain rename) is left out.
  const decodeSteps: Array<Rename> = []
  const encodeSteps: Array<Rename> = []
  const addSteps = (key: string, wireKey: string, decode?: Transformation, encode?: Transformation): void => {
    decodeSteps.push({ from: wireKey, to: key, transformation: decode === identity ? undefined : decode })
    encodeSteps.push({ from: key, to: wireKey, transformation: encode === identity ? undefined : encode })
  }
  for (const [key, field] of Object.entries(klass.fields)) {
    if (!Schema.isPropertySignature(field)) {
      wireFields[key] = field
      addSteps(key, key)
      continue
    }
    const ast = field.ast
    if (ast._tag === "PropertySignatureDeclaration") {
      wireFields[key] = ast.isOptional
        ? Schema.optionalWith(wire(ast.type), { exact: true })
        : wire(ast.type)
      addSteps(key, key)
      continue
    }
    const wireKey = typeof ast.from.fromKey === "string" ? ast.from.fromKey : key
    wireFields[wireKey] = ast.from.isOptional
      ? Schema.optionalWith(wire(ast.from.type), { exact: true })
      : wire(ast.from.type)
    addSteps(key, wireKey, ast.decode, ast.encode)
  }
  const rename = (input: object, steps: ReadonlyArray<Rename>): Record<string, unknown> => {
    const from = input as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const step of steps) {
      const present = Object.hasOwn(from, step.from)
      if (step.transformation === undefined) {
        if (present) out[step.to] = from[step.from]
      } else {
        const value = step.transformation(present ? Option.some(from[step.from]) : Option.none())
        if (Option.isSome(value)) out[step.to] = value.value
      }
    }
    return out
  }
  return Schema.transformOrFail(Schema.Struct(wireFields), Schema.typeSchema(klass), {
    strict: false,
    // `rename` has applied every default, which leaves the class constructor (and its parents') nothing to do but
    // copy the fields onto a new instance: done here in one step.
    decode: (wire) =>
      ParseResult.succeed(Object.assign(Object.create(klass.prototype) as Self, rename(wire, decodeSteps))),
    encode: (instance) => ParseResult.succeed(rename(instance, encodeSteps))
  }) as unknown as Schema.Schema<Self, Encoded>
}

/**
 * The envelope's wire names become the type's in one transformation that builds a fresh object: renaming key by key
 * would take one step per key on every delivery.
 */
interface EnvelopeWire {
  readonly type: string
  readonly object: "event"
  readonly timestamp: number
  readonly instance_id: string
  readonly event_attributes?: JsonObject
  readonly data: unknown
}

interface EnvelopeType {
  readonly type: string
  readonly object: "event"
  readonly timestamp: number
  readonly instanceId: string
  readonly eventAttributes?: JsonObject
  readonly data: unknown
}

const envelopeOf = <
  const Tag extends string,
  Type extends Schema.Schema.Any,
  TypedType extends Schema.Schema.Any,
  Data extends Schema.Schema.Any,
  TypedData extends Schema.Schema.Any
>(tag: Tag, type: Type, typedType: TypedType, data: Data, typedData: TypedData) =>
  Schema.transform(
    Schema.Struct({
      type,
      object: Schema.Literal("event"),
      timestamp: Schema.Int,
      instance_id: Schema.String,
      event_attributes: Schema.optionalWith(JsonObjectAsSent, { exact: true }),
      data
    }),
    Schema.Struct({
      _tag: Schema.Literal(tag),
      type: typedType,
      object: Schema.Literal("event"),
      timestamp: Schema.Int.annotations({ description: "When the event happened, in Unix milliseconds" }),
      instanceId: Schema.String,
      eventAttributes: Schema.optionalWith(JsonObjectAsSent, { exact: true }),
      data: typedData
    }),
    {
      strict: false,
      decode: (fromWire) => {
        const wire = fromWire as unknown as EnvelopeWire
        const event: Record<string, unknown> = {
          _tag: tag,
          type: wire.type,
          object: wire.object,
          timestamp: wire.timestamp,
          instanceId: wire.instance_id,
          data: wire.data
        }
        if (wire.event_attributes !== undefined) event.eventAttributes = wire.event_attributes
        return event
      },
      encode: (toEvent) => {
        const event = toEvent as unknown as EnvelopeType
        const wire: Record<string, unknown> = {
          type: event.type,
          object: event.object,
          timestamp: event.timestamp,
          instance_id: event.instanceId,
          data: event.data
        }
        if (event.eventAttributes !== undefined) wire.event_attributes = event.eventAttributes
        return wire
      }
    }
  )

const SessionEvent_ = envelopeOf(
  "SessionEvent",
  SessionEventType,
  SessionEventType,
  fromWireOnce(SessionEventData, new Map([[SessionActivity.ast, fromWireOnce(SessionActivity).ast]])),
  Schema.typeSchema(SessionEventData)
)

/**
 * A `session.*` event. `data.actor` is non-null when the session is an impersonation.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionEvent extends Schema.Schema.Type<typeof SessionEvent_> {}

/**
 * The wire JSON of a {@link SessionEvent}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionEventJson extends Schema.Schema.Encoded<typeof SessionEvent_> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const SessionEvent: Schema.Schema<SessionEvent, SessionEventJson> = SessionEvent_.annotations({
  identifier: "SessionEvent"
})

const OtherEventType = Schema.String.pipe(
  Schema.filter((type) => !isSessionEventType(type), { message: () => "a session event must carry a session" })
)

const UnknownEvent_ = envelopeOf(
  "UnknownEvent",
  OtherEventType,
  Schema.String,
  Schema.Unknown,
  Schema.Unknown
)

/**
 * Any event that is not a session event: `data` is what `JSON.parse` made of it, for you to decode. An event type
 * Clerk adds later lands here instead of failing.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownEvent extends Schema.Schema.Type<typeof UnknownEvent_> {}

/**
 * The wire JSON of an {@link UnknownEvent}.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownEventJson extends Schema.Schema.Encoded<typeof UnknownEvent_> {}

/**
 * @since 0.1.0
 * @category schemas
 */
export const UnknownEvent: Schema.Schema<UnknownEvent, UnknownEventJson> = UnknownEvent_.annotations({
  identifier: "UnknownEvent"
})

/**
 * @since 0.1.0
 * @category models
 */
export type WebhookEvent = SessionEvent | UnknownEvent

/**
 * @since 0.1.0
 * @category models
 */
export type WebhookEventJson = SessionEventJson | UnknownEventJson

/**
 * A webhook event as Clerk sends it. A `session.*` event whose `data` is not a session fails to decode rather than
 * becoming an {@link UnknownEvent}: that would drop the session silently.
 *
 * @example
 * ```ts
 * import { WebhookEvent } from "@effect-clerk/schema"
 * import { Effect, Option, Schema } from "effect"
 *
 * const impersonatedSession = (json: unknown) =>
 *   Schema.decodeUnknown(WebhookEvent.WebhookEvent)(json).pipe(
 *     Effect.map((event) =>
 *       event._tag === "SessionEvent" && event.data.actor !== null ? Option.some(event.data.id) : Option.none()
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhookEvent: Schema.Schema<WebhookEvent, WebhookEventJson> = Schema.Union(SessionEvent, UnknownEvent)
  .annotations({ identifier: "WebhookEvent" })

/**
 * Decodes what `JSON.parse` made of a delivery's body: the same result as
 * `Schema.decodeUnknownEither(WebhookEvent)`, the same value or the same error, but a well-formed event takes a path
 * that costs a fraction of the schema parser's. `Webhooks.verify` of `@effect-clerk/auth` decodes with it.
 *
 * @example
 * ```ts
 * import { WebhookEvent } from "@effect-clerk/schema"
 * import { Either } from "effect"
 *
 * const eventType = (body: string) =>
 *   Either.map(WebhookEvent.decodeUnknownEither(JSON.parse(body)), (event) => event.type)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknownEither: (input: unknown) => Either.Either<WebhookEvent, ParseResult.ParseError> = FastDecode
  .decodeUnknownEither(WebhookEvent)
