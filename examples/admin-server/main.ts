/**
 * The admin server, wired purely with layers: the HTTP API, its handlers, the audit logs, the Clerk client read from
 * the environment (`CLERK_SECRET_KEY`, `CLERK_API_URL`), the session-token verifier (`CLERK_JWT_KEY`, else the keys
 * fetched with `CLERK_SECRET_KEY`; `CLERK_PUBLISHABLE_KEY` sets the expected issuer), the webhook verifier
 * (`CLERK_WEBHOOK_SIGNING_SECRET`), and the undici HTTP client of `@effect/platform-node` under them.
 *
 *   CLERK_SECRET_KEY=sk_test_… CLERK_WEBHOOK_SIGNING_SECRET=whsec_… PORT=3000 node examples/dist/admin-server/main.js
 *
 * Point `CLERK_API_URL` at a running `clerk-emulator` to try it without a Clerk account.
 */
import { ClerkAuth, SessionToken, Webhooks } from "@effect-clerk/auth"
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
import { ApplicationLive } from "./Application.js"
import * as AuditLog from "./AuditLog.js"
import { AuditLive, ClerkWebhooksLive } from "./ClerkWebhooks.js"
import { ImpersonationsLive } from "./Impersonations.js"
import * as ImpersonationTrail from "./ImpersonationTrail.js"
import * as IssuedTokens from "./IssuedTokens.js"

/** The API with its handlers and their services — everything but the transport. */
export const AdminApiLive = HttpApiBuilder.api(AdminApi).pipe(
  Layer.provide([ImpersonationsLive, ApplicationLive, ClerkWebhooksLive, AuditLive]),
  Layer.provide([ClerkAuth.layer, ClerkAuth.layerNoImpersonation()]),
  Layer.provide([
    AuditLog.layer,
    IssuedTokens.layerMemory,
    ImpersonationTrail.layerMemory,
    ClerkClient.layerConfig(),
    SessionToken.layerConfig(),
    Webhooks.layerConfig()
  ]),
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
