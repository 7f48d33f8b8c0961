/**
 * Bundle size: esbuild `--bundle --minify` (ESM, Node 20) of the one-call programs of `programs/` (the ones the
 * cold-start phase runs), then gzip -9. The SDK's marginal bytes are counted over the "Effect HTTP floor" program of
 * the same import style, with a per-package and per-module breakdown of the minified output from esbuild's metafile.
 * The bundles are written to `dist/bundles/*.mjs`, where the bundled cold start runs them (`undici` stays external: a
 * Node dependency of the app, resolved from node_modules at run time).
 */
import * as esbuild from "esbuild"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { type Program, programPath } from "./cold.js"

export interface BundleResult {
  readonly program: Program
  readonly minified: number
  readonly gzipped: number
  /** Minified bytes per package (or per source folder for the workspace packages). */
  readonly byPackage: Readonly<Record<string, number>>
  /** Minified bytes per input module. */
  readonly byModule: Readonly<Record<string, number>>
}

const sourceDir = fileURLToPath(new URL("../src/programs/", import.meta.url))

const packageOf = (input: string): string => {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)
  if (match !== null) return match[1]!
  const workspace = /packages\/([^/]+)\//.exec(input)
  if (workspace !== null) return `@effect-clerk/${workspace[1]}`
  return "(program)"
}

const moduleOf = (input: string): string => {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+\/.*)$/.exec(input)
  if (match !== null) return match[1]!.replace(/\/dist\/esm\//, "/").replace(/\/dist\//, "/")
  const workspace = /packages\/([^/]+)\/dist\/(.*)$/.exec(input)
  if (workspace !== null) return `@effect-clerk/${workspace[1]}/${workspace[2]}`
  return input
}

export const bundle = async (program: Program): Promise<BundleResult> => {
  const result = await esbuild.build({
    entryPoints: [`${sourceDir}${program}.ts`],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["undici"]
  })
  const output = result.outputFiles[0]!
  const path = programPath(program, "bundled")
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, output.contents)
  const byPackage: Record<string, number> = {}
  const byModule: Record<string, number> = {}
  const meta = Object.values(result.metafile.outputs)[0]!
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    byPackage[packageOf(input)] = (byPackage[packageOf(input)] ?? 0) + bytesInOutput
    byModule[moduleOf(input)] = (byModule[moduleOf(input)] ?? 0) + bytesInOutput
  }
  return {
    program,
    minified: output.contents.byteLength,
    gzipped: gzipSync(output.contents, { level: 9 }).byteLength,
    byPackage,
    byModule
  }
}
