/**
 * A decoder compiled from a schema's AST for inputs the schema accepts. It visits the same nodes as the schema
 * package's parser and calls the same filters, declarations and transformations, in the same order, but returns plain
 * values instead of wrapping every step in an `Either`. On any failure it hands the input to the parser, which
 * decides again and builds the error: the compiled path never writes an error of its own.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"

const failed: unique symbol = Symbol("fastDecode/failed")

/** Decodes one node: its value, or {@link failed}. */
export type Step = (input: unknown) => unknown

/** A node this module does not compile; the whole schema then decodes with the parser alone. */
class Unsupported {
  constructor(readonly tag: string) {}
}

const options = SchemaAST.defaultParseOption

const isRecord = (input: unknown): input is Record<PropertyKey, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** A declaration, filter or transformation answered with an `Either`: anything else is left to the parser. */
const rightOf = (result: unknown): unknown => Either.isEither(result) && Either.isRight(result) ? result.right : failed

const compileNode = (ast: SchemaAST.AST, memo: Map<SchemaAST.AST, Step>): Step => {
  const known = memo.get(ast)
  if (known !== undefined) return known
  // Annotations that change how the parser decodes a node are not reproduced here.
  if (
    Option.isSome(SchemaAST.getParseOptionsAnnotation(ast)) ||
    Option.isSome(SchemaAST.getDecodingFallbackAnnotation(ast))
  ) {
    throw new Unsupported("annotated parse options")
  }
  const compiled = compileUncached(ast, memo)
  memo.set(ast, compiled)
  return compiled
}

const compileUncached = (ast: SchemaAST.AST, memo: Map<SchemaAST.AST, Step>): Step => {
  switch (ast._tag) {
    case "Literal": {
      const literal = ast.literal
      return (input) => (input === literal ? input : failed)
    }
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : failed)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : failed)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : failed)
    case "UndefinedKeyword":
      return (input) => (input === undefined ? input : failed)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (input) => input
    case "Refinement": {
      const from = compileNode(ast.from, memo)
      return (input) => {
        const value = from(input)
        return value === failed || Option.isSome(ast.filter(value, options, ast)) ? failed : value
      }
    }
    case "Declaration": {
      const decode = ast.decodeUnknown(...ast.typeParameters)
      return (input) => rightOf(decode(input, options, ast))
    }
    case "Transformation": {
      if (ast.transformation._tag !== "FinalTransformation") throw new Unsupported(ast.transformation._tag)
      const from = compileNode(ast.from, memo)
      const to = compileNode(ast.to, memo)
      const decode = ast.transformation.decode
      return (input) => {
        const value = from(input)
        if (value === failed) return failed
        const transformed = rightOf(decode(value, options, ast, input))
        return transformed === failed ? failed : to(transformed)
      }
    }
    case "Union": {
      // The parser tries the members a discriminating literal points to first: for the disjoint unions this is
      // compiled for, only one member can accept an input, so trying them in order decides the same.
      const members = ast.types.map((member) => compileNode(member, memo))
      return (input) => {
        for (const member of members) {
          const value = member(input)
          if (value !== failed) return value
        }
        return failed
      }
    }
    case "Suspend": {
      // Compiled now, so that an unsupported node shows here: a recursive schema that comes back to this node while
      // its target compiles finds this step in the memo.
      const step: Step = (input) => target(input)
      memo.set(ast, step)
      const target = compileNode(ast.f(), memo)
      return step
    }
    case "TypeLiteral":
      return compileTypeLiteral(ast, memo)
    case "TupleType":
      return compileArray(ast, memo)
    default:
      throw new Unsupported(ast._tag)
  }
}

/** Property signatures in declared order, then string index signatures; excess keys are dropped, as decoding does. */
const compileTypeLiteral = (ast: SchemaAST.TypeLiteral, memo: Map<SchemaAST.AST, Step>): Step => {
  const properties = ast.propertySignatures.map((signature) => {
    if (typeof signature.name !== "string") throw new Unsupported("symbol key")
    return { name: signature.name, isOptional: signature.isOptional, decode: compileNode(signature.type, memo) }
  })
  const indexes = ast.indexSignatures.map((signature) => {
    if (signature.parameter._tag !== "StringKeyword") throw new Unsupported("index signature key")
    return compileNode(signature.type, memo)
  })
  const declared = new Set(properties.map((property) => property.name))
  return (input) => {
    if (!isRecord(input)) return failed
    const output: Record<string, unknown> = {}
    for (const property of properties) {
      // A missing required key is decoded as `undefined`, like the parser does without `exact`.
      if (property.isOptional && !Object.hasOwn(input, property.name)) continue
      const value = property.decode(input[property.name])
      if (value === failed) return failed
      output[property.name] = value
    }
    for (const decode of indexes) {
      for (const key of Object.keys(input)) {
        const value = decode(input[key])
        if (value === failed) return failed
        if (!declared.has(key)) output[key] = value
      }
    }
    return output
  }
}

/** Arrays: an array of one rest element, the only tuple shape this is compiled for. */
const compileArray = (ast: SchemaAST.TupleType, memo: Map<SchemaAST.AST, Step>): Step => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) throw new Unsupported("tuple")
  const element = compileNode(ast.rest[0]!.type, memo)
  return (input) => {
    if (!Array.isArray(input)) return failed
    const output: Array<unknown> = []
    for (let index = 0; index < input.length; index++) {
      const value = element(input[index])
      if (value === failed) return failed
      output.push(value)
    }
    return output
  }
}

/**
 * The compiled decoding of a schema: the decoded value, or {@link failed} where the parser may decide otherwise.
 * `undefined` when the schema holds a node this module does not compile.
 */
export const compile = (ast: SchemaAST.AST): Step | undefined => {
  try {
    return compileNode(ast, new Map())
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}

export { failed }

/**
 * `Schema.decodeUnknownEither(schema)`, with a compiled path for inputs the schema accepts: a failure on that path
 * decodes again with the parser, which gives the error. A schema with a node the compiler does not know decodes with
 * the parser alone.
 */
export const decodeUnknownEither = <A, I>(
  schema: Schema.Schema<A, I>
): (input: unknown) => Either.Either<A, ParseResult.ParseError> => {
  // Both built on the first call: importing the schema costs nothing more.
  let parse: ((input: unknown) => Either.Either<A, ParseResult.ParseError>) | undefined
  let fast: Step | null | undefined
  return (input) => {
    if (fast === undefined) fast = compile(schema.ast) ?? null
    const value = fast === null ? failed : fast(input)
    if (value !== failed) return Either.right(value as A)
    parse ??= Schema.decodeUnknownEither(schema)
    return parse(input)
  }
}
