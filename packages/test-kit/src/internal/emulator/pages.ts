/**
 * The HTML the emulator answers with: the ticket page (what opening a token's `url` shows; it stands for Clerk's
 * Frontend API), and the error page of a reverse proxy in front of the API.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { StoredToken } from "../../EmulatorModel.js"
import type { Rejection } from "./tokens.js"

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

// `body` is HTML: escape what it quotes.
const page = (status: number, title: string, body: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${body}</p></body></html>\n`,
    { status, contentType: "text/html; charset=utf-8" }
  )

/** @internal 200: signed in as the token's user, impersonated by its `actor.sub`. */
export const signedIn = (token: StoredToken): HttpServerResponse.HttpServerResponse =>
  page(
    200,
    "Signed in",
    `Signed in as <strong>${escapeHtml(token.userId)}</strong>` +
      (token.actor !== null && typeof token.actor["sub"] === "string"
        ? `, impersonated by <strong>${escapeHtml(token.actor["sub"])}</strong>.`
        : ".")
  )

/** @internal 400: the link has no ticket. */
export const noTicket: HttpServerResponse.HttpServerResponse = page(400, "Sign-in failed", "The link has no ticket.")

const rejectionStatus: Record<Rejection["reason"], number> = {
  NotFound: 404,
  Expired: 400,
  AlreadyAccepted: 400,
  Revoked: 400
}

/** @internal 404 for an unknown ticket, 400 for a used, revoked or expired one. */
export const rejected = (rejection: Rejection): HttpServerResponse.HttpServerResponse =>
  page(rejectionStatus[rejection.reason], "Sign-in failed", escapeHtml(rejection.message))

const reasonPhrases: Record<number, string> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/** @internal What a reverse proxy in front of an API answers when the upstream fails: HTML, not JSON. */
export const gateway = (status: number): HttpServerResponse.HttpServerResponse => {
  const title = `${status} ${reasonPhrases[status] ?? "Error"}`
  return HttpServerResponse.text(
    `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n` +
      `<hr><center>emulated proxy</center>\n</body>\n</html>\n`,
    { status, contentType: "text/html" }
  )
}
