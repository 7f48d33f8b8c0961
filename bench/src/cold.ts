/**
 * Cold start: a fresh `node` process runs one program of `programs/` — imports, one create call against the loopback
 * server — either as compiled by tsc (`dist/programs/*.js`, resolving the packages from node_modules: the SDK from
 * `packages/client/dist`) or as bundled by esbuild (`dist/bundles/*.mjs`, see bundle.ts). The program prints when its
 * imports were evaluated and when its call returned (ms since the process started); the parent adds the process wall
 * time, spawn to exit.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { secretKey } from "./fixtures.js"
import { recommended } from "./transport.js"

export type Program =
  | "node"
  | "raw-undici"
  | "raw-fetch"
  | "clerk"
  | "sdk-index"
  | "floor-index"
  | "sdk-deep"
  | "floor-deep"
  | "sdk-node-undici"
  | "floor-node-undici"

export const programLabels: Record<Program, string> = {
  node: "empty node process",
  "raw-undici": "raw undici `request()`",
  "raw-fetch": "raw `fetch`",
  clerk: "@clerk/backend",
  "sdk-index": "SDK, README quick start (package indexes, FetchHttpClient)",
  "floor-index": "Effect HTTP floor, same program (README imports of FetchHttpClient and Effect)",
  "sdk-deep": "SDK, README quick start with deep imports (FetchHttpClient)",
  "floor-deep": "Effect HTTP floor, deep imports (FetchHttpClient)",
  "sdk-node-undici": "SDK, README imports + NodeHttpClient.layerUndici",
  "floor-node-undici": "Effect HTTP floor + NodeHttpClient.layerUndici"
}

/** The SDK and floor programs over the recommended transport (the README's own pair when it is fetch). */
export const recommendedPrograms: { readonly sdk: Program; readonly floor: Program } = recommended === "fetch"
  ? { sdk: "sdk-index", floor: "floor-index" }
  : { sdk: `sdk-${recommended}` as const, floor: `floor-${recommended}` as const }

export type ColdMode = "unbundled" | "bundled"

export interface ColdRun {
  readonly importedMs: number
  readonly calledMs: number
  readonly wallMs: number
}

const distDir = fileURLToPath(new URL("./", import.meta.url))

export const programPath = (program: Program, mode: ColdMode): string =>
  mode === "unbundled" ? `${distDir}programs/${program}.js` : `${distDir}bundles/${program}.mjs`

export const coldRun = (program: Program, mode: ColdMode, apiUrl: string): Promise<ColdRun> =>
  new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(process.execPath, [programPath(program, mode)], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, CLERK_SECRET_KEY: secretKey, CLERK_API_URL: apiUrl }
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("exit", (code) => {
      const wallMs = performance.now() - start
      if (code !== 0) return reject(new Error(`cold start ${program} (${mode}) exited with ${code}`))
      const timings = JSON.parse(out) as Omit<ColdRun, "wallMs">
      resolve({ importedMs: timings.importedMs, calledMs: timings.calledMs, wallMs })
    })
  })
