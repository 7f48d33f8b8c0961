import { Json } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import { ClerkInvalidInput } from "../ClerkError.js"
import { issuePaths } from "./json.js"
import { maxClaimDepth } from "./limits.js"

const describeIssues = (error: ParseResult.ParseError): string => {
  try {
    return ParseResult.ArrayFormatter.formatErrorSync(error)
      .slice(0, 5)
      .map((issue) => issue.path.length === 0 ? issue.message : `${issue.path.map(String).join(".")}: ${issue.message}`)
      .join("; ")
  } catch {
    // A message formats the value: untyped input nested too deep to print overflows the stack. Name the fields only.
    return issuePaths(error.issue).slice(0, 5).map((path) => `${path}: invalid value`).join("; ")
  }
}

/**
 * @internal
 * Checks a caller's input with a schema before anything is sent: a failure becomes `ClerkInvalidInput` naming
 * `what` and the refused fields.
 */
export const check = <A>(
  what: string,
  result: Either.Either<A, ParseResult.ParseError>
): Either.Either<A, ClerkInvalidInput> =>
  Either.mapLeft(result, (error) => new ClerkInvalidInput({ message: `Invalid ${what}: ${describeIssues(error)}` }))

/**
 * @internal
 * Finds what the schemas cannot be trusted with in caller-given claims: a cycle, a nesting deeper than
 * `maxClaimDepth`, or a container `JSON.parse` could not have made (a `Date`, a `Map`, a class instance, an own
 * `__proto__` key) — the schema would silently turn those into `{}` or drop them. Runs iteratively, so no input can
 * overflow the stack.
 */
export const claimsIssue = (value: unknown): string | undefined => {
  // The common case: a plain object of plain values (`{ sub, ticket: "T-1" }`) has nothing to walk.
  if (typeof value === "object" && value !== null && Json.isPlainJson(value) && !Array.isArray(value)) {
    let flat = true
    for (const key in value) {
      const child = (value as Record<string, unknown>)[key]
      if (typeof child === "object" && child !== null) {
        flat = false
        break
      }
    }
    if (flat) return undefined
  }
  const stack: Array<
    { readonly value: unknown; readonly path: string; readonly depth: number; ancestors: ReadonlySet<object> }
  > = [
    { value, path: "actor", depth: 0, ancestors: new Set() }
  ]
  while (stack.length > 0) {
    const { ancestors, depth, path, value: current } = stack.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth > maxClaimDepth) return `${path} is nested deeper than ${maxClaimDepth} levels`
    if (ancestors.has(current)) return `${path} contains a cycle`
    if (!Json.isPlainJson(current)) {
      return `${path} must be a plain JSON object or array (no Date, Map, class or __proto__ key)`
    }
    const inner = new Set(ancestors).add(current)
    for (const [key, child] of Object.entries(current)) {
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1, ancestors: inner })
    }
  }
  return undefined
}

/** @internal Drops the keys whose value is `undefined`, the way an optional parameter left unset is written. */
export const dropUndefined = (params: unknown): unknown =>
  typeof params === "object" && params !== null && !Array.isArray(params)
    ? Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined))
    : params
