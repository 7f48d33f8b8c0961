import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** @internal One `--claim`: its key and its value (a string, or any JSON value with `key:=json`). */
export interface Claim {
  readonly key: string
  readonly value: unknown
}

const keyPattern = /^[^\s=:]+$/

/**
 * @internal
 * `key=value` (the value is a string, kept as it is, `=` included) or `key:=json` (the value is parsed as JSON:
 * `n:=3`, `vip:=true`, `tags:=["a","b"]`). Keys are non-empty, without whitespace, `=` or `:`.
 */
export const ClaimFromString = Schema.transformOrFail(
  Schema.String,
  Schema.Struct({ key: Schema.String, value: Schema.Unknown }),
  {
    strict: true,
    decode: (input, _, ast) => {
      const fail = (message: string) => ParseResult.fail(new ParseResult.Type(ast, input, message))
      const equals = input.indexOf("=")
      if (equals === -1) return fail("not a claim: use key=value, or key:=json for a JSON value")
      const json = equals > 0 && input[equals - 1] === ":"
      const key = input.slice(0, json ? equals - 1 : equals)
      const raw = input.slice(equals + 1)
      if (!keyPattern.test(key)) {
        return fail(`a claim key must be non-empty, without whitespace, "=" or ":"`)
      }
      if (!json) return ParseResult.succeed({ key, value: raw })
      return Either.match(Either.try(() => JSON.parse(raw) as unknown), {
        onLeft: () => fail(`the value after := is not valid JSON (quote strings: ${key}:='"text"')`),
        onRight: (value) => ParseResult.succeed({ key, value })
      })
    },
    encode: ({ key, value }) =>
      ParseResult.succeed(typeof value === "string" ? `${key}=${value}` : `${key}:=${JSON.stringify(value)}`)
  }
)

/**
 * @internal
 * The claims as the extra keys of the actor, or why they cannot be: `sub` is `--actor`, and a key may be given once.
 * The values are checked by the client (JSON only, no `__proto__`), which refuses before sending anything.
 */
export const toActorClaims = (claims: ReadonlyArray<Claim>): Either.Either<Record<string, unknown>, string> => {
  const actor: Record<string, unknown> = {}
  for (const { key, value } of claims) {
    if (key === "sub") return Either.left("--claim sub=… is not allowed: the actor's sub is --actor")
    if (Object.hasOwn(actor, key)) return Either.left(`--claim ${key} is given more than once`)
    Object.defineProperty(actor, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return Either.right(actor)
}
