/**
 * The `secretKey` source over a real HTTP client (undici) against a loopback server answering `GET /v1/jwks`.
 */
import { SessionToken } from "@effect-clerk/auth"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { makeKey, signWith, validClaims } from "./utils/tokens.js"

const key = makeKey("ins_loopback")
const secretKey = "sk_test_loopback_secret"

interface JwksServer {
  readonly url: string
  readonly requests: Array<string | undefined>
  readonly server: Server
}

const jwksServer = Effect.acquireRelease(
  Effect.async<JwksServer>((resume) => {
    const requests: Array<string | undefined> = []
    const server = createServer((request, response) => {
      requests.push(request.headers.authorization)
      if (request.method === "GET" && request.url === "/v1/jwks") {
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [key.jwk] }))
      } else {
        response.writeHead(404).end()
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, requests, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

describe("the secretKey source on loopback", () => {
  it.scopedLive("fetches the keys once over HTTP and verifies with them", () =>
    Effect.gen(function*() {
      const server = yield* jwksServer
      const now = Math.floor(Date.now() / 1000)
      const token = signWith(
        key.privateKey,
        { alg: "RS256", typ: "JWT", kid: key.kid },
        validClaims({ iat: now, nbf: now - 10, exp: now + 60 })
      )
      const layer = SessionToken.layer({ secretKey, apiUrl: server.url }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
      const claims = yield* Effect.gen(function*() {
        for (let i = 0; i < 99; i++) yield* SessionToken.verify(token)
        return yield* SessionToken.verify(token)
      }).pipe(Effect.provide(layer))
      expect(claims.userId).toBe("user_2xyz")
      expect(server.requests).toEqual([`Bearer ${secretKey}`])
    }), { timeout: 30_000 })
})
