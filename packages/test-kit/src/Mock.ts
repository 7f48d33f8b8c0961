/**
 * A scripted mock transport: a `ClerkClient` over a fake `HttpClient` that answers each route with the replies a
 * test lists, and records every request the client sent. The real client code — request building, encoding,
 * retries, timeouts, error mapping, decoding — runs unchanged above it.
 *
 * @since 0.1.0
 */
import { ClerkClient, type ClerkError } from "@effect-clerk/client"
import { ActorToken, ClerkErrorBody, Ids, Jwks, Session, SessionToken } from "@effect-clerk/schema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { Operation } from "./Emulator.js"
import { defaultSecretKey } from "./internal/emulator/options.js"
import * as InternalMock from "./internal/mock.js"

/**
 * One scripted answer.
 *
 * - `Respond`: an HTTP response; `body` is sent as it is (a string) or as JSON (anything else).
 * - `Fail`: no response — a transport failure whose cause carries a Node error `code` (`ECONNREFUSED`,
 *   `ECONNRESET`, `ENOTFOUND`, …), as `fetch` reports it.
 * - `Stall`: never answers; the client's timeout ends the attempt.
 *
 * Each may wait `delay` first (on the Effect `Clock`, so `TestClock` drives it).
 *
 * @since 0.1.0
 * @category models
 */
export type Reply =
  | {
    readonly _tag: "Respond"
    readonly status: number
    readonly body?: unknown
    readonly headers?: Readonly<Record<string, string>>
    readonly delay?: Duration.DurationInput
  }
  | { readonly _tag: "Fail"; readonly code: string; readonly delay?: Duration.DurationInput }
  | { readonly _tag: "Stall" }

/**
 * A request the client sent, as the mock saw it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly route: Operation | undefined
  readonly method: string
  /** The URL path, e.g. `/v1/actor_tokens/act_123/revoke`. */
  readonly path: string
  /** The query parameters, e.g. `{ user_id: "user_1", paginated: "true" }` (a repeated name keeps its last value). */
  readonly query: Readonly<Record<string, string>>
  /** Lower-cased header names; the `authorization` value is replaced by `<redacted>`. */
  readonly headers: Readonly<Record<string, string>>
  /** The `Authorization` header, kept `Redacted`, for tests that check which key was sent. */
  readonly authorization: Redacted.Redacted<string> | undefined
  /** The JSON body, parsed; `undefined` when the request had none. */
  readonly body: unknown
}

/**
 * Every request the mock transport received, in order.
 *
 * @since 0.1.0
 * @category tags
 */
export class MockRecorder extends Context.Tag("@effect-clerk/test-kit/MockRecorder")<MockRecorder, {
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly count: (route?: Operation) => Effect.Effect<number>
}>() {}

/**
 * The replies per route, consumed in order; the last reply of a route repeats for every later request. A route with
 * no script answers 418, which the client reports as `ClerkUnexpectedStatus` — never retried, so it shows at once.
 *
 * @since 0.1.0
 * @category models
 */
export type Script = { readonly [R in Operation]?: Reply | ReadonlyArray<Reply> }

/**
 * A JSON (or, for a string, raw) response.
 *
 * @since 0.1.0
 * @category replies
 */
export const respond = (
  status: number,
  body?: unknown,
  options?: { readonly headers?: Readonly<Record<string, string>>; readonly delay?: Duration.DurationInput }
): Reply => ({ _tag: "Respond", status, body, ...options })

const encodeActorToken = Schema.encodeSync(ActorToken.ActorToken)
const encodeErrorBody = Schema.encodeSync(ClerkErrorBody.ClerkErrorBody)
const encodeSessionList = Schema.encodeSync(Session.SessionList)

/**
 * A 200 with an actor token's wire JSON, encoded by the schema package (fields default to a pending token).
 *
 * @since 0.1.0
 * @category replies
 */
