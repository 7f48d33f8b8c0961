/**
 * Bundle size: esbuild `--bundle --minify` (ESM, Node 20) of one-call programs, then gzip -9. The SDK's marginal
 * bytes are counted over the "Effect HTTP floor" (`bundle/floor.ts`), with a per-package breakdown of the minified
 * output from esbuild's metafile.
 */
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

export const bundleEntries = ["sdk", "sdk-index", "sdk-undici", "floor", "clerk"] as const
export type BundleEntry = typeof bundleEntries[number]

export interface BundleResult {
  readonly entry: BundleEntry
  readonly minified: number
  readonly gzipped: number
  /** Minified bytes per package (or per source folder for the workspace packages). */
  readonly byPackage: Readonly<Record<string, number>>
  /** Minified bytes per input module. */
  readonly byModule: Readonly<Record<string, number>>
}

const sourceDir = fileURLToPath(new URL("../src/bundle/", import.meta.url))

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

export const bundle = async (entry: BundleEntry): Promise<BundleResult> => {
  const result = await esbuild.build({
    entryPoints: [`${sourceDir}${entry}.ts`],
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
  const byPackage: Record<string, number> = {}
  const byModule: Record<string, number> = {}
  const meta = Object.values(result.metafile.outputs)[0]!
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    byPackage[packageOf(input)] = (byPackage[packageOf(input)] ?? 0) + bytesInOutput
    byModule[moduleOf(input)] = (byModule[moduleOf(input)] ?? 0) + bytesInOutput
  }
  return {
    entry,
    minified: output.contents.byteLength,
    gzipped: gzipSync(output.contents, { level: 9 }).byteLength,
    byPackage,
    byModule
  }
}
