/**
 * The transports the SDK is measured over, and the one the goals are read on.
 */
export type Transport = "node-undici" | "fetch"

/**
 * THE RECOMMENDED TRANSPORT: the goals "p50 vs @clerk/backend", "req/s at c16", "revoke p50", the memory soak, the
 * response-shape rows and the cold-start and bundle rows "recommended transport" are read on the SDK over this one.
 * Switch it after reading the figures:
 *
 * - `"node-undici"`: `@effect/platform-node`'s `NodeHttpClient.layerUndici` (`makeUndici` over a new undici `Agent`);
 *   its raw row is undici's own `request()`;
 * - `"fetch"`: `@effect/platform`'s `FetchHttpClient.layer` (needs no install beyond the README's line); its raw row
 *   is Node's global `fetch`.
 */
export const recommended: Transport = "node-undici"

/** Short names, in row labels. */
export const transportLabels: Record<Transport, string> = {
  "node-undici": "NodeHttpClient.layerUndici",
  fetch: "FetchHttpClient"
}

/** Where each transport comes from, in RESULTS.md's header. */
export const transportSources: Record<Transport, string> = {
  "node-undici": "`NodeHttpClient.layerUndici` from `@effect/platform-node`",
  fetch: "`FetchHttpClient.layer` from `@effect/platform`"
}
