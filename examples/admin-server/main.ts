/**
 * The admin server, wired purely with layers: the HTTP API, its handlers, the audit log, the Clerk client read from
 * the environment (`CLERK_SECRET_KEY`, `CLERK_API_URL`), and the undici HTTP client of `@effect/platform-node` under it.
 *
 *   CLERK_SECRET_KEY=sk_test_… PORT=3000 node examples/dist/admin-server/main.js
 *
 * Point `CLERK_API_URL` at a running `clerk-emulator` to try it without a Clerk account.
 */
import { ClerkClient } from "@effect-clerk/client"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import { AdminApi } from "./Api.js"
import * as AuditLog from "./AuditLog.js"
import { ImpersonationsLive } from "./Impersonations.js"
import * as IssuedTokens from "./IssuedTokens.js"

/** The API with its handlers and their services — everything but the transport. */
export const AdminApiLive = HttpApiBuilder.api(AdminApi).pipe(
  Layer.provide(ImpersonationsLive),
  Layer.provide(AuditLog.layer),
  Layer.provide(IssuedTokens.layerMemory),
  Layer.provide(ClerkClient.layerConfig()),
  Layer.provide(NodeHttpClient.layerUndici)
)

const ServerLive = HttpApiBuilder.serve().pipe(
  HttpServer.withLogAddress,
  Layer.provide(AdminApiLive),
  Layer.provide(Layer.unwrapEffect(
    Effect.map(Config.withDefault(Config.port("PORT"), 3000), (port) => NodeHttpServer.layer(createServer, { port }))
  ))
)

NodeRuntime.runMain(Layer.launch(ServerLive))
