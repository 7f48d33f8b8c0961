/**
 * The loopback server, run in a child process (`fork`) so that the parent's `process.cpuUsage()` counts the client
 * alone. node:http keep-alive servers on 127.0.0.1 answering Clerk's two actor-token routes with fixed JSON, one port
 * per response shape:
 *
 * - `length`: `Content-Length` framing, the body in one write;
 * - `chunked`: no `Content-Length`, `Transfer-Encoding: chunked` (the body in one chunk);
 * - `gzip`: `Content-Encoding: gzip`, chunked (compressed on the fly, as a CDN in front of an API answers), but only
 *   when the request's `Accept-Encoding` allows gzip; otherwise the `length` answer, counted as `gzipRefused`. Node's
 *   `fetch` sends `Accept-Encoding: gzip, deflate` and decompresses (leaving `Content-Encoding` set); undici's
 *   `request()` does neither, so no undici client is pointed at this port.
 *
 * Messages: it sends `{ ports }` once listening; it answers `"stats"` with its request counts and CPU time.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { gzipSync } from "node:zlib"
import { createdJson, notFoundJson, revokedJson, type Shape, shapes } from "./fixtures.js"

export interface ServerStats {
  readonly requests: number
  readonly notFound: number
  /** Answers sent gzip-encoded. */
  readonly gzipped: number
  /** Requests on the gzip port whose `Accept-Encoding` did not allow gzip (answered plain). */
  readonly gzipRefused: number
  readonly cpuMicros: number
}

interface Answer {
  readonly status: number
  readonly body: Buffer
  readonly gzipped: Buffer
}

const answer = (status: number, json: string): Answer => {
  const body = Buffer.from(json)
  return { status, body, gzipped: gzipSync(body) }
}

const created = answer(200, createdJson)
const revoked = answer(200, revokedJson)
const notFound = answer(404, notFoundJson)
const revokePath = /^\/v1\/actor_tokens\/[A-Za-z0-9_-]+\/revoke$/

let requests = 0
let notFoundCount = 0
let gzipped = 0
let gzipRefused = 0

const route = (request: Http.IncomingMessage): Answer =>
  request.method !== "POST"
    ? notFound
    : request.url === "/v1/actor_tokens"
    ? created
    : revokePath.test(request.url ?? "")
    ? revoked
    : notFound

const acceptsGzip = (request: Http.IncomingMessage): boolean =>
  /(^|[\s,])gzip($|[\s,;])/.test(request.headers["accept-encoding"] ?? "")

const serve = (shape: Shape) => (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
  request.resume()
  request.on("end", () => {
    requests++
    const a = route(request)
    if (a === notFound) notFoundCount++
    const compress = shape === "gzip" && acceptsGzip(request)
    if (shape === "gzip" && !compress) gzipRefused++
    if (shape === "length" || (shape === "gzip" && !compress)) {
      response.writeHead(a.status, { "content-type": "application/json", "content-length": a.body.length })
      response.end(a.body)
    } else if (compress) {
      gzipped++
      response.writeHead(a.status, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        vary: "Accept-Encoding"
      })
      // A write before `end` keeps node from computing a Content-Length: the answer goes out chunked.
      response.write(a.gzipped)
      response.end()
    } else {
      response.writeHead(a.status, { "content-type": "application/json" })
      response.write(a.body)
      response.end()
    }
  })
}

const listen = (shape: Shape): Promise<{ readonly server: Http.Server; readonly port: number }> =>
  new Promise((resolve) => {
    const server = Http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, serve(shape))
    server.keepAliveTimeout = 120_000
    server.headersTimeout = 130_000
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port }))
  })

const servers = await Promise.all(shapes.map(listen))

process.on("message", (message) => {
  if (message === "stats") {
    const cpu = process.cpuUsage()
    const stats: ServerStats = {
      requests,
      notFound: notFoundCount,
      gzipped,
      gzipRefused,
      cpuMicros: cpu.user + cpu.system
    }
    process.send?.(stats)
  } else if (message === "close") {
    let open = servers.length
    for (const { server } of servers) {
      server.closeAllConnections()
      server.close(() => {
        if (--open === 0) process.exit(0)
      })
    }
  }
})
process.on("disconnect", () => process.exit(0))

const ports = Object.fromEntries(shapes.map((shape, i) => [shape, servers[i]!.port])) as Record<Shape, number>
process.send?.({ ports })
