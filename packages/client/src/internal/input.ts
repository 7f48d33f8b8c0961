/** @internal The largest nesting depth accepted in actor claims (Clerk puts them in a JWT: they stay small). */
export const maxClaimDepth = 32

/**
 * @internal
 * Finds what a recursive schema check cannot be trusted with: a cycle or a nesting deeper than `maxDepth`. Runs
 * iteratively, so no input can overflow the stack.
 */
export const nestingIssue = (value: unknown, maxDepth: number = maxClaimDepth): string | undefined => {
  const stack: Array<{ readonly value: object; readonly depth: number; readonly ancestors: ReadonlySet<object> }> = []
  if (typeof value === "object" && value !== null) stack.push({ value, depth: 0, ancestors: new Set() })
  while (stack.length > 0) {
    const { ancestors, depth, value: current } = stack.pop()!
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`
    if (ancestors.has(current)) return "contains a cycle"
    const inner = new Set(ancestors).add(current)
    for (const child of Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1, ancestors: inner })
    }
  }
  return undefined
}

/** @internal Drops the keys whose value is `undefined`, the way an optional parameter left unset is written. */
export const dropUndefined = (params: unknown): unknown =>
  typeof params === "object" && params !== null && !Array.isArray(params)
    ? Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined))
    : params
