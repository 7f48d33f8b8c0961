import { WebhookEvent } from "@effect-clerk/schema"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import type { Delivery, HeadersInput, Reason, Secret, Secrets, SignedHeaders } from "../Webhooks.js"
import { type Keyring, makeKeyring } from "./webhooksHmac.js"

/** Why a delivery was refused, before it becomes a `WebhookVerificationError`. */
export interface Failure {
  readonly reason: Reason
  readonly message: string
}

const failure = (reason: Reason, message: string): Failure => ({ reason, message })

/** Standard Webhooks' tolerance, both ways. */
const toleranceSeconds = 5 * 60

/** Clerk's events are a few kilobytes; refusing more keeps a forged megabyte body from costing an HMAC. */
export const maxBodyBytes = 1024 * 1024

const secretPrefix = "whsec_"

/**
 * Every secret as bytes: `whsec_<base64>` or the bare base64, several in one string when separated by whitespace.
 * The messages name a secret by its position only.
 */
export const decodeSecrets = (secrets: Secrets): Either.Either<ReadonlyArray<Uint8Array>, Failure> => {
  const given = (Array.isArray(secrets) ? secrets : [secrets]) as ReadonlyArray<string | Redacted.Redacted<string>>
  const texts = given.flatMap((secret) =>
    (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret).split(/\s+/).filter((text) => text !== "")
  )
  if (texts.length === 0) return Either.left(failure("invalid-secret", "no signing secret was given"))
  const keys: Array<Uint8Array> = []
  for (const [index, text] of texts.entries()) {
    const decoded = Encoding.decodeBase64(text.startsWith(secretPrefix) ? text.slice(secretPrefix.length) : text)
    if (Either.isLeft(decoded) || decoded.right.length === 0) {
      return Either.left(
        failure("invalid-secret", `signing secret ${index + 1} of ${texts.length} is not "whsec_" followed by base64`)
      )
    }
    keys.push(decoded.right)
  }
  return Either.right(keys)
}

/** Imports the secrets once: the layer keeps the keyring, the function form makes one per call. */
export const keyringOf = (secrets: Secrets): Effect.Effect<Keyring, Failure> =>
  Either.match(decodeSecrets(secrets), {
    onLeft: Effect.fail,
    onRight: (keys) =>
      Effect.mapError(makeKeyring(keys), () => failure("invalid-secret", "a signing secret could not be imported"))
  })

/** The secrets the function forms last imported, and their keyring: a handler passes the same ones on every call. */
let lastImport: { readonly secrets: ReadonlyArray<Secret>; readonly keyring: Keyring } | undefined

const secretList = (secrets: Secrets): ReadonlyArray<Secret> => Array.isArray(secrets) ? secrets : [secrets as Secret]

/**
 * {@link keyringOf} for the function forms, which get the secrets on every call: importing them again costs more than
 * the HMAC itself. A string is the same secret when equal, a `Redacted` when it is the same value.
 */
export const keyringOfLast = (secrets: Secrets): Effect.Effect<Keyring, Failure> => {
  const list = secretList(secrets)
  const last = lastImport
  if (
    last !== undefined && last.secrets.length === list.length && last.secrets.every((secret, i) => secret === list[i])
  ) {
    return Effect.succeed(last.keyring)
  }
  return Effect.tap(keyringOf(secrets), (keyring) => {
    lastImport = { secrets: [...list], keyring }
  })
}

const families = ["svix", "webhook"].map((family) => ({
  id: `${family}-id`,
  timestamp: `${family}-timestamp`,
  signature: `${family}-signature`
}))

const headerText = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : Array.isArray(value) && value.every((item) => typeof item === "string")
    ? value.join(" ")
    : undefined

const headerGetter = (headers: HeadersInput): (name: string) => string | undefined => {
  if (typeof globalThis.Headers === "function" && headers instanceof globalThis.Headers) {
    return (name) => headers.get(name) ?? undefined
  }
  const record = headers as Readonly<Record<string, unknown>>
  let lowered: Map<string, string> | undefined
  return (name) => {
    // Servers hand over lower-case names; any other spelling is found by lowering every key, once.
    const direct = Object.hasOwn(record, name) ? headerText(record[name]) : undefined
    if (direct !== undefined) return direct
    if (lowered === undefined) {
      lowered = new Map()
      for (const [key, value] of Object.entries(record)) {
        const text = headerText(value)
        if (text !== undefined) lowered.set(key.toLowerCase(), text)
      }
    }
    return lowered.get(name)
  }
}

interface SignatureHeaders {
  readonly id: string
  /** The header as sent: it is what was signed. */
  readonly timestampText: string
  readonly timestamp: number
  readonly signatures: ReadonlyArray<Uint8Array>
}

const integerSeconds = /^[0-9]{1,15}$/
const signatureLength = 32

/**
 * The `svix-*` headers, else the `webhook-*` ones: all three from one family, since a signature covers the id and
 * timestamp sent beside it. Only `v1` entries that are base64 of 32 bytes are kept; other versions are ignored.
 */
