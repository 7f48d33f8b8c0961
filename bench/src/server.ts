/**
 * The loopback server, run in a child process (`fork`) so that the parent's `process.cpuUsage()` counts the client
 * alone. One node:http keep-alive server on 127.0.0.1 answering Clerk's two actor-token routes with fixed JSON.
 *
 * Messages: it sends `{ port }` once listening; it answers `"stats"` with its request count and CPU time.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { createdJson, notFoundJson, revokedJson } from "./fixtures.js"

export interface ServerStats {
  readonly requests: number
  readonly notFound: number
  readonly cpuMicros: number
}

const reply = (json: string): { readonly body: Buffer; readonly headers: Http.OutgoingHttpHeaders } => {
  const body = Buffer.from(json)
  return { body, headers: { "content-type": "application/json", "content-length": body.length } }
}

const created = reply(createdJson)
const revoked = reply(revokedJson)
const notFound = reply(notFoundJson)
const revokePath = /^\/v1\/actor_tokens\/[A-Za-z0-9_-]+\/revoke$/

let requests = 0
let notFoundCount = 0

const server = Http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, (request, response) => {
  request.resume()
  request.on("end", () => {
    requests++
    const answer = request.method !== "POST"
      ? notFound
      : request.url === "/v1/actor_tokens"
      ? created
      : revokePath.test(request.url ?? "")
      ? revoked
      : notFound
    if (answer === notFound) notFoundCount++
    response.writeHead(answer === notFound ? 404 : 200, answer.headers)
    response.end(answer.body)
  })
})
server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000

process.on("message", (message) => {
  if (message === "stats") {
    const cpu = process.cpuUsage()
    const stats: ServerStats = { requests, notFound: notFoundCount, cpuMicros: cpu.user + cpu.system }
    process.send?.(stats)
  } else if (message === "close") {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
})
process.on("disconnect", () => process.exit(0))

server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port })
})