export const actorToken = (
  fields: Partial<ConstructorParameters<typeof ActorToken.ActorToken>[0]> = {},
  options?: { readonly headers?: Readonly<Record<string, string>>; readonly delay?: Duration.DurationInput }
): Reply =>
  respond(
    200,
    encodeActorToken(
      new ActorToken.ActorToken({
        id: Ids.ActorTokenId.make("act_2EL6mQKzeUtoRwGuLZsznyfkIsH"),
        status: "pending",
        userId: Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"),
        actor: { sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rc" },
        token: Redacted.make("mock_ticket_token"),
        url: Redacted.make("https://accounts.mock.test/v1/tickets/accept?ticket=mock_ticket_token"),
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_000,
        ...fields
      })
    ),
    options
  )

/**
 * A session, as the domain value `Session.Session`, with fields defaulting to an active impersonated session.
 *
 * @since 0.1.0
 * @category replies
 */
export const sessionValue = (
  fields: Partial<ConstructorParameters<typeof Session.Session>[0]> = {}
): Session.Session =>
  new Session.Session({
    id: Ids.SessionId.make("sess_2EL6mQKzeUtoRwGuLZsznyfkIsH"),
    userId: Ids.UserId.make("user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb"),
    clientId: Ids.ClientId.make("client_2EL6mQKzeUtoRwGuLZsznyfkIsH"),
    actor: { sub: "user_2OEpKhcCN1Lat9NQ0G6puh7q5Rc" },
    status: "active",
    lastActiveAt: 1_700_000_000_000,
    expireAt: 1_700_001_800_000,
    abandonAt: 1_702_592_000_000,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...fields
  })

/**
 * A 200 with a session's wire JSON (see {@link sessionValue} for the defaults).
 *
 * @since 0.1.0
 * @category replies
 */
export const session = (
  fields: Partial<ConstructorParameters<typeof Session.Session>[0]> = {},
  options?: { readonly headers?: Readonly<Record<string, string>>; readonly delay?: Duration.DurationInput }
): Reply => respond(200, Schema.encodeSync(Session.Session)(sessionValue(fields)), options)

/**
 * A 200 with a page of the session list: `{ data, total_count }` (what Clerk answers to `paginated=true`) when
 * `totalCount` is given, else the bare array.
 *
 * @since 0.1.0
 * @category replies
 */
export const sessionList = (
  sessions: ReadonlyArray<Session.Session>,
  options?: {
    readonly totalCount?: number
    readonly headers?: Readonly<Record<string, string>>
    readonly delay?: Duration.DurationInput
  }
): Reply => {
  const { totalCount, ...rest } = options ?? {}
  return respond(
    200,
    encodeSessionList(totalCount === undefined ? { data: sessions } : { data: sessions, totalCount }),
    rest
  )
}

/**
 * A 200 with a minted session token, `{ "object": "token", "jwt": … }`, encoded by the schema package.
 *
 * @since 0.1.0
 * @category replies
 */
export const sessionToken = (
  jwt: string,
  options?: { readonly headers?: Readonly<Record<string, string>>; readonly delay?: Duration.DurationInput }
): Reply =>
  respond(
    200,
    Schema.encodeSync(SessionToken.SessionToken)(new SessionToken.SessionToken({ jwt: Redacted.make(jwt) })),
    options
  )

/**
 * A 200 with a key set, `{ "keys": [...] }`, encoded by the schema package.
 *
 * @since 0.1.0
 * @category replies
 */
export const jwks = (
  keys: ReadonlyArray<Jwks.Jwk>,
  options?: { readonly headers?: Readonly<Record<string, string>>; readonly delay?: Duration.DurationInput }
): Reply => respond(200, Schema.encodeSync(Jwks.Jwks)({ keys }), options)

/**
 * An error status with Clerk's error body (one entry), encoded by the schema package.
 *
 * @since 0.1.0
 * @category replies
 */
export const clerkError = (
  status: number,
  code: string,
  longMessage: string,
  options?: {
    readonly headers?: Readonly<Record<string, string>>
    readonly delay?: Duration.DurationInput
    readonly clerkTraceId?: string
  }
): Reply =>
  respond(
    status,
    encodeErrorBody({
      errors: [{ code, message: code.replace(/_/g, " "), longMessage }],
      ...(options?.clerkTraceId === undefined ? {} : { clerkTraceId: options.clerkTraceId })
    }),
    options
  )

/**
 * A transport failure with the given Node error code (default `ECONNRESET`).
 *
 * @since 0.1.0
 * @category replies
 */
export const fail = (code = "ECONNRESET", options?: { readonly delay?: Duration.DurationInput }): Reply => ({
  _tag: "Fail",
  code,
  ...options
})

/**
 * No answer, ever.
 *
 * @since 0.1.0
 * @category replies
 */
export const stall: Reply = { _tag: "Stall" }

type Queues = { readonly [R in Operation]?: ReadonlyArray<Reply> }

const unscripted: Reply = respond(418, { errors: [{ code: "mock_not_scripted", message: "no scripted reply" }] })

/**
 * The fake `HttpClient` and its recorder, for tests that build their own `ClerkClient` layer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  script: Script
): Effect.Effect<{ readonly httpClient: HttpClient.HttpClient; readonly recorder: MockRecorder["Type"] }> =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<ReadonlyArray<RecordedRequest>>([])
    const queues = yield* Ref.make<Queues>(
      Object.fromEntries(
        Object.entries(script).map(([route, replies]) => [route, Array.isArray(replies) ? replies : [replies]])
      )
    )
    const next = (route: Operation | undefined) =>
      Ref.modify(queues, (state): [Reply, Queues] => {
        const queue = route === undefined ? undefined : state[route]
        if (route === undefined || queue === undefined || queue.length === 0) return [unscripted, state]
        return [queue[0]!, queue.length > 1 ? { ...state, [route]: queue.slice(1) } : state]
      })
    const httpClient = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const recorded = InternalMock.record(request, url)
        yield* Ref.update(requests, (all) => [...all, recorded])
        return yield* InternalMock.answer(request, yield* next(recorded.route))
      })
    )
    const recorder: MockRecorder["Type"] = {
      requests: Ref.get(requests),
      count: (route) =>
        Ref.get(requests).pipe(
          Effect.map((all) => route === undefined ? all.length : all.filter((r) => r.route === route).length)
        )
    }
    return { httpClient, recorder }
  })

/**
 * A `ClerkClient` over the scripted transport, plus the `MockRecorder`. Client options may be overridden (retries,
 * timeout, …); the default API URL is `https://api.clerk.test`, the default key `Emulator.defaultSecretKey`.
 *
 * @example
 * ```ts
 * import { ActorTokens } from "@effect-clerk/client"
 * import { Mock } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const MockLive = Mock.layer({ revoke: [Mock.respond(503), Mock.actorToken({ status: "revoked" })] })
 * const program = ActorTokens.revoke("act_123").pipe(Effect.provide(MockLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  script: Script,
  options: Partial<ClerkClient.Options> = {}
): Layer.Layer<ClerkClient.ClerkClient | MockRecorder, ClerkError.ClerkConfigError> =>
  Layer.unwrapEffect(
    Effect.map(make(script), ({ httpClient, recorder }) =>
      ClerkClient.layer({
        secretKey: Redacted.make(defaultSecretKey),
        apiUrl: "https://api.clerk.test",
        ...options
      }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)),
        Layer.merge(Layer.succeed(MockRecorder, recorder))
      ))
  )
