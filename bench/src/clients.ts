/**
 * The clients under test, each behind the same two calls: `create` (POST /v1/actor_tokens) and `revoke`
 * (POST /v1/actor_tokens/:id/revoke), each resolving once the response body has been read and parsed.
 *
 * A client is a kind (raw transport, @clerk/backend, the Effect HTTP floor, the SDK), a transport and the
 * response shape the server answers it with (`Content-Length`, chunked, gzip: see server.ts).
 */
import { createClerkClient } from "@clerk/backend"
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "undici"
import { actorTokenId, clerkApiVersion, createBodyJson, createParams, secretKey, type Shape } from "./fixtures.js"
import { floorCreate } from "./floor.js"
import { recommended, type Transport, transportLabels } from "./transport.js"

export type Kind = "raw" | "clerk" | "floor" | "sdk"

interface Spec {
  readonly kind: Kind
  /** The Effect transport; for a raw row, the wire underneath it (undici's own `request()`, or `fetch`). */
  readonly transport: Transport
  readonly shape: Shape
  /** The SDK with tracing off for the whole program (`Layer.setTracerEnabled(false)`): neither of its two spans. */
  readonly noTracer?: true
}

const specs = {
  "raw-undici": { kind: "raw", transport: "node-undici", shape: "length" },
  "raw-undici-chunked": { kind: "raw", transport: "node-undici", shape: "chunked" },
  "raw-fetch": { kind: "raw", transport: "fetch", shape: "length" },
  "raw-fetch-chunked": { kind: "raw", transport: "fetch", shape: "chunked" },
  "raw-fetch-gzip": { kind: "raw", transport: "fetch", shape: "gzip" },
  "clerk-backend": { kind: "clerk", transport: "fetch", shape: "length" },
  "clerk-backend-chunked": { kind: "clerk", transport: "fetch", shape: "chunked" },
  "clerk-backend-gzip": { kind: "clerk", transport: "fetch", shape: "gzip" },
  "floor-fetch": { kind: "floor", transport: "fetch", shape: "length" },
  "floor-fetch-chunked": { kind: "floor", transport: "fetch", shape: "chunked" },
  "floor-fetch-gzip": { kind: "floor", transport: "fetch", shape: "gzip" },
  "floor-node-undici": { kind: "floor", transport: "node-undici", shape: "length" },
  "floor-node-undici-chunked": { kind: "floor", transport: "node-undici", shape: "chunked" },
  "sdk-fetch": { kind: "sdk", transport: "fetch", shape: "length" },
  "sdk-fetch-chunked": { kind: "sdk", transport: "fetch", shape: "chunked" },
  "sdk-fetch-gzip": { kind: "sdk", transport: "fetch", shape: "gzip" },
  "sdk-node-undici": { kind: "sdk", transport: "node-undici", shape: "length" },
  "sdk-node-undici-chunked": { kind: "sdk", transport: "node-undici", shape: "chunked" },
  "sdk-node-undici-notracer": { kind: "sdk", transport: "node-undici", shape: "length", noTracer: true }
} as const satisfies Record<string, Spec>

export type ClientId = keyof typeof specs

export const clientIds = Object.keys(specs) as ReadonlyArray<ClientId>

export const specOf = (id: ClientId): Spec => specs[id]

/** The client of `kind` over `transport` answered with `shape` (not the tracer-off variant). */
export const idOf = (kind: Kind, transport: Transport, shape: Shape = "length"): ClientId => {
  const id = clientIds.find((candidate) => {
    const spec: Spec = specs[candidate]
    return spec.kind === kind && spec.transport === transport && spec.shape === shape && spec.noTracer === undefined
  })
  if (id === undefined) throw new Error(`no ${kind} client over ${transport} answered with ${shape}`)
  return id
}

/**
 * The raw transport underneath a row, answered with the same shape: raw undici `request()` for the undici client,
 * raw `fetch` for the fetch ones (@clerk/backend included).
 */
export const rawOf = (id: ClientId): ClientId => {
  const spec: Spec = specs[id]
  return idOf("raw", spec.transport, spec.shape)
}

/** @clerk/backend answered with the same shape as the row (it runs over fetch: every shape exists). */
export const clerkOf = (id: ClientId): ClientId => idOf("clerk", "fetch", specs[id].shape)

const shapeLabels: Record<Shape, string> = { length: "", chunked: ", chunked", gzip: ", gzip" }

