// What the emulator's HTTP tests share: raw requests to the emulator, in memory and over loopback, and the decoders
// of its answers.
import { ClerkErrorBody } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as TestClerk from "@effect-clerk/test-kit/TestClerk"
import { HttpClientRequest } from "@effect/platform"
import { Effect, Schema } from "effect"

/** Provides a fresh emulator and the real client over it in memory, to one test. */
export const withClerk = (options?: TestClerk.Options) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provide(effect, TestClerk.layer(options))

export const decodeErrors = Schema.decodeUnknownSync(Schema.parseJson(ClerkErrorBody.ClerkErrorBody))

/** The URL of a Backend API path on the in-memory emulator. */
export const api = (path: string): string => `${Emulator.defaultBaseUrl}/v1${path}`

/** Sends the emulator's secret key. */
export const authed = HttpClientRequest.bearerToken(Emulator.defaultSecretKey)

/** Sends a raw request to the emulator in memory and reads the whole response. */
export const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const emulator = yield* Emulator.Emulator
    const response = yield* TestClerk.httpClient(emulator).execute(request)
    const text = yield* response.text
    return { status: response.status, headers: response.headers, text }
  })

/** What a loopback request answered. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** `fetch` over loopback, the whole body read; a network failure is a typed failure carrying the error. */
export const call = (url: string, init: RequestInit = {}): Effect.Effect<Answer, unknown> =>
  Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal, ...init })
      return { status: response.status, headers: response.headers, text: await response.text() }
    },
    catch: (error) => error
  })
