import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Options } from "../SessionToken.js"
import { SessionTokenConfigError } from "../SessionTokenError.js"
import type { Rules } from "./token.js"

/** Clerk's Backend API, where `GET /v1/jwks` answers the instance's keys. */
const defaultApiUrl = "https://api.clerk.com"

const defaultClockSkew = Duration.seconds(5)

export type Source =
  | { readonly _tag: "JwtKey"; readonly pem: string }
  | { readonly _tag: "Jwks"; readonly jwks: unknown }
  | { readonly _tag: "SecretKey"; readonly secretKey: Redacted.Redacted<string>; readonly apiUrl: string }

export interface Resolved {
  readonly source: Source
  readonly rules: Rules
  readonly crypto: "node:crypto" | "jose" | undefined
}

const configError = (option: string, message: string): SessionTokenConfigError =>
  new SessionTokenConfigError({ option, message })

const reveal = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

const pemHeader = "-----BEGIN PUBLIC KEY-----"
const pemFooter = "-----END PUBLIC KEY-----"

/**
 * The PEM public key in the forms it is pasted into environments: with its line breaks, on one line, or with the
 * breaks written as `\n`. The body is re-wrapped into a canonical SPKI PEM.
 */
const normalizePem = (value: string): string | undefined => {
  const body = value.replace(/\\n/g, "").replace(pemHeader, "").replace(pemFooter, "").replace(/\s+/g, "")
  if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined
  const lines = body.match(/.{1,64}/g) ?? []
  return `${pemHeader}\n${lines.join("\n")}\n${pemFooter}\n`
}

const hostPattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/

/**
 * The Frontend API URL a publishable key names: `pk_test_` or `pk_live_`, then base64 of `<host>$`.
 */
const issuerOfPublishableKey = (publishableKey: string): string | undefined => {
  const match = /^pk_(?:test|live)_([A-Za-z0-9+/=_-]+)$/.exec(publishableKey)
  if (match === null) return undefined
  let decoded: string
  try {
    decoded = atob(match[1]!.replace(/-/g, "+").replace(/_/g, "/"))
  } catch {
    return undefined
  }
  if (!decoded.endsWith("$")) return undefined
  const host = decoded.slice(0, -1)
  return hostPattern.test(host) ? `https://${host}` : undefined
}

const resolveIssuer = (
  options: Options
): Effect.Effect<((iss: string) => boolean) | undefined, SessionTokenConfigError> => {
  const issuer = options.issuer
  if (issuer === undefined) {
    if (options.publishableKey === undefined) return Effect.succeed(undefined)
    const derived = typeof options.publishableKey === "string"
      ? issuerOfPublishableKey(options.publishableKey)
      : undefined
    return derived === undefined
      ? Effect.fail(
        configError("publishableKey", "publishableKey is not a Clerk publishable key (pk_test_… or pk_live_…)")
      )
      : Effect.succeed((iss: string) => iss === derived)
  }
  if (typeof issuer === "function") return Effect.succeed(issuer)
  if (typeof issuer === "string") {
    return issuer.length > 0
      ? Effect.succeed((iss: string) => iss === issuer)
      : Effect.fail(configError("issuer", "issuer is an empty string"))
  }
  if (Array.isArray(issuer) && issuer.length > 0 && issuer.every((i) => typeof i === "string" && i.length > 0)) {
    const issuers = new Set<string>(issuer)
    return Effect.succeed((iss: string) => issuers.has(iss))
  }
  return Effect.fail(
    configError("issuer", "issuer is neither a non-empty string, a non-empty list of them, nor a predicate")
  )
}

const resolveParties = (options: Options): Effect.Effect<ReadonlySet<string> | undefined, SessionTokenConfigError> => {
  const parties = options.authorizedParties
  if (parties === undefined) return Effect.succeed(undefined)
  return Array.isArray(parties) && parties.length > 0 && parties.every((p) => typeof p === "string" && p.length > 0)
    ? Effect.succeed(new Set<string>(parties))
    : Effect.fail(configError("authorizedParties", "authorizedParties is not a non-empty list of non-empty strings"))
}

