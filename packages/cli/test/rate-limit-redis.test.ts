import { Ids } from "@effect-clerk/schema"
import { Emulator } from "@effect-clerk/test-kit"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { redisServer } from "../../client/test/redis/harness.js"
import { ExitCode } from "../src/ExitCode.js"
import { cli, createPending, envOf, inMemory, scratch } from "./utils/harness.js"

const files = scratch()
afterAll(() => files.cleanup())

/** Two accepted tokens of one user: two impersonated sessions to end. */
const twoImpersonations = Effect.gen(function*() {
  const emulator = yield* Emulator.Emulator
  for (let i = 0; i < 2; i++) yield* Effect.orDie(emulator.accept(yield* createPending("user_customer")))
})

describe("--rate-limit-redis (a real redis-server on loopback)", () => {
  it.scopedLive(
    "end and the bulk revoke share their --rate through Redis: the counters are there, never the key",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer
        const emulator = yield* Emulator.Emulator
        const env = envOf(emulator)
        yield* twoImpersonations
        const ended = yield* cli(
          ["end", "--user", "user_customer", "--rate", "40/1s", "--rate-limit-redis", redis.url],
          {
            env
          }
        )
        expect(ended.stderr).toBe("")
        expect(ended.code).toBe(ExitCode.Ok)
        expect(ended.stdout).toMatch(/^ended +2$/m)
        const keys = yield* Effect.promise(redis.keys)
        expect(keys.some((key) => key.startsWith("effect-clerk:rate-limit:"))).toBe(true)
        for (const key of keys) expect(key).not.toContain(env.CLERK_SECRET_KEY)

        // The same from the environment, for a bulk revoke.
        const ids = [yield* createPending(), yield* createPending()]
        const file = files.file("ids.txt", ids)
        const revoked = yield* cli(["revoke", "--from-file", file, "--rate", "40/1s"], {
          env: { ...env, CLERK_RATE_LIMIT_REDIS_URL: redis.url }
        })
        expect(revoked.code).toBe(ExitCode.Ok)
        expect(revoked.stdout).toMatch(/^revoked +2$/m)
        for (const id of ids) {
          expect(Option.map(yield* emulator.find(Ids.ActorTokenId.make(id)), (t) => t.status)).toEqual(
            Option.some("revoked")
          )
        }
      }).pipe(Effect.provide(inMemory())),
    { timeout: 60_000 }
  )

  it.effect("--rate-limit-redis without --rate is a usage error (2), and nothing is sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const result = yield* cli(["end", "--user", "user_customer", "--rate-limit-redis", "redis://127.0.0.1:1"], {
        env: envOf(emulator)
      })
      expect(result.code).toBe(ExitCode.Usage)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: --rate-limit-redis shares the --rate ceiling/)
      expect(yield* emulator.requestCount("listSessions")).toBe(0)
    }).pipe(Effect.provide(inMemory())))

  it.effect("a url that is not a Redis url is a configuration error (3) that does not quote it", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.Emulator
      const result = yield* cli(
        ["end", "--user", "user_customer", "--rate", "10/1s", "--rate-limit-redis", "http://user:s3cr3t@example.test"],
        { env: envOf(emulator) }
      )
      expect(result.code).toBe(ExitCode.Configuration)
      expect(result.stderr).toMatch(/^clerk-actor-tokens: error: invalid --rate-limit-redis url/)
      expect(result.stderr).not.toContain("s3cr3t")
      expect(yield* emulator.requestCount("listSessions")).toBe(0)
    }).pipe(Effect.provide(inMemory())))
})
