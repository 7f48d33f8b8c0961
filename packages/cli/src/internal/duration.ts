import { ActorToken } from "@effect-clerk/schema"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const unitSeconds = { d: 86_400, h: 3_600, m: 60, s: 1 } as const

const humanPattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/**
 * @internal
 * Reads `600`, `90s`, `10m`, `1h`, `1h30m`, `2d` as whole seconds; `None` for anything else (fractions, negative
 * numbers, unknown units, an empty string).
 */
export const parseSeconds = (input: string): Option.Option<number> => {
  const text = input.trim().toLowerCase()
  if (/^\d+$/.test(text)) return Option.some(Number(text)).pipe(Option.filter(Number.isSafeInteger))
  const match = text === "" ? null : humanPattern.exec(text)
  if (match === null) return Option.none()
  const [, d = "0", h = "0", m = "0", s = "0"] = match
  const seconds = Number(d) * unitSeconds.d + Number(h) * unitSeconds.h + Number(m) * unitSeconds.m + Number(s)
  return Number.isSafeInteger(seconds) ? Option.some(seconds) : Option.none()
}

/** @internal Writes whole seconds the way {@link parseSeconds} reads them: 600 → `10m`, 5400 → `1h30m`. */
export const formatSeconds = (seconds: number): string => {
  if (seconds === 0) return "0s"
  let rest = seconds
  let text = ""
  for (const [unit, size] of Object.entries(unitSeconds)) {
    const n = Math.floor(rest / size)
    if (n > 0) text += `${n}${unit}`
    rest -= n * size
  }
  return text
}

/**
 * @internal
 * A human duration (`10m`, `1h`, `90s`, plain seconds) decoded to a positive whole number of seconds, the type of
 * `expiresInSeconds` / `sessionMaxDurationInSeconds`.
 */
export const HumanSeconds = Schema.transformOrFail(Schema.String, ActorToken.PositiveSeconds, {
  strict: true,
  decode: (input, _, ast) =>
    Option.match(parseSeconds(input), {
      onNone: () =>
        ParseResult.fail(
          new ParseResult.Type(ast, input, "not a duration: use e.g. 90s, 10m, 1h, 1h30m or plain seconds")
        ),
      onSome: ParseResult.succeed
    }),
  encode: (seconds) => ParseResult.succeed(formatSeconds(seconds))
})

/**
 * @internal
 * `<n>/<window>`: `10/1s`, `100/10s`, `5/s`, `600/1m` — at most n requests per window. A bare unit is one of it.
 */
export const RateFromString = Schema.transformOrFail(
  Schema.String,
  Schema.Struct({ limit: Schema.Int.pipe(Schema.positive()), interval: Schema.DurationFromSelf }),
  {
    strict: true,
    decode: (input, _, ast) => {
      const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(input)
      const limit = match === null ? Number.NaN : Number(match[1])
      const window = match === null
        ? Option.none()
        : parseSeconds(/^[dhms]$/i.test(match[2]!) ? `1${match[2]}` : match[2]!)
      if (!Number.isSafeInteger(limit) || limit < 1 || Option.isNone(window) || window.value < 1) {
        return ParseResult.fail(
          new ParseResult.Type(ast, input, "not a rate: use <n>/<window>, e.g. 10/1s or 100/10s")
        )
      }
      return ParseResult.succeed({ limit, interval: Duration.seconds(window.value) })
    },
    encode: ({ interval, limit }) =>
      ParseResult.succeed(`${limit}/${formatSeconds(Math.round(Duration.toSeconds(interval)))}`)
  }
)