const readHeaders = (headers: HeadersInput): Either.Either<SignatureHeaders, Failure> => {
  const get = headerGetter(headers)
  let found: { id: string; timestamp: string; signature: string } | undefined
  for (const family of families) {
    const id = get(family.id)
    const timestamp = get(family.timestamp)
    const signature = get(family.signature)
    if (id && timestamp && signature) {
      found = { id, timestamp, signature }
      break
    }
  }
  if (found === undefined) {
    return Either.left(
      failure(
        "missing-headers",
        "expected svix-id, svix-timestamp and svix-signature (or webhook-id, webhook-timestamp and webhook-signature)"
      )
    )
  }
  const timestamp = found.timestamp.trim()
  if (!integerSeconds.test(timestamp)) {
    return Either.left(failure("invalid-signature", "the timestamp header is not a whole number of seconds"))
  }
  const signatures: Array<Uint8Array> = []
  for (const entry of found.signature.split(" ")) {
    const comma = entry.indexOf(",")
    if (comma === -1 || entry.slice(0, comma) !== "v1") continue
    const decoded = Encoding.decodeBase64(entry.slice(comma + 1))
    if (Either.isRight(decoded) && decoded.right.length === signatureLength) signatures.push(decoded.right)
  }
  if (signatures.length === 0) {
    return Either.left(failure("invalid-signature", "the signature header holds no v1 signature"))
  }
  return Either.right({ id: found.id, timestampText: timestamp, timestamp: Number(timestamp), signatures })
}

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

/** Whether the body is over the limit; a string is measured in UTF-8 only when its length leaves a doubt. */
const tooLarge = (body: string | Uint8Array): boolean =>
  typeof body === "string"
    ? body.length > maxBodyBytes || (body.length * 3 > maxBodyBytes && encoder.encode(body).length > maxBodyBytes)
    : body.length > maxBodyBytes

const bodyTooLarge = failure("invalid-body", `the body is larger than ${maxBodyBytes} bytes`)

const parseEvent = (
  body: string | Uint8Array
): Either.Either<WebhookEvent.WebhookEvent, Failure> => {
  let json: unknown
  try {
    json = JSON.parse(typeof body === "string" ? body : decoder.decode(body))
  } catch {
    return Either.left(failure("invalid-body", "the body is not UTF-8 JSON"))
  }
  return Either.mapLeft(WebhookEvent.decodeUnknownEither(json), (error) => {
    // Paths only: the values are the user's data, which has no place in a log line.
    const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      issue.path.length === 0 ? "the envelope" : issue.path.join(".")
    )
    return failure("invalid-body", `the body is not a Clerk webhook event (at ${[...new Set(paths)].join(", ")})`)
  })
}

/** The timestamp against the clock, then the event: what is left to decide once the signature matches. */
const accept = (
  nowMillis: number,
  headers: SignatureHeaders,
  body: string | Uint8Array
): Either.Either<Delivery, Failure> => {
  const now = Math.floor(nowMillis / 1000)
  if (now - headers.timestamp > toleranceSeconds) {
    return Either.left(failure("timestamp-too-old", "the delivery was signed more than 5 minutes ago"))
  }
  if (headers.timestamp - now > toleranceSeconds) {
    return Either.left(failure("timestamp-too-new", "the delivery is signed more than 5 minutes ahead"))
  }
  return Either.map(
    parseEvent(body),
    (event) => ({ id: headers.id, timestamp: DateTime.unsafeMake(headers.timestamp * 1000), event })
  )
}

const noMatch = failure("invalid-signature", "no signature matches a signing secret")

const fromEither = <A>(result: Either.Either<A, Failure>): Effect.Effect<A, Failure> =>
  Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)

/**
 * Checks the signature, then the timestamp against the `Clock`, then decodes the event: a delivery that is not
 * authentic is refused before anything of its body is read. With a synchronous keyring the whole check is one step
 * on the fiber: it runs once per delivery.
 */
export const verifyDelivery = (
  keyring: Keyring,
  request: { readonly headers: HeadersInput; readonly body: string | Uint8Array }
): Effect.Effect<Delivery, Failure> => {
  const read = readHeaders(request.headers)
  if (Either.isLeft(read)) return Effect.fail(read.left)
  if (tooLarge(request.body)) return Effect.fail(bodyTooLarge)
  const headers = read.right
  const prefix = `${headers.id}.${headers.timestampText}.`
  const matchesSync = keyring.matchesSync
  if (matchesSync !== undefined) {
    return Effect.clockWith((clock) =>
      matchesSync(prefix, request.body, headers.signatures)
        ? fromEither(accept(clock.unsafeCurrentTimeMillis(), headers, request.body))
        : Effect.fail(noMatch)
    )
  }
  return Effect.flatMap(
    keyring.matches(prefix, request.body, headers.signatures),
    (authentic) =>
      authentic
        ? Effect.clockWith((clock) => fromEither(accept(clock.unsafeCurrentTimeMillis(), headers, request.body)))
        : Effect.fail(noMatch)
  )
}

/** The three `svix-*` headers of a delivery signed with the first secret. */
export const signDelivery = (
  keyring: Keyring,
  request: { readonly id: string; readonly timestamp: number; readonly body: string | Uint8Array }
): Effect.Effect<SignedHeaders, Failure> => {
  if (tooLarge(request.body)) return Effect.fail(bodyTooLarge)
  const seconds = Math.floor(request.timestamp / 1000)
  return Effect.map(keyring.sign(`${request.id}.${seconds}.`, request.body), (signature) => ({
    "svix-id": request.id,
    "svix-timestamp": String(seconds),
    "svix-signature": `v1,${Encoding.encodeBase64(signature)}`
  }))
}
