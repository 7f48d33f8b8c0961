/**
 * Serves the emulator through `node:http`: each `IncomingMessage` becomes a web `Request`, each web `Response` is
 * written back, and a reset destroys the socket.
 */
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import type { Service } from "../Emulator.js"
import { respond } from "./adapter.js"

/** @internal */
export interface Listening {
  readonly port: number
  /** `http://<host>:<port>`, with the real port (and an IPv6 address in brackets). */
  readonly origin: string
  /** Installs the emulator that answers requests; until then every request is answered 503. */
  readonly serve: (emulator: Service) => void
}

/** @internal Why the server could not listen. */
export interface ListenFailure {
  readonly code: string | undefined
  readonly message: string
}

const readBody = (request: Http.IncomingMessage): Effect.Effect<Uint8Array<ArrayBuffer>, unknown> =>
  Effect.async((resume) => {
    const chunks: Array<Uint8Array> = []
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk))
    request.on("end", () => resume(Effect.succeed(Buffer.concat(chunks))))
    request.on("error", (error) => resume(Effect.fail(error)))
  })

const toWebRequest = (request: Http.IncomingMessage, origin: string, body: Uint8Array<ArrayBuffer>): Request => {
  const headers = new Headers()
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    headers.append(request.rawHeaders[i]!, request.rawHeaders[i + 1]!)
  }
  const method = request.method ?? "GET"
  const path = new URL(request.url ?? "/", origin)
  return new Request(`${origin}${path.pathname}${path.search}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body })
  })
}

// A TCP reset where Node offers it, else a plain close: the client sees ECONNRESET or "other side closed".
const resetSocket = (socket: Net.Socket): void => {
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
  else socket.destroy()
}

const handle = (
  emulator: Service,
  origin: string,
  request: Http.IncomingMessage,
  response: Http.ServerResponse
): Effect.Effect<void> =>
  readBody(request).pipe(
    // The peer's address: what the emulator's webhooks report as the request's `client_ip`.
    Effect.flatMap((body) => respond(emulator, toWebRequest(request, origin, body), request.socket.remoteAddress)),
    Effect.flatMap((web) =>
      Effect.promise(() => web.arrayBuffer()).pipe(
        Effect.map((buffer) => {
          const headers: Record<string, string> = {}
          web.headers.forEach((value, key) => {
            headers[key] = value
          })
          headers["content-length"] = String(buffer.byteLength)
          response.writeHead(web.status, headers)
          response.end(Buffer.from(buffer))
        })
      )
    ),
    // A reset (or a request body that could not be read): no response at all.
    Effect.catchAll(() => Effect.sync(() => resetSocket(request.socket)))
  )

/**
 * @internal The origin of a server on `host:port`: an IPv6 address in brackets (`http://[::1]:80`), without its zone
 * (`%eth0`), which URLs cannot carry.
 */
export const origin = (host: string, port: number): string =>
  `http://${host.includes(":") ? `[${host.replace(/%.*$/, "")}]` : host}:${port}`

/**
 * @internal Listens on `hostname:port` (0 picks a free port) until the scope closes; closing it drops every
 * connection, stalled ones included, and interrupts their handling.
 */
export const listen = (
  hostname: string,
  port: number
): Effect.Effect<Listening, ListenFailure, Scope.Scope> =>
  Effect.gen(function*() {
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    let emulator: Service | undefined
    let serverOrigin = ""
    const server = Http.createServer((request, response) => {
      if (emulator === undefined) {
        response.writeHead(503).end()
        return
      }
      const fiber = run(handle(emulator, serverOrigin, request, response))
      // The client went away (e.g. gave up on a stall): stop handling its request.
      response.on("close", () => {
        if (!response.writableFinished) fiber.unsafeInterruptAsFork(FiberId.none)
      })
    })
    const actualPort = yield* Effect.acquireRelease(
      Effect.async<number, ListenFailure>((resume) => {
        const onError = (error: NodeJS.ErrnoException) =>
          resume(Effect.fail({ code: error.code, message: error.message }))
        server.once("error", onError)
        server.listen(port, hostname, () => {
          server.off("error", onError)
          resume(Effect.succeed((server.address() as Net.AddressInfo).port))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    serverOrigin = origin(hostname, actualPort)
    return {
      port: actualPort,
      origin: serverOrigin,
      serve: (service) => {
        emulator = service
      }
    }
  })
