/**
 * The checks every Backend API request passes before its operation, as pure functions of the request's headers and
 * URL: the API version (400) and the secret key (401). The rate limit, checked after them, is `rateWindow.ts`.
 */
import * as Option from "effect/Option"
import { type ErrorEntry, errors } from "../wire.js"

const apiVersionPattern = /^\d{4}-\d{2}-\d{2}$/
const bearerPattern = /^Bearer +(\S+)$/i

/**
 * @internal The `api_version_invalid` entry for a version sent both as the `Clerk-API-Version` header and the
 * `__clerk_api_version` query parameter, or not shaped `YYYY-MM-DD`; `None` when there is none or a valid one.
 */
export const checkApiVersion = (header: string | undefined, url: string): Option.Option<ErrorEntry> => {
  const query = new URLSearchParams(url.split("?")[1] ?? "").get("__clerk_api_version")
  if (header !== undefined && query !== null) {
    return Option.some(
      errors.apiVersionInvalid("Send the API version either as a header or as a query parameter, not both.")
    )
  }
  const version = header ?? query
  if (version !== null && !apiVersionPattern.test(version)) {
    return Option.some(errors.apiVersionInvalid(`The API version ${version} is invalid.`))
  }
  return Option.none()
}

/** @internal The 401 entry for an `Authorization` header that is missing, not `Bearer <key>`, or another key. */
export const checkAuthentication = (header: string | undefined, secretKey: string): Option.Option<ErrorEntry> => {
  if (header === undefined || header.trim() === "") return Option.some(errors.authenticationInvalid())
  const match = bearerPattern.exec(header.trim())
  if (match === null) return Option.some(errors.authorizationHeaderFormatInvalid())
  return match[1] === secretKey ? Option.none() : Option.some(errors.clerkKeyInvalid())
}
