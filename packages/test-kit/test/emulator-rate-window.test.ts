// The rate-limit window of the emulator, as a pure transition: no HTTP, no Ref, no Clock.
import { assert, describe, expect, it } from "@effect/vitest"
import { Duration, FastCheck as fc, Option } from "effect"
import * as RateWindow from "../src/internal/emulator/rateWindow.js"

const t0 = Date.UTC(2026, 4, 12, 9, 0)
const threePer10s = { limit: 3, interval: Duration.seconds(10) }

describe("admit", () => {
  it("admits `limit` requests in a window, then refuses with the seconds left, until the window ends", () => {
    let window = RateWindow.empty
    for (const offset of [0, 1000, 2000]) {
      const [refused, next] = RateWindow.admit(window, t0 + offset, threePer10s)
      expect(refused).toEqual(Option.none())
      window = next
    }
    expect(window).toEqual({ start: t0, count: 3 })
    expect(RateWindow.admit(window, t0 + 2000, threePer10s)).toEqual([Option.some(8), window])
    // Whole seconds, rounded up, never 0.
    expect(RateWindow.admit(window, t0 + 4001, threePer10s)[0]).toEqual(Option.some(6))
    expect(RateWindow.admit(window, t0 + 9999, threePer10s)[0]).toEqual(Option.some(1))
    // The next window opens with the first request after the end, not aligned to the last one.
    expect(RateWindow.admit(window, t0 + 10_000, threePer10s)).toEqual([Option.none(), {
      start: t0 + 10_000,
      count: 1
    }])
    expect(RateWindow.admit(window, t0 + 25_000, threePer10s)).toEqual([Option.none(), {
      start: t0 + 25_000,
      count: 1
    }])
  })

  it("a refused request does not count", () => {
    const full = { start: t0, count: 3 }
    const [, after] = RateWindow.admit(full, t0 + 1, threePer10s)
    expect(after).toEqual(full)
  })

  it.prop(
    "never admits more than `limit` per window, every window lasts `interval`, and Retry-After reaches its end",
    [
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 60 })
    ],
    ([limit, intervalMillis, gaps]) => {
      const rateLimit = { limit, interval: Duration.millis(intervalMillis) }
      let window = RateWindow.empty
      let now = t0
      const admitted = new Map<number, Array<number>>()
      for (const gap of gaps) {
        now += gap
        const [refused, next] = RateWindow.admit(window, now, rateLimit)
        assert(next !== undefined)
        expect(now >= next.start && now < next.start + intervalMillis).toBe(true)
        if (Option.isNone(refused)) {
          admitted.set(next.start, [...(admitted.get(next.start) ?? []), now])
        } else {
          expect(next.count).toBe(limit)
          expect(now + refused.value * 1000).toBeGreaterThanOrEqual(next.start + intervalMillis)
          expect(refused.value).toBeGreaterThanOrEqual(1)
        }
        window = next
      }
      for (const [start, times] of admitted) {
        expect(times.length).toBeLessThanOrEqual(limit)
        expect(times.every((t) => t >= start && t < start + intervalMillis)).toBe(true)
      }
    }
  )
})
