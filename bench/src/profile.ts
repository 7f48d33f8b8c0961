/**
 * `pnpm bench:profile [task…] [--seconds N] [--top N]`: runs a task of the stubbed phase (default `sdk`: the SDK's
 * create over a canned response; any key of stubs.ts, e.g. `sdk-web-stream`, `floor`, `sdk-mock-node-undici`) in a
 * loop in a fresh process under V8's CPU profiler (the `--cpu-prof` sampler, started after a warm-up: profile-loop.ts),
 * writes the profile to bench/dist/profiles/<task>.cpuprofile (open it in Chrome DevTools or speedscope) and prints
 * where the CPU went: self time by package, by module and by function, also in µs per call.
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { script } from "./processes.js"
import { stubTasks } from "./stubs.js"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame }>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  const value = index === -1 ? fallback : Number(process.argv[index + 1])
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`)
  return value
}
const seconds = option("seconds", 8)
const top = option("top", 25)
const keys = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && !all[i - 1]?.startsWith("--"))
const tasks = keys.length === 0 ? ["sdk"] : keys
for (const key of tasks) {
  if (!stubTasks.some((t) => t.key === key)) {
    throw new Error(`unknown task ${key}; one of: ${stubTasks.map((t) => t.key).join(", ")}`)
  }
}

const profileDir = fileURLToPath(new URL("./profiles/", import.meta.url))
mkdirSync(profileDir, { recursive: true })
const profilePath = (key: string): string => `${profileDir}${key}.cpuprofile`

const run = (key: string): Promise<{ readonly calls: number; readonly seconds: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script("profile-loop"), key, `${seconds}`, profilePath(key), "250"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`profile-loop ${key} exited with ${code}`))
      resolve(JSON.parse(out) as { calls: number; seconds: number })
    })
  })

/** `effect/internal/fiberRuntime.js`, `@effect-clerk/client/internal/http.js`, `node:internal/…`, `(garbage collector)`. */
const moduleOf = (frame: CallFrame): string => {
  const url = frame.url
  if (url === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native)"
  if (url.startsWith("node:")) return url
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url)
  if (dependency !== null) return `${dependency[1]}/${dependency[2]!.replace(/^dist\/(esm\/)?/, "")}`
  const workspace = /packages\/([^/]+)\/dist\/(.*)$/.exec(url)
  if (workspace !== null) return `@effect-clerk/${workspace[1]}/${workspace[2]}`
  const bench = /bench\/dist\/(.*)$/.exec(url)
  return bench !== null ? `(bench) ${bench[1]}` : url
}

const packageOf = (module: string): string => {
  if (module.startsWith("node:")) return "(node)"
  if (module.startsWith("(")) return module.startsWith("(bench)") ? "(bench)" : module
  const match = /^((?:@[^/]+\/)?[^/]+)/.exec(module)
  return match?.[1] ?? module
}

const ms = (micros: number): string => (micros / 1000).toFixed(0).padStart(6)
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(1).padStart(5)} %`
const perCall = (micros: number, calls: number): string => (micros / calls).toFixed(2).padStart(7)

const rank = (self: Map<string, number>, limit: number) =>
  [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit)

for (const key of tasks) {
  const task = stubTasks.find((t) => t.key === key)!
  const { calls, seconds: elapsed } = await run(key)
  const path = profilePath(key)
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const selfByNode = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
  })
  const byFunction = new Map<string, number>()
  const byModule = new Map<string, number>()
  const byPackage = new Map<string, number>()
  let total = 0
  for (const [id, micros] of selfByNode) {
    const frame = frames.get(id)!
    if (frame.functionName === "(idle)") continue
    const module = moduleOf(frame)
    const fn = `${frame.functionName || "(anonymous)"}  ${module}${frame.url === "" ? "" : `:${frame.lineNumber + 1}`}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros)
    byModule.set(module, (byModule.get(module) ?? 0) + micros)
    byPackage.set(packageOf(module), (byPackage.get(packageOf(module)) ?? 0) + micros)
    total += micros
  }
  const section = (title: string, rows: ReadonlyArray<readonly [string, number]>) => [
    "",
    `${title}   self %     ms  µs/call`,
    ...rows.map(([name, micros]) => `  ${pct(micros, total)} ${ms(micros)} ${perCall(micros, calls)}  ${name}`)
  ]
  const lines = [
    "",
    `== ${key}: ${task.name}`,
    `${calls.toLocaleString("en")} calls in ${elapsed.toFixed(1)} s (${
      ((elapsed * 1e6) / calls).toFixed(1)
    } µs wall per call; ${(total / calls).toFixed(1)} µs of sampled CPU per call, after a 1 s warm-up)`,
    `profile: ${path}`,
    ...section("by package", rank(byPackage, 12)),
    ...section("by module (top 20)", rank(byModule, 20)),
    ...section(`by function (top ${top})`, rank(byFunction, top))
  ]
  process.stdout.write(`${lines.join("\n")}\n`)
}