export const labelOf = (id: ClientId): string => {
  const spec: Spec = specs[id]
  const shape = shapeLabels[spec.shape]
  switch (spec.kind) {
    case "raw":
      return `${spec.transport === "fetch" ? "raw `fetch`" : "raw undici `request()`"}${shape}`
    case "clerk":
      return `@clerk/backend${shape}`
    case "floor":
      return `Effect HTTP floor, ${transportLabels[spec.transport]}${shape}`
    default:
      return `SDK, ${transportLabels[spec.transport]}${shape}${spec.noTracer ? ", tracer off" : ""}`
  }
}

/**
 * The clients of the sequential create phase: everything but the shape rows of an Effect transport that is neither
 * fetch (the README's) nor the recommended one.
 */
export const createClients: ReadonlyArray<ClientId> = clientIds.filter((id) => {
  const spec: Spec = specs[id]
  return spec.shape === "length" || spec.transport === "fetch" || spec.kind === "raw" || spec.transport === recommended
})

const rawHeaders = {
  authorization: `Bearer ${secretKey}`,
  "clerk-api-version": clerkApiVersion,
  "user-agent": "bench-raw",
  accept: "application/json",
  "content-type": "application/json"
}

const check = (status: number): void => {
  if (status !== 200) throw new Error(`unexpected status ${status}`)
}

export interface BenchClient {
  readonly id: ClientId
  readonly create: () => Promise<unknown>
  readonly revoke: () => Promise<unknown>
  readonly close: () => Promise<void>
}

const rawUndici = (id: ClientId, apiUrl: string): BenchClient => {
  const agent = new Agent()
  const origin = new URL(apiUrl).origin
  const post = async (path: string, body: string | null) => {
    const response = await agent.request({ origin, path, method: "POST", headers: rawHeaders, body })
    check(response.statusCode)
    return response.body.json()
  }
  return {
    id,
    create: () => post("/v1/actor_tokens", createBodyJson),
    revoke: () => post(`/v1/actor_tokens/${actorTokenId}/revoke`, null),
    close: () => agent.close()
  }
}

const rawFetch = (id: ClientId, apiUrl: string): BenchClient => {
  const post = async (path: string, body: string | null) => {
    const response = await fetch(`${apiUrl}${path}`, { method: "POST", headers: rawHeaders, body })
    check(response.status)
    return response.json()
  }
  return {
    id,
    create: () => post("/v1/actor_tokens", createBodyJson),
    revoke: () => post(`/v1/actor_tokens/${actorTokenId}/revoke`, null),
    close: () => Promise.resolve()
  }
}

const clerkBackend = (id: ClientId, apiUrl: string): BenchClient => {
  const clerk = createClerkClient({ secretKey, apiUrl })
  return {
    id,
    create: () => clerk.actorTokens.create({ ...createParams, actor: { ...createParams.actor } }),
    revoke: () => clerk.actorTokens.revoke(actorTokenId),
    close: () => Promise.resolve()
  }
}

const httpLayer = (transport: Transport): Layer.Layer<HttpClient.HttpClient> => {
  switch (transport) {
    case "fetch":
      return FetchHttpClient.layer
    case "node-undici":
      return NodeHttpClient.layerUndici
  }
}

const sdk = (id: ClientId, spec: Spec, apiUrl: string): BenchClient => {
  const runtime = ManagedRuntime.make(
    ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl }).pipe(
      Layer.provide(httpLayer(spec.transport)),
      Layer.provideMerge(Layer.setTracerEnabled(spec.noTracer === undefined))
    )
  )
  return {
    id,
    create: () => runtime.runPromise(ActorTokens.create(createParams)),
    revoke: () => runtime.runPromise(ActorTokens.revoke(actorTokenId)),
    close: () => runtime.dispose()
  }
}

const floor = (id: ClientId, spec: Spec, apiUrl: string): BenchClient => {
  const runtime = ManagedRuntime.make(httpLayer(spec.transport))
  const create = () => runtime.runPromise(floorCreate(apiUrl, secretKey, createParams))
  // The floor is a create program; its revoke row is not measured (the warm-up calls create twice).
  return { id, create, revoke: create, close: () => runtime.dispose() }
}

/** `urls`: the server's base URL for each response shape. */
export const makeClient = (id: ClientId, urls: Readonly<Record<Shape, string>>): BenchClient => {
  const spec: Spec = specs[id]
  const apiUrl = urls[spec.shape]
  switch (spec.kind) {
    case "raw":
      return spec.transport === "fetch" ? rawFetch(id, apiUrl) : rawUndici(id, apiUrl)
    case "clerk":
      return clerkBackend(id, apiUrl)
    case "sdk":
      return sdk(id, spec, apiUrl)
    case "floor":
      return floor(id, spec, apiUrl)
  }
}
