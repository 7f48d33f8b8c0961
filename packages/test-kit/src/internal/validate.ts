/**
 * Checks a create body the way Clerk does, with the schema of `@effect-clerk/schema`: each issue of the decode
 * becomes one of Clerk's `form_param_*` errors, named by its wire path (`actor.sub`).
 */
import { ActorToken } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { type ErrorEntry, errors } from "./wire.js"

/** @internal Why a create body was refused: 400 (not a JSON object) or 422 (a parameter). */
export interface BodyRefused {
  readonly status: 400 | 422
  readonly errors: ReadonlyArray<ErrorEntry>
}

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeParams = Schema.decodeUnknownEither(ActorToken.CreateActorTokenParams)

type Problem = "missing" | "unknown" | "type" | "value"

interface Found {
  readonly problem: Problem
  readonly path: ReadonlyArray<PropertyKey>
}

const toArray = <A>(value: A | ReadonlyArray<A>): ReadonlyArray<A> =>
  Array.isArray(value) ? value as ReadonlyArray<A> : [value as A]

// A number that is not a whole number has the wrong type for an integer parameter; any other failed check (a
// non-positive duration, an empty `actor.sub`, an id with a forbidden character) is a wrong value.
const isIntegerCheck = (ast: SchemaAST.Refinement): boolean =>
  Option.exists(SchemaAST.getSchemaIdAnnotation(ast), (id) => id === Schema.IntSchemaId)

const collect = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, out: Array<Found>): void => {
  switch (issue._tag) {
    case "Pointer":
      return collect(issue.issue, [...path, ...toArray(issue.path)], out)
    case "Composite":
      for (const inner of toArray(issue.issues)) collect(inner, path, out)
      return
    case "Transformation":
      return collect(issue.issue, path, out)
    case "Refinement":
      if (issue.kind === "From") return collect(issue.issue, path, out)
      out.push({ problem: isIntegerCheck(issue.ast) ? "type" : "value", path })
      return
    case "Missing":
      out.push({ problem: "missing", path })
      return
    case "Unexpected":
      out.push({ problem: "unknown", path })
      return
    case "Type":
    case "Forbidden":
      out.push({ problem: "type", path })
      return
  }
}

const toEntry = ({ path, problem }: Found): ErrorEntry => {
  const param = path.map(String).join(".")
  switch (problem) {
    case "missing":
      return errors.formParamMissing(param)
    case "unknown":
      return errors.formParamUnknown(param)
    case "type":
      return errors.formParamTypeInvalid(param)
    case "value":
      return errors.formParamValueInvalid(param)
  }
}

/** @internal Reads the body of a create request: the params, or Clerk's answer refusing them. */
export const checkCreateBody = (
  text: string
): Either.Either<ActorToken.CreateActorTokenParams, BodyRefused> =>
  decodeJson(text).pipe(
    Either.mapLeft((): BodyRefused => ({ status: 400, errors: [errors.requestBodyInvalid()] })),
    Either.flatMap((json) =>
      decodeParams(json, { errors: "all", onExcessProperty: "error" }).pipe(
        Either.mapLeft((error): BodyRefused => {
          const found: Array<Found> = []
          collect(error.issue, [], found)
          // The body itself is not an object: there is no parameter to name.
          if (found.length === 0 || found.some((f) => f.path.length === 0)) {
            return { status: 400, errors: [errors.requestBodyInvalid()] }
          }
          return { status: 422, errors: found.map(toEntry) }
        })
      )
    )
  )