// `Duration.decode` turns a negative or NaN input into zero: those are refused before it sees them.
const negative = (input: unknown): boolean =>
  typeof input === "number"
    ? !(input >= 0)
    : typeof input === "bigint"
    ? input < 0n
    : typeof input === "string"
    ? input.trim().startsWith("-")
    : Array.isArray(input) && input.some((part) => !(Number(part) >= 0))

const resolveSkew = (options: Options): Effect.Effect<number, SessionTokenConfigError> => {
  if (options.clockSkew === undefined) return Effect.succeed(Duration.toMillis(defaultClockSkew))
  const skew = negative(options.clockSkew)
    ? undefined
    : Option.getOrUndefined(Duration.decodeUnknown(options.clockSkew))
  return skew !== undefined && Duration.isFinite(skew)
    ? Effect.succeed(Duration.toMillis(skew))
    : Effect.fail(configError("clockSkew", "clockSkew is not a finite, non-negative duration"))
}

const resolveApiUrl = (apiUrl: unknown): Effect.Effect<string, SessionTokenConfigError> => {
  if (apiUrl === undefined) return Effect.succeed(defaultApiUrl)
  const url = typeof apiUrl === "string" && URL.canParse(apiUrl) ? new URL(apiUrl) : undefined
  return url !== undefined && (url.protocol === "https:" || url.protocol === "http:") && url.search === "" &&
      url.hash === ""
    ? Effect.succeed(url.href.replace(/\/+$/, ""))
    : Effect.fail(configError("apiUrl", "apiUrl is not an http(s) URL"))
}

const resolveSource = (options: Options): Effect.Effect<Source, SessionTokenConfigError> => {
  const given = (["jwtKey", "jwks", "secretKey"] as const).filter((key) => options[key as keyof Options] !== undefined)
  if (given.length !== 1) {
    return Effect.fail(
      configError(
        given.length === 0 ? "jwtKey | jwks | secretKey" : given.join(" | "),
        "Exactly one key source is required: jwtKey, jwks or secretKey"
      )
    )
  }
  if ("jwtKey" in options && options.jwtKey !== undefined) {
    const value = options.jwtKey
    const pem = typeof value === "string" || Redacted.isRedacted(value) ? normalizePem(reveal(value)) : undefined
    return pem === undefined
      ? Effect.fail(configError("jwtKey", "jwtKey is not a PEM public key"))
      : Effect.succeed({ _tag: "JwtKey", pem })
  }
  if ("jwks" in options && options.jwks !== undefined) return Effect.succeed({ _tag: "Jwks", jwks: options.jwks })
  const { apiUrl, secretKey } = options as { readonly secretKey: unknown; readonly apiUrl?: unknown }
  const key = typeof secretKey === "string" || Redacted.isRedacted(secretKey)
    ? reveal(secretKey as string | Redacted.Redacted<string>).trim()
    : ""
  if (key.length === 0) return Effect.fail(configError("secretKey", "secretKey is empty"))
  return Effect.map(resolveApiUrl(apiUrl), (url) => ({ _tag: "SecretKey", secretKey: Redacted.make(key), apiUrl: url }))
}

/** Checks every option once, at layer build; the first bad one fails with its name. */
export const resolve = (options: Options): Effect.Effect<Resolved, SessionTokenConfigError> =>
  Effect.gen(function*() {
    const source = yield* resolveSource(options)
    const issuer = yield* resolveIssuer(options)
    const authorizedParties = yield* resolveParties(options)
    const skewMillis = yield* resolveSkew(options)
    const acceptPending = options.acceptPending ?? false
    if (typeof acceptPending !== "boolean") {
      return yield* configError("acceptPending", "acceptPending is not a boolean")
    }
    const crypto = options.crypto
    if (crypto !== undefined && crypto !== "node:crypto" && crypto !== "jose") {
      return yield* configError("crypto", "crypto is neither \"node:crypto\" nor \"jose\"")
    }
    return { source, rules: { skewMillis, issuer, authorizedParties, acceptPending }, crypto }
  })
