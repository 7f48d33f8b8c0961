/**
 * The transports the SDK is measured over, and the one the goals are read on.
 */
export type Transport = "undici" | "node-undici" | "fetch"

/**
 * THE RECOMMENDED TRANSPORT: the goals "p50 vs @clerk/backend", "req/s at c16", "revoke p50", the memory soak, the
 * response-shape rows and the cold-start and bundle rows "recommended transport" are read on the SDK over this one.
 * Switch it after reading the figures:
 *
 * - `"undici"`: the project's own `UndiciHttpClient.layer` (`@effect-clerk/client/UndiciHttpClient`);
 * - `"node-undici"`: `@effect/platform-node`'s `NodeHttpClient.layerUndici` (`makeUndici` over a new `Agent`);
 * - `"fetch"`: `@effect/platform`'s `FetchHttpClient.layer` (the README's quick start).
 */
export const recommended: Transport = "undici"

export const transportLabels: Record<Transport, string> = {
  undici: "UndiciHttpClient",
  "node-undici": "NodeHttpClient.makeUndici",
  fetch: "FetchHttpClient"
}
