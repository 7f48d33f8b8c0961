/**
 * The soak run (`pnpm test:soak`), kept out of `pnpm test`: the rate-limit ceiling and the 20,000-operation soak, in
 * real time, one file after the other in a single forked process started with `--expose-gc` (for heap figures).
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"
import shared from "../vitest.shared.js"

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))

export default defineConfig({
  root,
  resolve: shared.resolve ?? {},
  test: {
    include: ["soak/**/*.soak.ts"],
    pool: "forks",
    poolOptions: { forks: { singleFork: true, execArgv: ["--expose-gc"] } },
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 240_000,
    hookTimeout: 60_000,
    reporters: ["verbose"]
  }
})
