/**
 * The client over the real transports a user provides, against a node:http server on 127.0.0.1: `@effect/platform`'s
 * `FetchHttpClient` (the body is a web `ReadableStream`), `@effect/platform-node`'s undici client
 * (`NodeHttpClient.layerUndici`, the body is a Node `Readable`), both read by the client's own bounded loop, and its
 * node:http client (`NodeHttpClient.layer`), read in one go within a declared length, else through the bounded
 * `Stream` fold. Each path is tried: declared length or chunked, compressed, too large, cut short, stalled.
 */
import { ActorTokens, ClerkClient, Sessions } from "@effect-clerk/client"
import { ActorToken, ClerkErrorBody, Ids, Session } from "@effect-clerk/schema"
import { FetchHttpClient, HttpClient, type HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Either, Exit, Layer, Redacted, Schema, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"
import * as InternalBody from "../src/internal/body.js"
import { expectFields, joinWithin } from "./support.js"

// ---------------------------------------------------------------------------------------------------------------
// a node:http server on 127.0.0.1, one per test
// ---------------------------------------------------------------------------------------------------------------

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

type Handler = (request: Http.IncomingMessage, response: Http.ServerResponse, body: string) => void

interface TestServer {
  readonly origin: string
  readonly seen: Array<Seen>
  /** Sockets opened by clients so far. */
  readonly connections: () => number
  /** Resolves when a request's connection closes before its response was finished (the client aborted). */
  readonly aborted: Promise<void>
}

const serve = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly test: TestServer }>((resume) => {
      const seen: Array<Seen> = []
      let connections = 0
      let onAborted!: () => void
      const aborted = new Promise<void>((resolve) => (onAborted = resolve))
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8")
          seen.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body })
          response.on("close", () => {
            if (!response.writableFinished) onAborted()
          })
          handler(request, response, body)
        })
      })
      server.on("connection", () => connections++)
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          server,
          test: { origin: `http://127.0.0.1:${port}`, seen, connections: () => connections, aborted }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ test }) => test))

