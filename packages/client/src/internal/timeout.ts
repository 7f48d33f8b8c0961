/**
 * The per-attempt timeout. `Effect.timeoutFail` races two forked fibers (the effect and a sleep); on the live clock
 * this forks only the effect and arms a plain timer, which costs each attempt less. On any other `Clock` (a
 * `TestClock`) it is `Effect.timeoutFail`, so tests drive it with the clock.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** The longest delay `setTimeout` takes; a longer timeout never fires, as with the live clock's sleep. */
const maxTimerMillis = 2 ** 31 - 1

const onLiveClock = <A, E, E1, R>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.flatMap(Effect.fork(self), (child) =>
    Effect.async<A, E | E1>((resume) => {
      let settled = false
      const timer = millis > maxTimerMillis ? undefined : setTimeout(() => {
        if (settled) return
        settled = true
        // The effect is interrupted (a request in flight is aborted) before the timeout is reported.
        resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
      }, millis)
      child.addObserver((exit) => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        resume(Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.failCause(exit.cause))
      })
      return Effect.suspend(() => {
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        return Fiber.interrupt(child)
      })
    }))

/** @internal `self`, failing with `onTimeout()` (and interrupted) if it takes longer than `duration`. */
export const timeoutFail = <A, E, E1, R>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  millis: number,
  onTimeout: () => E1
): Effect.Effect<A, E | E1, R> =>
  Effect.clockWith((clock) =>
    clock === liveClock ? onLiveClock(self, millis, onTimeout) : Effect.timeoutFail(self, { duration, onTimeout })
  )
