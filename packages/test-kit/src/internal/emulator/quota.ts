/**
 * The monthly quota of impersonations: how many tokens were created in each calendar month (UTC), and the transition
 * that takes one from the month of `now`.
 */
import * as Option from "effect/Option"

/** @internal Tokens created per calendar month (UTC), keyed `YYYY-MM`. */
export type Usage = { readonly [month: string]: number }

/** @internal */
export const empty: Usage = {}

/** @internal The UTC calendar month of a Unix-milliseconds instant, `YYYY-MM`. */
export const monthOf = (millis: number): string => {
  const date = new Date(millis)
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`
}

/**
 * @internal Takes one creation from the month of `now`: `true` and the usage counted, or `false` and nothing changed
 * when `quota` creations were already made that month. Without a quota, every creation is allowed (and counted).
 */
export const take = (usage: Usage, now: number, quota: Option.Option<number>): readonly [boolean, Usage] => {
  const month = monthOf(now)
  const used = usage[month] ?? 0
  if (Option.exists(quota, (max) => used >= max)) return [false, usage]
  return [true, { ...usage, [month]: used + 1 }]
}