/** A port nothing listens on: bound, then released. */
const freePort = Effect.async<number>((resume) => {
  const server = Http.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const tokenJson = JSON.stringify(
  Schema.encodeSync(ActorToken.ActorToken)(
    new ActorToken.ActorToken({
      id: Ids.ActorTokenId.make("act_2EL6mQKzeUtoRwGuLZsznyfkIsH"),
      status: "pending",
      userId: Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"),
      actor: { sub: "user_support_42" },
      token: Redacted.make("ticket_token"),
      url: Redacted.make("https://accounts.example.test/v1/tickets/accept?ticket=ticket_token"),
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000
    })
  )
)

const clerkErrorJson = (code: string, longMessage: string) =>
  JSON.stringify(
    Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)({
      errors: [{ code, message: code, longMessage }],
      clerkTraceId: "trace_1"
    })
  )

const json = (response: Http.ServerResponse, status: number, body: string) => {
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  response.end(body)
}

interface Transport {
  readonly name: string
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  /** How the client reads a body of each framing over this transport (`InternalBody.pathOf`). */
  readonly paths: { readonly declared: InternalBody.Path["_tag"]; readonly chunked: InternalBody.Path["_tag"] }
  /** Whether its connections outlive a call: `NodeHttpClient.layer`'s agent opens one per request. */
  readonly keepsAlive: boolean
}

const transports: ReadonlyArray<Transport> = [
  {
    name: "NodeHttpClient.layerUndici",
    layer: NodeHttpClient.layerUndici,
    paths: { declared: "Node", chunked: "Node" },
    keepsAlive: true
  },
  {
    name: "NodeHttpClient.layer",
    layer: NodeHttpClient.layer,
    paths: { declared: "Whole", chunked: "Stream" },
    keepsAlive: false
  },
  {
    name: "FetchHttpClient",
    layer: FetchHttpClient.layer,
    paths: { declared: "Web", chunked: "Web" },
    keepsAlive: true
  }
]

/** A body in pieces, without Content-Length: chunked transfer encoding. */
const chunked = (response: Http.ServerResponse, status: number, body: string, pieces = 3) => {
  response.writeHead(status, { "content-type": "application/json" })
  const size = Math.ceil(body.length / pieces)
  for (let i = 0; i < body.length; i += size) response.write(body.slice(i, i + size))
  response.end()
}

const MiB = 1024 * 1024

const params = { userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_support_42", ticket: "T-1" } }

/** A token padded to exactly `size` bytes of JSON. */
const tokenOfSize = (size: number): string => {
  const base = { ...JSON.parse(tokenJson), padding: "" }
  return JSON.stringify({ ...base, padding: "p".repeat(size - JSON.stringify(base).length) })
}

/** How long the server holds back the rest of a body over the limit: a client that buffers it waits that long. */
const holdMillis = 3_000

/**
 * A 200 of `size` bytes (chunked, or with `Content-Length: size`) of which the server sends 1 MiB and one 64 KiB
 * piece, then holds the rest back: a client that stops at the limit has its answer before the rest is sent.
 */
const overLimit = (framing: "chunked" | "declared", size = 2 * MiB) => {
  let restSent = false
  const handler: Handler = (_, response) => {
    response.writeHead(200, {
      "content-type": "application/json",
      ...(framing === "declared" ? { "content-length": size } : {})
    })
    const piece = Buffer.alloc(64 * 1024, "x")
    let sent = 0
    while (sent <= MiB) {
      response.write(piece)
      sent += piece.length
    }
    const rest = setTimeout(() => {
      restSent = true
      response.end(Buffer.alloc(size - sent, "x"))
    }, holdMillis)
    response.on("close", () => clearTimeout(rest))
  }
  return { handler, restSent: () => restSent }
}

// ---------------------------------------------------------------------------------------------------------------
// the Clerk client over each transport
// ---------------------------------------------------------------------------------------------------------------

for (const { keepsAlive, layer: transportLayer, name: transport, paths } of transports) {
  const clerk = (origin: string, options: Partial<ClerkClient.Options> = {}) =>
    ClerkClient.layer({ secretKey: Redacted.make("sk_test_transport"), apiUrl: origin, maxRetries: 0, ...options })
      .pipe(
        Layer.provide(transportLayer)
      )

  describe(`the client over ${transport}`, () => {
    it.scoped("create sends the encoded body and headers and decodes the token", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, tokenJson))
        const token = yield* ActorTokens.create({ ...params, expiresInSeconds: 600 }).pipe(
          Effect.provide(clerk(server.origin))
        )
        expect(token.id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
        expect(token.status).toBe("pending")
        expect(token.token && Redacted.value(token.token)).toBe("ticket_token")
        expect(server.seen).toHaveLength(1)
        const [request] = server.seen
        expect(request).toMatchObject({ method: "POST", url: "/v1/actor_tokens" })
        expect(JSON.parse(request!.body)).toEqual({
          user_id: params.userId,
          actor: params.actor,
          expires_in_seconds: 600
        })
        expect(request!.headers).toMatchObject({
          authorization: "Bearer sk_test_transport",
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(request!.body)),
          accept: "application/json"
        })
        expect(request!.headers["clerk-api-version"]).toBeTypeOf("string")
      }))

    it.scoped("revoke posts to the token's revoke path, and calls reuse keep-alive connections", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => json(response, 200, tokenJson))
        yield* Effect.gen(function*() {
          for (let i = 0; i < 6; i++) yield* ActorTokens.revoke("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
        }).pipe(Effect.provide(clerk(server.origin)))
        expect(server.seen.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(
          Array(6).fill("POST /v1/actor_tokens/act_2EL6mQKzeUtoRwGuLZsznyfkIsH/revoke ")
        )
        // undici's pool may open a second socket when the next call starts before the first socket is released.
        if (keepsAlive) expect(server.connections()).toBeLessThanOrEqual(2)
      }))

    it.scoped("an error status maps to its typed error with Clerk's entries", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) =>
          json(response, 404, clerkErrorJson("resource_not_found", "No actor token was found."))
        )
        const error = yield* ActorTokens.revoke("act_missing").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, {
          _tag: "ClerkNotFound",
          status: 404,
          clerkTraceId: "trace_1",
          message: "No actor token was found."
        })
      }))

    it.scoped("a 5xx HTML page maps to ClerkServerError", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(502, { "content-type": "text/html" })
          response.end("<html>bad gateway</html>")
        })
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkServerError", status: 502, errors: [] })
      }))

    it.scoped("a refused connection is ClerkTransportError ConnectionRefused", () =>
      Effect.gen(function*() {
        const port = yield* freePort
        const error = yield* ActorTokens.create(params).pipe(
          Effect.flip,
          Effect.provide(clerk(`http://127.0.0.1:${port}`))
        )
        expectFields(error, { _tag: "ClerkTransportError", reason: "ConnectionRefused" })
        expect(error.message).toContain("ECONNREFUSED")
      }))

    it.scoped("a connection closed before the response is ClerkTransportError ConnectionReset", () =>
      Effect.gen(function*() {
        const server = yield* serve((request) => request.socket.destroy())
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkTransportError", reason: "ConnectionReset" })
      }))

    it.scoped("a connection closed in the middle of the body is ClerkTransportError ConnectionReset", () =>
      Effect.gen(function*() {
        const server = yield* serve((request, response) => {
          response.writeHead(200, { "content-type": "application/json", "content-length": "4096" })
          response.write(tokenJson.slice(0, 20), () => request.socket.destroy())
        })
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkTransportError", reason: "ConnectionReset" })
      }))

    it.scoped("the client's timeout aborts a request that gets no answer", () =>
      Effect.gen(function*() {
        const received = yield* Deferred.make<void>()
        const server = yield* serve(() => Deferred.unsafeDone(received, Exit.void))
        const fiber = yield* ActorTokens.create(params).pipe(
          Effect.provide(clerk(server.origin, { timeout: Duration.seconds(5) })),
          Effect.flip,
          Effect.fork
        )
        yield* Deferred.await(received)
        yield* TestClock.adjust(Duration.seconds(5))
        const error = yield* joinWithin(fiber, 2_000, "the 5 s timeout has passed on the TestClock")
        expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
        yield* Effect.promise(() => server.aborted)
      }))

    it.scoped("the client's timeout aborts a response whose body stalls", () =>
      Effect.gen(function*() {
        const received = yield* Deferred.make<void>()
        const server = yield* serve((_, response) => {
          response.writeHead(200, { "content-type": "application/json" })
          response.write("{\"object\":", () => Deferred.unsafeDone(received, Exit.void))
        })
        const fiber = yield* ActorTokens.revoke("act_1").pipe(
          Effect.provide(clerk(server.origin, { timeout: Duration.seconds(5) })),
          Effect.flip,
          Effect.fork
        )
        yield* Deferred.await(received)
        yield* TestClock.adjust(Duration.seconds(5))
        const error = yield* joinWithin(fiber, 2_000, "the 5 s timeout, which covers the body, has passed")
        expectFields(error, { _tag: "ClerkTransportError", reason: "Timeout" })
        yield* Effect.promise(() => server.aborted)
      }))

    it.scoped("a chunked answer (no Content-Length) is read whole and decoded", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => chunked(response, 200, tokenJson, 5))
        const token = yield* ActorTokens.revoke("act_1").pipe(Effect.provide(clerk(server.origin)))
        expect(token.id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
      }))

    it.scoped("a chunked session list is read whole, both shapes decoded", () =>
      Effect.gen(function*() {
        const session = Schema.encodeSync(Session.Session)(
          new Session.Session({
            id: Ids.SessionId.make("sess_1"),
            userId: Ids.UserId.make("user_1"),
            clientId: Ids.ClientId.make("client_1"),
            actor: { sub: "user_support_42" },
            status: "active",
            lastActiveAt: 1,
            expireAt: 2,
            abandonAt: 3,
            createdAt: 1,
            updatedAt: 1
          })
        )
        const server = yield* serve((_, response) =>
          chunked(response, 200, JSON.stringify({ data: Array(200).fill(session), total_count: 200 }), 7)
        )
        const page = yield* Sessions.list({ userId: "user_1" }).pipe(Effect.provide(clerk(server.origin)))
        expect(page.data).toHaveLength(200)
        expect(page.totalCount).toBe(200)
      }))

    it.scoped("a chunked body over 1 MiB is refused as BodyTooLarge, and the connection is dropped", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(200, { "content-type": "application/json" })
          const piece = "x".repeat(64 * 1024)
          let sent = 0
          const pump = () => {
            while (sent < 64 * MiB) {
              sent += piece.length
              if (!response.write(piece)) return response.once("drain", pump)
            }
            response.end()
          }
          pump()
        })
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge", status: 200 })
        yield* Effect.promise(() => server.aborted)
      }))

    it.scoped("an error status with a chunked body keeps Clerk's entries", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) =>
          chunked(response, 400, clerkErrorJson("actor_token_cannot_be_revoked_code", "Not pending."))
        )
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkBadRequest", message: "Not pending.", clerkTraceId: "trace_1" })
      }))

    it.scoped("an empty 200 is ClerkDecodeError InvalidJson", () =>
      Effect.gen(function*() {
        const server = yield* serve((_, response) => {
          response.writeHead(200, { "content-length": "0" })
          response.end()
        })
        const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
        expectFields(error, { _tag: "ClerkDecodeError", reason: "InvalidJson" })
      }))

    it.scoped(`the body is read by the path expected of this transport: ${paths.declared} with a length, ${paths.chunked} chunked`, () =>
      Effect.gen(function*() {
        const server = yield* serve((request, response) =>
          request.url!.includes("chunked") ? chunked(response, 200, tokenJson) : json(response, 200, tokenJson)
        )
        const seen: Array<string> = []
        // The response the client reads, as the transport made it.
        const record = HttpClient.tap((response: HttpClientResponse.HttpClientResponse) =>
          Effect.sync(() => seen.push(InternalBody.pathOf(response)._tag))
        )
        yield* Effect.gen(function*() {
          yield* ActorTokens.revoke("act_declared")
          yield* ActorTokens.revoke("act_chunked")
        }).pipe(Effect.provide(clerk(server.origin, { transformClient: record })))
        expect(seen).toEqual([paths.declared, paths.chunked])
      }))

    for (const framing of ["chunked", "declared"] as const) {
      const label = framing === "chunked" ? "a chunked 2 MiB body" : "a body of Content-Length: 2097152"
      it.scoped(`${label} is refused as BodyTooLarge once past 1 MiB, before the rest is sent`, () =>
        Effect.gen(function*() {
          const body = overLimit(framing)
          const server = yield* serve(body.handler)
          const fiber = yield* ActorTokens.revoke("act_1").pipe(
            Effect.flip,
            Effect.provide(clerk(server.origin)),
            Effect.fork
          )
          const error = yield* joinWithin(fiber, holdMillis + 2_000, "the answer to a body over 1 MiB")
          expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge", status: 200 })
          expect(body.restSent(), "the client waited for the rest of the body").toBe(false)
          yield* Effect.promise(() => server.aborted)
        }))
    }

    it.scoped("exactly 1 MiB is read and decoded, with a length or chunked; 1 MiB + 1 byte is refused", () =>
      Effect.gen(function*() {
        const server = yield* serve((request, response) => {
          const body = tokenOfSize(request.url!.includes("over") ? MiB + 1 : MiB)
          return request.url!.includes("chunked") ? chunked(response, 200, body, 16) : json(response, 200, body)
        })
        expect(Buffer.byteLength(tokenOfSize(MiB))).toBe(MiB)
        yield* Effect.gen(function*() {
          for (const id of ["act_declared", "act_chunked"]) {
            expect((yield* ActorTokens.revoke(id)).id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
          }
          for (const id of ["act_declared_over", "act_chunked_over"]) {
            const over = yield* Effect.either(ActorTokens.revoke(id))
            assert(Either.isLeft(over), `${id}: a body of 1 MiB + 1 byte was decoded`)
            expectFields(over.left, { _tag: "ClerkDecodeError", reason: "BodyTooLarge" })
          }
        }).pipe(Effect.provide(clerk(server.origin)))
      }))
  })
}

