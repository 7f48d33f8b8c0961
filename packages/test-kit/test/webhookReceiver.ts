// A webhook endpoint on loopback for the delivery tests: it records every POST (headers and raw body) and answers
// what the test says, or never answers. It is closed, connections and all, when the test's scope closes.
import { Effect, type Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"

export interface Received {
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

export interface Receiver {
  readonly url: string
  readonly received: ReadonlyArray<Received>
  /** Resolves once `count` requests have arrived; fails after `timeoutMs` of real time. */
  readonly waitFor: (count: number, timeoutMs?: number) => Effect.Effect<ReadonlyArray<Received>>
}

/**
 * `answer(n)` for the n-th request (0-based): a status, `"hang"` to never answer, or `"drop"` to close the connection
 * without an answer.
 */
export const start = (
  answer: (n: number) => number | "hang" | "drop" = () => 204
): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.gen(function*() {
    const received: Array<Received> = []
    const waiters = new Set<() => void>()
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const n = received.length
        const headers: Record<string, string> = {}
        for (const [key, value] of Object.entries(request.headers)) {
          if (typeof value === "string") headers[key] = value
        }
        received.push({ url: request.url ?? "/", headers, body: Buffer.concat(chunks).toString("utf8") })
        for (const wake of waiters) wake()
        const status = answer(n)
        if (status === "drop") request.socket.destroy()
        else if (status !== "hang") response.writeHead(status).end()
      })
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const waitFor = (count: number, timeoutMs = 10_000) =>
      Effect.promise(() =>
        new Promise<ReadonlyArray<Received>>((resolve, reject) => {
          const check = () => {
            if (received.length < count) return
            cleanup()
            resolve([...received])
          }
          const timer = setTimeout(() => {
            cleanup()
            reject(new Error(`the receiver got ${received.length} of ${count} requests in ${timeoutMs} ms`))
          }, timeoutMs)
          const cleanup = () => {
            clearTimeout(timer)
            waiters.delete(check)
          }
          waiters.add(check)
          check()
        })
      )
    return {
      url: `http://127.0.0.1:${port}/webhooks/clerk`,
      get received() {
        return received
      },
      waitFor
    }
  })
