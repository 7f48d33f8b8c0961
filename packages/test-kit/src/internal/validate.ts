/**
 * Checks what a request sends the way Clerk does, with the schemas of `@effect-clerk/schema`: each issue of the decode
 * becomes one of Clerk's `form_param_*` errors, named by its wire path (`actor.sub`, `limit`). The create body is
 * decoded with `ActorToken.CreateActorTokenParams`, the session list query with `Session.ListSessionsParams`.
 */
import { ActorToken, Session, SessionToken } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { defaultLimit, type ListQuery } from "./emulator/sessions.js"
import { type ErrorEntry, errors } from "./wire.js"

/** @internal Why a create body was refused: 400 (not a JSON object) or 422 (a parameter). */
export interface BodyRefused {
  readonly status: 400 | 422
  readonly errors: ReadonlyArray<ErrorEntry>
}

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeParams = Schema.decodeUnknownEither(ActorToken.CreateActorTokenParams)
const decodeSessionTokenParams = Schema.decodeUnknownEither(SessionToken.CreateSessionTokenParams)

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

// Reads a JSON body with a params schema: the params, or Clerk's answer refusing them.
const checkBody = <A>(
  decode: (
    json: unknown,
    options: { readonly errors: "all"; readonly onExcessProperty: "error" }
  ) => Either.Either<A, ParseResult.ParseError>
) =>
(text: string): Either.Either<A, BodyRefused> =>
  decodeJson(text).pipe(
    Either.mapLeft((): BodyRefused => ({ status: 400, errors: [errors.requestBodyInvalid()] })),
    Either.flatMap((json) =>
      decode(json, { errors: "all", onExcessProperty: "error" }).pipe(
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

/** @internal Reads the body of a create request: the params, or Clerk's answer refusing them. */
export const checkCreateBody: (text: string) => Either.Either<ActorToken.CreateActorTokenParams, BodyRefused> =
  checkBody(decodeParams)

const checkSessionTokenParams = checkBody(decodeSessionTokenParams)

/**
 * @internal Reads the body of a session-token request, which may be empty (`@clerk/backend` sends none without a
 * lifetime): the params, or Clerk's answer refusing them.
 */
export const checkSessionTokenBody = (
  text: string
): Either.Either<SessionToken.CreateSessionTokenParams, BodyRefused> =>
  checkSessionTokenParams(text.trim() === "" ? "{}" : text)

// The query of the session list: each parameter's first value, strings read as the numbers and booleans they stand
// for. A string that is not one (`limit=ten`, `paginated=yes`) is a bad format; what the numbers mean is checked next.
const IntFromQuery = Schema.String.pipe(Schema.pattern(/^[+-]?\d+$/), Schema.compose(Schema.NumberFromString))
const goTrue = ["1", "t", "T", "TRUE", "true", "True"] as const
const goFalse = ["0", "f", "F", "FALSE", "false", "False"] as const
const BooleanFromQuery = Schema.transform(Schema.Literal(...goTrue, ...goFalse), Schema.Boolean, {
  strict: true,
  decode: (text) => (goTrue as ReadonlyArray<string>).includes(text),
  encode: (flag) => flag ? "true" : "false"
})
const ListQueryStrings = Schema.Struct({
  user_id: Schema.optionalWith(Schema.String, { exact: true }),
  client_id: Schema.optionalWith(Schema.String, { exact: true }),
  status: Schema.optionalWith(Schema.String, { exact: true }),
  limit: Schema.optionalWith(IntFromQuery, { exact: true }),
  offset: Schema.optionalWith(IntFromQuery, { exact: true }),
  paginated: Schema.optionalWith(BooleanFromQuery, { exact: true })
})
const decodeQueryStrings = Schema.decodeUnknownEither(ListQueryStrings)
const decodeListParams = Schema.decodeUnknownEither(Session.ListSessionsParams)

const first = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : value?.[0]

// The parameters an issue names, each once (a literal that matches none of its members is one issue per member).
const paths = (issue: ParseResult.ParseIssue): ReadonlyArray<string> => {
  const found: Array<Found> = []
  collect(issue, [], found)
  return [...new Set(found.map((f) => f.path.map(String).join(".")))]
}

/** @internal The session list query, as checked. */
export interface ListSessionsQuery {
  readonly query: ListQuery
  /** `paginated=true`: answer `{ data, total_count }` rather than the bare array. */
  readonly paginated: boolean
}

/**
 * @internal Reads the query of `GET /v1/sessions` (unknown parameters are ignored): the query, or Clerk's 422 entries
 * refusing it — `form_param_format_invalid` for a number or boolean that is not one, `form_param_value_invalid` for a
 * value out of range (`limit` 1–500, `offset` ≥ 0, a `status` the list does not filter by, an id that breaks the id
 * rule), `form_param_missing` when neither `user_id` nor `client_id` is given.
 */
export const checkListQuery = (
  search: Readonly<Record<string, string | ReadonlyArray<string>>>
): Either.Either<ListSessionsQuery, ReadonlyArray<ErrorEntry>> => {
  const raw = Object.fromEntries(
    Object.keys(ListQueryStrings.fields).flatMap((key) => {
      const value = first(search[key])
      return value === undefined ? [] : [[key, value]]
    })
  )
  return decodeQueryStrings(raw, { errors: "all" }).pipe(
    Either.mapLeft((error) => paths(error.issue).map(errors.formParamFormatInvalid)),
    Either.flatMap(({ paginated, ...wire }) =>
      decodeListParams(wire, { errors: "all" }).pipe(
        Either.mapLeft((error) =>
          paths(error.issue).map((param) =>
            param === "" ? errors.formParamMissing("user_id or client_id") : errors.formParamValueInvalid(param)
          )
        ),
        Either.map((params): ListSessionsQuery => ({
          query: { ...params, limit: params.limit ?? defaultLimit, offset: params.offset ?? 0 },
          paginated: paginated ?? false
        }))
      )
    )
  )
}
