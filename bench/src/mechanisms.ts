/**
 * The client's own per-call mechanisms, as the stubbed components (stubs.ts) and the loopback probes (probes.ts)
 * price them. The timeout, the retry driver, the body read and the depth check are the client's real code, imported
 * from its build (`packages/client/dist/internal/`, which `pnpm bench` builds first; its package exports close
 * `./internal/*` to users, not to this workspace's bench). One small piece is written here as the client writes it,
 * because it is not a module of its own there: {@link attemptSpan}, the span `makeExecute` (`internal/http.ts`) opens
 * around each attempt.
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import { type Body, read, readStream as clientReadStream } from "../../packages/client/dist/internal/body.js"

export { nestedDeeperThan } from "../../packages/client/dist/internal/json.js"
export { retryAfterFailure } from "../../packages/client/dist/internal/retry.js"
export { timeoutFail } from "../../packages/client/dist/internal/timeout.js"

/** The Effect `Stream` fold the body loop replaced (the client keeps it as the fallback for other shapes). */
export const readStream: (
  response: HttpClientResponse.HttpClientResponse
) => Effect.Effect<Body, HttpClientError.ResponseError> = clientReadStream

/** The client's body read (`internal/body.ts`). */
export const readBody: (
  response: HttpClientResponse.HttpClientResponse
) => Effect.Effect<Body, HttpClientError.ResponseError> = read

/** The span `makeExecute` (`internal/http.ts`) opens around each attempt, with the status set on success. */
export const attemptSpan = <E>(
  self: Effect.Effect<{ readonly status: number }, E>,
  attempt = 1
): Effect.Effect<{ readonly status: number }, E> =>
  Effect.useSpan(
    "http.client POST",
    {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "http.request.method": "POST",
        "url.path": "/actor_tokens",
        "clerk.operation": "create",
        "clerk.attempt": attempt
      }
    },
    (span) =>
      Effect.map(self, (raw) => {
        span.attribute("http.response.status_code", raw.status)
        return raw
      })
  )
