// The monthly quota of the emulator, as a pure transition: no HTTP, no Ref, no Clock.
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"
import * as Quota from "../src/internal/emulator/quota.js"

const may30 = Date.UTC(2026, 4, 30, 23, 59)
const june1 = Date.UTC(2026, 5, 1, 0, 0)

describe("take", () => {
  it("allows `quota` creations in a UTC month, then refuses without changing anything, until the next month", () => {
    const quota = Option.some(2)
    const [first, one] = Quota.take(Quota.empty, may30, quota)
    const [second, two] = Quota.take(one, may30, quota)
    expect([first, second]).toEqual([true, true])
    const [third, refused] = Quota.take(two, may30 + 59_999, quota)
    expect(third).toBe(false)
    expect(refused).toBe(two)
    const [nextMonth, june] = Quota.take(two, june1, quota)
    expect(nextMonth).toBe(true)
    expect(june).toEqual({ "2026-05": 2, "2026-06": 1 })
  })

  it("a quota of 0 refuses every creation; without a quota every creation is allowed", () => {
    expect(Quota.take(Quota.empty, may30, Option.some(0))).toEqual([false, Quota.empty])
    const usage = Array.from({ length: 50 }).reduce<Quota.Usage>(
      (usage) => {
        const [allowed, next] = Quota.take(usage, may30, Option.none())
        expect(allowed).toBe(true)
        return next
      },
      Quota.empty
    )
    expect(usage).toEqual({ "2026-05": 50 })
  })

  it("months are calendar months in UTC", () => {
    expect(Quota.monthOf(may30)).toBe("2026-05")
    expect(Quota.monthOf(june1 - 1)).toBe("2026-05")
    expect(Quota.monthOf(june1)).toBe("2026-06")
    expect(Quota.monthOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe("2026-12")
  })

  it.prop(
    "allows exactly min(attempts, quota) creations in each month, whatever the order of the instants",
    [
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 3, 30) }), { maxLength: 40 })
    ],
    ([quota, instants]) => {
      let usage = Quota.empty
      const allowed = new Map<string, number>()
      const attempts = new Map<string, number>()
      for (const now of instants) {
        const month = Quota.monthOf(now)
        const [ok, next] = Quota.take(usage, now, Option.some(quota))
        attempts.set(month, (attempts.get(month) ?? 0) + 1)
        if (ok) allowed.set(month, (allowed.get(month) ?? 0) + 1)
        usage = next
      }
      for (const [month, n] of attempts) expect(allowed.get(month) ?? 0).toBe(Math.min(n, quota))
    }
  )
})
