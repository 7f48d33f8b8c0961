import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ViteUserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))
const pkg = (name: string): string => path.join(root, "packages", name, "src")

/**
 * Settings every package's test project shares: workspace packages resolve to their TypeScript sources, so tests
 * never run against a stale `dist/`.
 */
const config: ViteUserConfig = {
  resolve: {
    alias: ["schema", "client", "test-kit", "auth"].flatMap((name) => [
      { find: new RegExp(`^@effect-clerk/${name}$`), replacement: path.join(pkg(name), "index.ts") },
      { find: new RegExp(`^@effect-clerk/${name}/(.*)$`), replacement: path.join(pkg(name), "$1.ts") }
    ])
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Most tests run on the TestClock, but some wait in real time (loopback servers, spawned processes): CI is a
    // 2-core machine that may be busy, where vitest's 5 s default fails tests that are merely slow.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: false }
  }
}

export default config
