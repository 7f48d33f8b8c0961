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
 * Whether a value, if it is a container, is one `JSON.parse` could make: not a `Date`, `Map` or class instance, and without
 * an own `__proto__` key (which object spreading and schema decoding would turn into a prototype).
 *
 * @since 0.1.0
 * @category guards
 */
export const isPlainJson = (value: unknown): boolean => {
  if (typeof value !== "object" || value === null) return true
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype
  const prototype = Object.getPrototypeOf(value)
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, "__proto__")
}

/**
 * Accepts exactly the {@link JsonValue}s: `NaN`, `Infinity`, `undefined`, functions, symbols and bigints are refused
 * instead of being silently turned into `null` or dropped by `JSON.stringify`.
 *
 * Like every `Schema.Record`, the object branch reads an object's own enumerable keys and builds a new plain object:
 * it does not see that a value was a `Date`, a `Map` or a class instance, and a key named `__proto__` does not
 * survive it. Check untrusted containers with {@link isPlainJson} first (the client does, before encoding).
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
