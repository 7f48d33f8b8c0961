/**
 * Child processes: the loopback server, and one-shot workers that report a single JSON message.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Shape } from "./fixtures.js"
import type { ServerStats } from "./server.js"

export const script = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url))

export interface ServerHandle {
  /** The `Content-Length` port. */
  readonly apiUrl: string
  /** One base URL per response shape. */
  readonly urls: Readonly<Record<Shape, string>>
  readonly stats: () => Promise<ServerStats>
  readonly close: () => Promise<void>
}

export const startServer = (): Promise<ServerHandle> =>
  new Promise((resolve, reject) => {
    const child = fork(script("server"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    const waiters: Array<(stats: ServerStats) => void> = []
    child.on("error", reject)
    child.on("message", (message: { readonly ports?: Record<Shape, number> } & Partial<ServerStats>) => {
      if (message.ports !== undefined) {
        const ports = message.ports
        const url = (shape: Shape) => `http://127.0.0.1:${ports[shape]}`
        resolve({
          apiUrl: url("length"),
          urls: { length: url("length"), chunked: url("chunked"), gzip: url("gzip") },
          stats: () =>
            new Promise<ServerStats>((done) => {
              waiters.push(done)
              child.send("stats")
            }),
          close: () =>
            new Promise<void>((done) => {
              child.once("exit", () => done())
              child.send("close")
            })
        })
      } else {
        waiters.shift()?.(message as ServerStats)
      }
    })
  })

/** Runs `name.js` with `args` in a fresh process and resolves with the one message it sends. */
export const runWorker = <A>(name: string, args: ReadonlyArray<string>, execArgv: ReadonlyArray<string> = []) =>
  new Promise<A>((resolve, reject) => {
    const child = fork(script(name), [...args], {
      execArgv: [...execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let result: { readonly value: A } | undefined
    child.on("message", (message: A) => {
      result = { value: message }
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (result !== undefined && code === 0) resolve(result.value)
      else reject(new Error(`${name} ${args.join(" ")} exited with ${code}`))
    })
  })
