import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
import { ActorToken, ClerkErrorBody, Ids } from "@effect-clerk/schema"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Duration, Effect, Exit, Fiber, Layer, Redacted, Schema, Stream, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

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

const clerk = (origin: string, options: Partial<ClerkClient.Options> = {}) =>
  ClerkClient.layer({ secretKey: Redacted.make("sk_test_undici"), apiUrl: origin, maxRetries: 0, ...options }).pipe(
    Layer.provide(UndiciHttpClient.layer)
  )

const params = { userId: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb", actor: { sub: "user_support_42", ticket: "T-1" } }

// ---------------------------------------------------------------------------------------------------------------
// the Clerk client over undici
// ---------------------------------------------------------------------------------------------------------------

describe("ActorTokens over UndiciHttpClient", () => {
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
        authorization: "Bearer sk_test_undici",
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
      expect(server.connections()).toBeLessThanOrEqual(2)
    }))

  it.scoped("an error status maps to its typed error with Clerk's entries", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) =>
        json(response, 404, clerkErrorJson("resource_not_found", "No actor token was found."))
      )
      const error = yield* ActorTokens.revoke("act_missing").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
      expect(error).toMatchObject({
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
      expect(error).toMatchObject({ _tag: "ClerkServerError", status: 502, errors: [] })
    }))

  it.scoped("a refused connection is ClerkTransportError ConnectionRefused", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const error = yield* ActorTokens.create(params).pipe(
        Effect.flip,
        Effect.provide(clerk(`http://127.0.0.1:${port}`))
      )
      expect(error).toMatchObject({ _tag: "ClerkTransportError", reason: "ConnectionRefused" })
      expect(error.message).toContain("ECONNREFUSED")
    }))

  it.scoped("a connection closed before the response is ClerkTransportError ConnectionReset", () =>
    Effect.gen(function*() {
      const server = yield* serve((request) => request.socket.destroy())
      const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
      expect(error).toMatchObject({ _tag: "ClerkTransportError", reason: "ConnectionReset" })
      expect(error.message).toContain("UND_ERR_SOCKET")
    }))

  it.scoped("a connection closed in the middle of the body is ClerkTransportError ConnectionReset", () =>
    Effect.gen(function*() {
      const server = yield* serve((request, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "4096" })
        response.write(tokenJson.slice(0, 20), () => request.socket.destroy())
      })
      const error = yield* ActorTokens.revoke("act_1").pipe(Effect.flip, Effect.provide(clerk(server.origin)))
      expect(error).toMatchObject({ _tag: "ClerkTransportError", reason: "ConnectionReset" })
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
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "ClerkTransportError", reason: "Timeout" })
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
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "ClerkTransportError", reason: "Timeout" })
      yield* Effect.promise(() => server.aborted)
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// the HttpClient itself
// ---------------------------------------------------------------------------------------------------------------

describe("UndiciHttpClient", () => {
  const execute = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request))

  it.scoped("exposes status, headers, cookies, text and json", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => {
        response.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"])
        response.setHeader("x-multi", ["one", "two"])
        json(response, 201, "{\"hello\":\"world\"}")
      })
      const response = yield* execute(HttpClientRequest.get(`${server.origin}/json?q=1`))
      expect(response.status).toBe(201)
      expect(response.headers["content-type"]).toBe("application/json")
      expect(response.headers["x-multi"]).toBe("one, two")
      expect(response.cookies.cookies["a"]?.value).toBe("1")
      expect(response.cookies.cookies["b"]?.value).toBe("2")
      expect(yield* response.json).toEqual({ hello: "world" })
      expect(yield* response.text).toBe("{\"hello\":\"world\"}")
      expect(server.seen[0]).toMatchObject({ method: "GET", url: "/json?q=1" })
    }).pipe(Effect.provide(UndiciHttpClient.layer)))

  it.scoped("streams the body: the first chunk arrives before the server has sent the rest", () =>
    Effect.gen(function*() {
      let sendRest!: () => void
      const server = yield* serve((_, response) => {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("first;")
        sendRest = () => response.end("second")
      })
      const response = yield* execute(HttpClientRequest.get(`${server.origin}/stream`))
      const chunks = yield* response.stream.pipe(
        Stream.map((chunk) => new TextDecoder().decode(chunk)),
        Stream.tap((chunk) => Effect.sync(() => chunk === "first;" && sendRest())),
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(chunks)).toEqual(["first;", "second"])
    }).pipe(Effect.provide(UndiciHttpClient.layer)))

  it.scoped("sends Uint8Array, text, stream and form bodies", () =>
    Effect.gen(function*() {
      const server = yield* serve((_, response) => json(response, 200, "{}"))
      const post = HttpClientRequest.post(`${server.origin}/body`)
      const form = new FormData()
      form.set("field", "value")
      form.set("upload", new File(["file body"], "notes.txt", { type: "text/plain" }))
      yield* execute(post.pipe(HttpClientRequest.bodyUint8Array(new TextEncoder().encode("bytes"))))
      yield* execute(post.pipe(HttpClientRequest.bodyText("text")))
      yield* execute(post.pipe(HttpClientRequest.bodyStream(Stream.make("str", "eam").pipe(Stream.encodeText))))
      yield* execute(post.pipe(HttpClientRequest.bodyFormData(form)))
      expect(server.seen.slice(0, 3).map((r) => r.body)).toEqual(["bytes", "text", "stream"])
      expect(server.seen[1]?.headers["content-type"]).toBe("text/plain")
      expect(server.seen[3]?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
      expect(server.seen[3]?.body).toContain("name=\"field\"\r\n\r\nvalue")
      expect(server.seen[3]?.body).toContain("name=\"upload\"; filename=\"notes.txt\"\r\nContent-Type: text/plain")
      expect(server.seen[3]?.body).toContain("file body")
    }).pipe(Effect.provide(UndiciHttpClient.layer)))

  it.scoped("interrupting a request in flight aborts it", () =>
    Effect.gen(function*() {
      const received = yield* Deferred.make<void>()
      const server = yield* serve(() => Deferred.unsafeDone(received, Exit.void))
      const fiber = yield* Effect.fork(execute(HttpClientRequest.get(`${server.origin}/hang`)))
      yield* Deferred.await(received)
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => server.aborted)
    }).pipe(Effect.provide(UndiciHttpClient.layer)))

  it.scoped("a request failure is a RequestError whose cause keeps undici's code", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const error = yield* execute(HttpClientRequest.get(`http://127.0.0.1:${port}/`)).pipe(Effect.flip)
      expect(error._tag).toBe("RequestError")
      expect(error.reason).toBe("Transport")
      expect((error.cause as { readonly code?: unknown }).code).toBe("ECONNREFUSED")
    }).pipe(Effect.provide(UndiciHttpClient.layer)))

  it.scoped("layerDispatcher uses the dispatcher it is given and leaves it open", () =>
    Effect.gen(function*() {
      const { Agent } = yield* Effect.promise(() => import("undici"))
      const agent = new Agent()
      const server = yield* serve((_, response) => json(response, 200, "{\"ok\":true}"))
      const body = yield* execute(HttpClientRequest.get(`${server.origin}/`)).pipe(
        Effect.flatMap((response) => response.json),
        Effect.provide(UndiciHttpClient.layerDispatcher(agent))
      )
      expect(body).toEqual({ ok: true })
      expect(agent.closed).toBe(false)
      yield* Effect.promise(() => agent.close())
    }))
})
