/**
 * Worker for `pnpm bench:profile`: one task of the stubbed phase (stubs.ts), called in a loop — a warm-up first,
 * then a number of seconds under V8's sampling CPU profiler (what `node --cpu-prof` runs, started here through
 * `node:inspector` once the warm-up is over so that module loading and JIT warm-up stay out of the profile). Writes
 * the `.cpuprofile` to the path it is given and prints `{ calls, seconds }`.
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { stubTasks } from "./stubs.js"

const [key = "sdk", secondsArg = "8", path = "profile.cpuprofile", intervalArg = "250"] = process.argv.slice(2)
const task = stubTasks.find((t) => t.key === key)
if (task === undefined) throw new Error(`unknown task ${key}; one of: ${stubTasks.map((t) => t.key).join(", ")}`)

const loop = async (millis: number): Promise<number> => {
  const end = performance.now() + millis
  let calls = 0
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await task.run()
    calls += 50
  }
  return calls
}

await loop(1_000)
const session = new Session()
session.connect()
await session.post("Profiler.enable")
await session.post("Profiler.setSamplingInterval", { interval: Number(intervalArg) })
await session.post("Profiler.start")
const start = performance.now()
const calls = await loop(Number(secondsArg) * 1000)
const seconds = (performance.now() - start) / 1000
const { profile } = await session.post("Profiler.stop")
session.disconnect()
writeFileSync(path, JSON.stringify(profile))
process.stdout.write(`${JSON.stringify({ calls, seconds })}\n`)
