/**
 * The clients under test, each behind the same two calls: `create` (POST /v1/actor_tokens) and `revoke`
 * (POST /v1/actor_tokens/:id/revoke), each resolving once the response body has been read and parsed.
 */
import { createClerkClient } from "@clerk/backend"
import { ActorTokens, ClerkClient } from "@effect-clerk/client"
import * as UndiciHttpClient from "@effect-clerk/client/UndiciHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "undici"
import { actorTokenId, clerkApiVersion, createBodyJson, createParams, secretKey } from "./fixtures.js"
import { floorCreate, type Probe, probeCreate } from "./floor.js"

export type Transport = "undici" | "fetch"

export interface BenchClient {
  /** Stable id, used on the command line and in tables. */
  readonly id: ClientId
  readonly label: string
  readonly transport: Transport
  readonly create: () => Promise<unknown>
  readonly revoke: () => Promise<unknown>
  readonly close: () => Promise<void>
}

export const clientIds = [
  "raw-undici",
  "raw-fetch",
  "clerk-backend",
  "floor-fetch",
  "floor-undici",
  "sdk-fetch",
  "sdk-undici",
  "sdk-undici-nospan",
  "probe-stream",
  "probe-timeout",
  "probe-retry"
] as const

/** The probes are measured in the sequential create phase only. */
export const isProbe = (id: ClientId): boolean => id.startsWith("probe-")

export type ClientId = typeof clientIds[number]

export const labels: Record<ClientId, string> = {
  "raw-undici": "raw undici `request()`",
  "raw-fetch": "raw `fetch`",
  "clerk-backend": "@clerk/backend",
  "floor-fetch": "Effect HTTP floor, FetchHttpClient",
  "floor-undici": "Effect HTTP floor, UndiciHttpClient",
  "sdk-fetch": "SDK, FetchHttpClient",
  "sdk-undici": "SDK, UndiciHttpClient",
  "sdk-undici-nospan": "SDK, UndiciHttpClient, no http.client span",
  "probe-stream": "probe: floor/undici + body read as Stream",
  "probe-timeout": "probe: floor/undici + Effect.timeoutFail",
  "probe-retry": "probe: floor/undici + Effect.retry"
}

export const transports: Record<ClientId, Transport> = {
  "raw-undici": "undici",
  "raw-fetch": "fetch",
  "clerk-backend": "fetch",
  "floor-fetch": "fetch",
  "floor-undici": "undici",
  "sdk-fetch": "fetch",
  "sdk-undici": "undici",
  "sdk-undici-nospan": "undici",
  "probe-stream": "undici",
  "probe-timeout": "undici",
  "probe-retry": "undici"
}

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

const rawUndici = (apiUrl: string): BenchClient => {
  const agent = new Agent()
  const origin = new URL(apiUrl).origin
  const post = async (path: string, body: string | null) => {
    const response = await agent.request({ origin, path, method: "POST", headers: rawHeaders, body })
    check(response.statusCode)
    return response.body.json()
  }
  return {
    id: "raw-undici",
    label: labels["raw-undici"],
    transport: "undici",
    create: () => post("/v1/actor_tokens", createBodyJson),
    revoke: () => post(`/v1/actor_tokens/${actorTokenId}/revoke`, null),
    close: () => agent.close()
  }
}

const rawFetch = (apiUrl: string): BenchClient => {
  const post = async (path: string, body: string | null) => {
    const response = await fetch(`${apiUrl}${path}`, { method: "POST", headers: rawHeaders, body })
    check(response.status)
    return response.json()
  }
  return {
    id: "raw-fetch",
    label: labels["raw-fetch"],
    transport: "fetch",
    create: () => post("/v1/actor_tokens", createBodyJson),
    revoke: () => post(`/v1/actor_tokens/${actorTokenId}/revoke`, null),
    close: () => Promise.resolve()
  }
}

const clerkBackend = (apiUrl: string): BenchClient => {
  const clerk = createClerkClient({ secretKey, apiUrl })
  return {
    id: "clerk-backend",
    label: labels["clerk-backend"],
    transport: "fetch",
    create: () => clerk.actorTokens.create({ ...createParams, actor: { ...createParams.actor } }),
    revoke: () => clerk.actorTokens.revoke(actorTokenId),
    close: () => Promise.resolve()
  }
}

const httpLayer = (transport: Transport): Layer.Layer<HttpClient.HttpClient> =>
  transport === "fetch" ? FetchHttpClient.layer : UndiciHttpClient.layer

const sdk = (
  id: ClientId,
  apiUrl: string,
  options: Partial<ClerkClient.Options> = {}
): BenchClient => {
  const runtime = ManagedRuntime.make(
    ClerkClient.layer({ secretKey: Redacted.make(secretKey), apiUrl, ...options }).pipe(
      Layer.provide(httpLayer(transports[id]))
    )
  )
  return {
    id,
    label: labels[id],
    transport: transports[id],
    create: () => runtime.runPromise(ActorTokens.create(createParams)),
    revoke: () => runtime.runPromise(ActorTokens.revoke(actorTokenId)),
    close: () => runtime.dispose()
  }
}

const floor = (id: ClientId, apiUrl: string): BenchClient => {
  const runtime = ManagedRuntime.make(httpLayer(transports[id]))
  return {
    id,
    label: labels[id],
    transport: transports[id],
    create: () => runtime.runPromise(floorCreate(apiUrl, secretKey, createParams)),
    // The floor is a create program; its revoke row is not measured.
    revoke: () => runtime.runPromise(floorCreate(apiUrl, secretKey, createParams)),
    close: () => runtime.dispose()
  }
}

const probe = (id: ClientId, which: Probe, apiUrl: string): BenchClient => {
  const runtime = ManagedRuntime.make(UndiciHttpClient.layer)
  const create = () => runtime.runPromise(probeCreate(which, apiUrl, secretKey, createParams))
  return { id, label: labels[id], transport: "undici", create, revoke: create, close: () => runtime.dispose() }
}

/** Never the `http.client` span of `@effect/platform`: the `transformClient` hook every SDK user has. */
const noHttpSpan = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.withTracerDisabledWhen(client, () => true)

export const makeClient = (id: ClientId, apiUrl: string): BenchClient => {
  switch (id) {
    case "raw-undici":
      return rawUndici(apiUrl)
    case "raw-fetch":
      return rawFetch(apiUrl)
    case "clerk-backend":
      return clerkBackend(apiUrl)
    case "floor-fetch":
    case "floor-undici":
      return floor(id, apiUrl)
    case "sdk-fetch":
    case "sdk-undici":
      return sdk(id, apiUrl)
    case "sdk-undici-nospan":
      return sdk(id, apiUrl, { transformClient: noHttpSpan })
    case "probe-stream":
      return probe(id, "stream", apiUrl)
    case "probe-timeout":
      return probe(id, "timeout", apiUrl)
    case "probe-retry":
      return probe(id, "retry", apiUrl)
  }
}
