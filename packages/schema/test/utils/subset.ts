/**
 * Cuts a self-contained subset out of Clerk's whole OpenAPI document: the chosen operations, and every component
 * they reach through `$ref`s, verbatim. The sessions fixture is such a subset, checked against the whole spec.
 */

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const refsOf = (node: unknown, out: Set<string>): void => {
  if (Array.isArray(node)) return node.forEach((item) => refsOf(item, out))
  if (!isObject(node)) return
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") out.add(value)
    else refsOf(value, out)
  }
}

const decode = (token: string): string => token.replaceAll("~1", "/").replaceAll("~0", "~")

/** The operations `[path, method]` of `doc`, with the components they need, in the document's own order. */
export const subset = (
  doc: Readonly<Record<string, unknown>>,
  operations: ReadonlyArray<readonly [path: string, method: string]>
): Record<string, unknown> => {
  const docPaths = doc["paths"] as Record<string, Record<string, unknown>>
  const paths: Record<string, Record<string, unknown>> = {}
  const pending: Array<unknown> = []
  for (const [path, method] of operations) {
    const operation = docPaths[path]?.[method]
    if (operation === undefined) throw new Error(`no ${method} ${path} in the spec`)
    paths[path] = { ...paths[path], [method]: operation }
    pending.push(operation)
  }
  const wanted = new Set<string>()
  while (pending.length > 0) {
    const found = new Set<string>()
    refsOf(pending.pop(), found)
    for (const ref of found) {
      if (wanted.has(ref)) continue
      wanted.add(ref)
      const [section, kind, name] = ref.replace(/^#\//, "").split("/").map(decode)
      if (section !== "components" || kind === undefined || name === undefined) throw new Error(`unexpected ${ref}`)
      const node = (doc["components"] as Record<string, Record<string, unknown>>)[kind]?.[name]
      if (node === undefined) throw new Error(`no ${ref} in the spec`)
      pending.push(node)
    }
  }
  const components: Record<string, Record<string, unknown>> = {}
  for (const [kind, entries] of Object.entries(doc["components"] as Record<string, Record<string, unknown>>)) {
    for (const [name, node] of Object.entries(entries)) {
      if (wanted.has(`#/components/${kind}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`)) {
        components[kind] = { ...components[kind], [name]: node }
      }
    }
  }
  return { openapi: doc["openapi"], info: doc["info"], paths, components }
}

/** The session operations this project uses. */
export const sessionOperations: ReadonlyArray<readonly [string, string]> = [
  ["/sessions", "get"],
  ["/sessions/{session_id}", "get"],
  ["/sessions/{session_id}/revoke", "post"]
]
