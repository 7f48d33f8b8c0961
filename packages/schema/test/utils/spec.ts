/**
 * Clerk's OpenAPI subset for actor tokens, read from the verbatim copy in `test/fixtures`, and JSON Schema validators
 * compiled from it with ajv. Schemas are taken from the spec by JSON pointer and their `$ref`s inlined, so the tests
 * validate against exactly what the spec declares.
 */
import { Ajv } from "ajv"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as YAML from "yaml"

const testDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

/** The repository root: `packages/schema/test` is three levels below it. */
export const repoRoot: string = path.resolve(testDir, "../../..")

/** The copy of the spec subset kept in the repository. */
export const fixturePath: string = path.join(testDir, "fixtures", "actor-tokens.openapi.yml")

/** The spec subset as shared beside the repository (CI clones the repo as a sibling of `shared/`). */
export const sharedSpecPath: string = path.resolve(repoRoot, "../shared/clerk/actor-tokens.openapi.yml")

/** The parsed spec. */
export const spec: unknown = YAML.parse(fs.readFileSync(fixturePath, "utf8"))

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The node of `doc` at a JSON pointer (`/paths/~1actor_tokens/post`); throws when the spec has no such node. */
export const at = (pointer: string, doc: unknown = spec): unknown => {
  if (pointer === "") return doc
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${pointer}`)
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => {
      if (!isObject(node) && !Array.isArray(node)) throw new Error(`no ${pointer} in the spec`)
      if (!Object.hasOwn(node, key)) throw new Error(`no ${pointer} in the spec`)
      return (node as Record<string, unknown>)[key]
    }, doc)
}

/** A copy of `node` with every local `$ref` replaced by the node it points to (recursively). */
export const inlineRefs = (node: unknown, seen: ReadonlyArray<string> = [], doc: unknown = spec): unknown => {
  if (Array.isArray(node)) return node.map((item) => inlineRefs(item, seen, doc))
  if (!isObject(node)) return node
  const ref = node["$ref"]
  if (typeof ref === "string") {
    if (!ref.startsWith("#")) throw new Error(`only local $refs are supported, got ${ref}`)
    if (seen.includes(ref)) throw new Error(`cyclic $ref ${ref}`)
    return inlineRefs(at(ref.slice(1), doc), [...seen, ref], doc)
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlineRefs(value, seen, doc)]))
}

/** Every `example` in the spec, by the JSON pointer of the schema that holds it. */
export const examples = (node: unknown = spec, pointer = ""): ReadonlyArray<readonly [string, unknown]> => {
  if (Array.isArray(node)) return node.flatMap((item, i) => examples(item, `${pointer}/${i}`))
  if (!isObject(node)) return []
  return Object.entries(node).flatMap(([key, value]) =>
    key === "example"
      ? [[pointer, value] as const]
      : examples(value, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`)
  )
}

/** JSON pointers of the two operations. */
export const createOperation = "/paths/~1actor_tokens/post"
export const revokeOperation = "/paths/~1actor_tokens~1{actor_token_id}~1revoke/post"

/** The JSON body schema of an operation's request, `$ref`s inlined. */
export const requestBodySchema = (operation: string): unknown =>
  at("/requestBody/content/application~1json/schema", inlineRefs(at(operation)))

/** The JSON body schema of an operation's response with the given status, `$ref`s inlined. */
export const responseBodySchema = (operation: string, status: string): unknown =>
  at(`/responses/${status}/content/application~1json/schema`, inlineRefs(at(operation)))

/** A component schema, `$ref`s inlined. */
export const componentSchema = (name: string): unknown => inlineRefs(at(`/components/schemas/${name}`))

// Strict mode: any keyword ajv does not know fails compilation, except OpenAPI's `example`, which is an annotation.
// `format: int64` is OpenAPI's, for integers: checked as a whole number.
const ajv = new Ajv({ strict: true, allErrors: true })
ajv.addVocabulary(["example"])
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) })

/** Compiles a JSON Schema; the validator returns ajv's errors, an empty array when the value is valid. */
export const validator = (schema: unknown): (value: unknown) => ReadonlyArray<string> => {
  if (!isObject(schema)) throw new Error("a schema must be an object")
  const validate = ajv.compile(schema)
  return (value) =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`)
}

/** Validators of the bodies of the actor-token operations. */
export const validateCreateBody = validator(requestBodySchema(createOperation))
export const validateActorToken = validator(responseBodySchema(createOperation, "200"))
export const validateClerkErrors = validator(componentSchema("ClerkErrors"))
export const validateClerkError = validator(componentSchema("ClerkError"))

/** Validates a value as it travels: after a JSON round trip. */
export const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
