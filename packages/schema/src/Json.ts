/**
 * JSON values: what can travel in a request body unchanged.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A value that `JSON.stringify` writes without loss: strings, finite numbers, booleans, `null`, arrays and plain
 * objects of JSON values.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<JsonValue>
  | { readonly [key: string]: JsonValue }

/**
 * Accepts exactly the {@link JsonValue}s: `NaN`, `Infinity`, `undefined`, functions, symbols, bigints, dates and
 * class instances are refused instead of being silently turned into `null` or dropped by `JSON.stringify`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonValue: Schema.Schema<JsonValue> = Schema.Union(
  Schema.String,
  Schema.Finite,
  Schema.Boolean,
  Schema.Null,
  Schema.Array(Schema.suspend(() => JsonValue)),
  Schema.Record({ key: Schema.String, value: Schema.suspend(() => JsonValue) })
).annotations({ identifier: "JsonValue" })

/**
 * Any JSON object, its values kept as they are. Used where Clerk declares an object without properties.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})

/**
 * @since 0.1.0
 * @category models
 */
export type JsonObject = typeof JsonObject.Type
