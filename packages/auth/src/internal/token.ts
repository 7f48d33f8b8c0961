import { SessionClaims } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Reason } from "../SessionToken.js"
import type { Engine, SignedParts } from "./crypto.js"

/**
 * A refusal as a plain value: the synchronous steps return it instead of failing, and the verifier turns it into a
 * `SessionTokenError` once, at the edge. Messages are fixed text: nothing from the token ever goes into them.
 */
export class Refusal {
  constructor(readonly reason: Reason, readonly message: string) {}
}

export const isRefusal = (u: unknown): u is Refusal => u instanceof Refusal

/**
 * The longest token looked at. Clerk's session tokens are a few hundred bytes to a few KiB (they travel in a cookie,
 * which browsers cap at 4 KiB); anything longer is refused before any decoding.
 */
const maxTokenLength = 16 * 1024

/** Clerk's `cat` header value of a session token; any other value is another kind of token. */
const sessionTokenCategory = "cl_B7d4PD111AAA"

// Three base64url segments, the signature possibly empty (as in `alg: none`, refused by its algorithm); the character
// classes exclude ".", so the match is linear in the length.
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

export interface Parsed extends SignedParts {
  readonly kid: string | undefined
  readonly typ: unknown
  readonly cat: unknown
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// A base64url segment whose length leaves one character over encodes no whole byte: not canonical base64url.
const badLength = (segment: string): boolean => segment.length % 4 === 1

interface Header {
  readonly kid: string | undefined
  readonly typ: unknown
  readonly cat: unknown
}

const readHeader = (header: string, engine: Engine): Header | Refusal => {
  let decoded: unknown
  try {
    decoded = JSON.parse(engine.decodeText(header))
  } catch {
    return new Refusal("token-invalid", "The session token's header is not JSON")
  }
  if (!isRecord(decoded)) return new Refusal("token-invalid", "The session token's header is not a JSON object")
  if (decoded["alg"] !== "RS256") {
    return new Refusal(
      "token-invalid-algorithm",
      "The session token is not signed with RS256, the only algorithm accepted"
    )
  }
  if (decoded["crit"] !== undefined) {
    return new Refusal("token-invalid", "The session token's header names critical extensions, which are not supported")
  }
  const kid = decoded["kid"]
  if (kid !== undefined && typeof kid !== "string") {
    return new Refusal("token-invalid", "The session token's key id (kid) is not a string")
  }
  return { kid, typ: decoded["typ"], cat: decoded["cat"] }
}

// Every token of an instance carries the same header, so the last one read is kept, by its exact text.
let lastHeader: { readonly text: string; readonly engine: Engine; readonly read: Header } | undefined

const headerOf = (header: string, engine: Engine): Header | Refusal => {
  if (lastHeader !== undefined && lastHeader.text === header && lastHeader.engine === engine) return lastHeader.read
  const read = readHeader(header, engine)
  if (!isRefusal(read)) lastHeader = { text: header, engine, read }
  return read
}

/**
 * Everything checked before the key is looked up: the shape of the compact JWS, the header's JSON, `alg`, `kid` and
 * `crit`. Neither the header's claims about the token's kind nor the payload are trusted yet.
 */
export const parse = (token: string, engine: Engine): Parsed | Refusal => {
  if (token.trim().length === 0) return new Refusal("token-missing", "No session token was given")
  if (token.length > maxTokenLength) {
    return new Refusal("token-invalid", `The session token is longer than ${maxTokenLength} characters`)
  }
  if (!compactJws.test(token)) {
    return new Refusal("token-invalid", "The session token is not a JWS in compact form (three base64url segments)")
  }
  const first = token.indexOf(".")
  const second = token.indexOf(".", first + 1)
  const header = token.slice(0, first)
  const payload = token.slice(first + 1, second)
  const signature = token.slice(second + 1)
  if (badLength(header) || badLength(payload) || badLength(signature)) {
    return new Refusal("token-invalid", "The session token holds a segment that is not valid base64url")
  }
  const read = headerOf(header, engine)
  if (isRefusal(read)) return read
  return {
    header,
    payload,
    signingInput: token.slice(0, second),
    signature: engine.decode(signature),
    kid: read.kid,
    typ: read.typ,
    cat: read.cat
  }
}

/**
 * What the header says about the token's kind, read once the signature holds: `typ`, when present, is `JWT`, and
 * `cat`, when present, is a session token's.
 */
export const checkKind = (parsed: Parsed): Refusal | undefined => {
  if (parsed.typ !== undefined && (typeof parsed.typ !== "string" || parsed.typ.toUpperCase() !== "JWT")) {
    return new Refusal("token-type-mismatch", "The token's type (typ) is not a JWT session token")
  }
  if (parsed.cat !== undefined && parsed.cat !== sessionTokenCategory) {
    return new Refusal("token-type-mismatch", "The token is of another kind (cat) than a session token")
  }
  return undefined
}

/** The rules applied to the claims, resolved from the options once. */
export interface Rules {
  readonly skewMillis: number
  readonly issuer: ((iss: string) => boolean) | undefined
  readonly authorizedParties: ReadonlySet<string> | undefined
  readonly acceptPending: boolean
}

const decodeClaims = Schema.decodeUnknownEither(SessionClaims.SessionClaims)

const claimName = (error: ParseResult.ParseError): string => {
  const path = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.path ?? []
  return path.length === 0 ? "" : ` (${path.map(String).join(".")})`
}

const matchesIssuer = (issuer: (iss: string) => boolean, iss: string): boolean => {
  try {
    return issuer(iss) === true
  } catch {
    return false
  }
}

/**
 * The claims of a token whose signature holds: decoded with `SessionClaims`, then the times against `now` (epoch
 * milliseconds) within the skew, the issuer, the authorized party, the kind of subject and the session's status.
 */
export const checkClaims = (
  parsed: Parsed,
  engine: Engine,
  now: number,
  rules: Rules
): SessionClaims.SessionClaims | Refusal => {
  let payload: unknown
  try {
    payload = JSON.parse(engine.decodeText(parsed.payload))
  } catch {
    return new Refusal("token-invalid", "The session token's payload is not JSON")
  }
  if (!isRecord(payload)) return new Refusal("token-invalid", "The session token's payload is not a JSON object")
  if (typeof payload["sub"] === "string" && payload["sub"].startsWith("mch_")) {
    return new Refusal("token-type-mismatch", "The token's subject is a machine (mch_), not a user session")
  }
  const decoded = decodeClaims(payload)
  if (Either.isLeft(decoded)) {
    return new Refusal(
      "token-invalid",
      `The session token's claims are missing or malformed${claimName(decoded.left)}`
    )
  }
  const claims = decoded.right
  const { exp, iat, iss, nbf, azp } = claims.claims
  if (exp * 1000 <= now - rules.skewMillis) return new Refusal("token-expired", "The session token has expired")
  if (nbf !== undefined && nbf * 1000 > now + rules.skewMillis) {
    return new Refusal("token-not-active-yet", "The session token is not active yet (nbf)")
  }
  if (iat * 1000 > now + rules.skewMillis) {
    return new Refusal("token-iat-in-the-future", "The session token was issued in the future (iat)")
  }
  if (rules.issuer !== undefined && (iss === undefined || !matchesIssuer(rules.issuer, iss))) {
    return new Refusal("token-invalid-issuer", "The session token's issuer (iss) is not the expected one")
  }
  if (rules.authorizedParties !== undefined && azp !== undefined && !rules.authorizedParties.has(azp)) {
    return new Refusal(
      "token-invalid-authorized-parties",
      "The session token's authorized party (azp) is not one of the authorized parties"
    )
  }
  if (claims.status === "pending" && !rules.acceptPending) {
    return new Refusal("session-pending", "The session is pending: signed in with tasks left")
  }
  return claims
}