/** A server whose answer is a gzip body under 1 MiB (with its `Content-Length`) that inflates to 16 MiB. */
const serveGzipBomb = Effect.gen(function*() {
  const bomb = Zlib.gzipSync(Buffer.alloc(16 * MiB, 0x20))
  expect(bomb.length).toBeLessThan(MiB)
  return yield* serve((_, response) => {
    response.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": bomb.length
    })
    response.end(bomb)
  })
})

describe("the client over FetchHttpClient, gzip-encoded answers", () => {
  const clerk = (origin: string) =>
    ClerkClient.layer({ secretKey: Redacted.make("sk_test_transport"), apiUrl: origin, maxRetries: 0 }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )

  it.scoped("fetch asks for gzip and decompresses; the client reads the decompressed body", () =>
    Effect.gen(function*() {
      const server = yield* serve((request, response) => {
        const accepts = String(request.headers["accept-encoding"] ?? "").includes("gzip")
        const body = accepts ? Zlib.gzipSync(tokenJson) : Buffer.from(tokenJson)
        response.writeHead(200, {
          "content-type": "application/json",
          ...(accepts ? { "content-encoding": "gzip" } : {}),
          "content-length": body.length
        })
        response.end(body)
      })
      const token = yield* ActorTokens.revoke("act_1").pipe(Effect.provide(clerk(server.origin)))
      expect(token.id).toBe("act_2EL6mQKzeUtoRwGuLZsznyfkIsH")
      expect(String(server.seen[0]!.headers["accept-encoding"])).toContain("gzip")
    }))

  it.scoped("a gzip body that inflates past 1 MiB is refused, though its declared length is small", () =>
    Effect.gen(function*() {
      const server = yield* serveGzipBomb
      const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
      expectFields(error, { _tag: "ClerkDecodeError", reason: "BodyTooLarge" })
    }))
})

for (const { layer: transportLayer, name: transport } of transports.filter((t) => t.name !== "FetchHttpClient")) {
  describe(`the client over ${transport}, gzip-encoded answers`, () => {
    it.scoped("a small gzip body that would inflate past 1 MiB is refused: it is never inflated", () =>
      Effect.gen(function*() {
        const server = yield* serveGzipBomb
        const error = yield* ActorTokens.revoke("act_1").pipe(
          Effect.flip,
          Effect.provide(
            ClerkClient.layer({ secretKey: Redacted.make("sk_test_transport"), apiUrl: server.origin, maxRetries: 0 })
              .pipe(Layer.provide(transportLayer))
          )
        )
        // This transport does not ask for gzip and hands the compressed bytes over as they came: not JSON.
        expect(String(server.seen[0]!.headers["accept-encoding"] ?? "")).not.toContain("gzip")
        expectFields(error, { _tag: "ClerkDecodeError", reason: "InvalidJson", status: 200 })
      }))
  })
}
