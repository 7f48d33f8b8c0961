/**
 * Worker for the cold start: a fresh `node` process imports one client's built entry (for the SDK,
 * `packages/client/dist` through the package's exports) and makes one create call. It prints one JSON line:
 * milliseconds since the process started when the imports were done and when the call returned.
 *
 * The imports are written the way a user would write them (see each case), and are dynamic only so that they can
 * be timed.
 */
import { performance } from "node:perf_hooks"

export type ColdVariant = "node" | "raw-undici" | "raw-fetch" | "clerk-backend" | "sdk-fetch" | "sdk-undici"

export interface ColdResult {
  readonly variant: ColdVariant
  readonly importedMs: number
  readonly calledMs: number
}

const secretKey = "sk_test_bench_0000000000000000000000000000"
const params = { userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rc" } }
const body = JSON.stringify({ user_id: params.userId, actor: params.actor })
const headers = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" }

const run = async (variant: ColdVariant, apiUrl: string): Promise<ColdResult> => {
  const done = (importedMs: number): ColdResult => ({ variant, importedMs, calledMs: performance.now() })
  switch (variant) {
    case "node": {
      return done(performance.now())
    }
    case "raw-undici": {
      const { request } = await import("undici")
      const importedMs = performance.now()
      const response = await request(`${apiUrl}/v1/actor_tokens`, { method: "POST", headers, body })
      await response.body.json()
      return done(importedMs)
    }
    case "raw-fetch": {
      const importedMs = performance.now()
      const response = await fetch(`${apiUrl}/v1/actor_tokens`, { method: "POST", headers, body })
      await response.json()
      return done(importedMs)
    }
    case "clerk-backend": {
      // import { createClerkClient } from "@clerk/backend"
      const { createClerkClient } = await import("@clerk/backend")
      const importedMs = performance.now()
      await createClerkClient({ secretKey, apiUrl }).actorTokens.create(params)
      return done(importedMs)
    }
    case "sdk-fetch": {
      // The README's imports: the package indexes of the SDK, effect and @effect/platform.
      const [{ ActorTokens, ClerkClient }, { FetchHttpClient }, { Effect, Layer, Redacted }] = await Promise.all([
        import("@effect-clerk/client"),
        import("@effect/platform"),
        import("effect")
      ])
      const importedMs = performance.now()
      await Effect.runPromise(
        ActorTokens.create(params).pipe(
          Effect.provide(
            ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl }).pipe(
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
      )
      return done(importedMs)
    }
    case "sdk-undici": {
      // Deep imports, as the library itself does: only the modules used are loaded.
      const [ActorTokens, ClerkClient, UndiciHttpClient, Effect, Layer, Redacted] = await Promise.all([
        import("@effect-clerk/client/ActorTokens"),
        import("@effect-clerk/client/ClerkClient"),
        import("@effect-clerk/client/UndiciHttpClient"),
        import("effect/Effect"),
        import("effect/Layer"),
        import("effect/Redacted")
      ])
      const importedMs = performance.now()
      await Effect.runPromise(
        ActorTokens.create(params).pipe(
          Effect.provide(
            ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl }).pipe(
              Layer.provide(UndiciHttpClient.layer)
            )
          )
        )
      )
      return done(importedMs)
    }
  }
}

const [variant, apiUrl] = process.argv.slice(2) as [ColdVariant, string]
const result = await run(variant, apiUrl)
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
