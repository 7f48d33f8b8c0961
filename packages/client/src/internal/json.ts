/**
 * Helpers over JSON values and schema parse issues that never recurse on the value, so no input — however deeply
 * nested, even cyclic — can overflow the stack.
 */
import type * as ParseResult from "effect/ParseResult"

/** Whether `value` holds an object or array more than `limit` levels down (a scalar is at level 0). */
export const nestedDeeperThan = (value: unknown, limit: number): boolean => {
  // Two parallel stacks: no allocation per visited value, only for the containers' own values.
  const values: Array<unknown> = [value]
  const depths: Array<number> = [0]
  while (values.length > 0) {
    const current = values.pop()
    const depth = depths.pop()!
    if (typeof current !== "object" || current === null) continue
    if (depth >= limit) return true
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue
      const child = (current as Record<string, unknown>)[key]
      if (typeof child === "object" && child !== null) {
        values.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}

/**
 * The paths of a decode failure, read from the issue tree without rendering a message: a message would
 * format the value (a credential, or JSON nested too deep to print without overflowing the stack).
 */
export const issuePaths = (issue: ParseResult.ParseIssue): Array<string> => {
  const paths = new Set<string>()
  const stack: Array<readonly [ParseResult.ParseIssue, ReadonlyArray<PropertyKey>]> = [[issue, []]]
  while (stack.length > 0) {
    const [current, path] = stack.pop()!
    switch (current._tag) {
      case "Pointer":
        stack.push([current.issue, path.concat(current.path)])
        break
      case "Composite": {
        const inner = Array.isArray(current.issues) ? current.issues : [current.issues]
        for (let i = inner.length - 1; i >= 0; i--) stack.push([inner[i]!, path])
        break
      }
      case "Refinement":
      case "Transformation":
        stack.push([current.issue, path])
        break
      default:
        paths.add(path.length === 0 ? "(root)" : path.map(String).join("."))
    }
  }
  return [...paths]
}

/**
 * Whether `whole` holds every key of `part` with an equal JSON value (deep, arrays compared element by element), so
 * keys added to `whole` do not matter. Iterative, like the rest of this module.
 */
export const includes = (whole: unknown, part: unknown): boolean => {
  const stack: Array<readonly [unknown, unknown, boolean]> = [[whole, part, true]]
  while (stack.length > 0) {
    const [a, b, subset] = stack.pop()!
    if (typeof b !== "object" || b === null) {
      if (a !== b) return false
      continue
    }
    if (typeof a !== "object" || a === null || Array.isArray(a) !== Array.isArray(b)) return false
    const aKeys = Object.keys(a)
    const bKeys = Object.keys(b)
    if (!subset && aKeys.length !== bKeys.length) return false
    for (const key of bKeys) {
      if (!Object.hasOwn(a, key)) return false
      // Only the top level may have more keys: below it, values are compared whole.
      stack.push([(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], false])
    }
  }
  return true
}
