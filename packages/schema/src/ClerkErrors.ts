/**
 * The module's old name, kept so that `@effect-clerk/schema/ClerkErrors` and the `ClerkErrors` namespace go on
 * working.
 *
 * @deprecated Import `ClerkErrorBody` instead: the same schemas, under a name that is not one letter from the
 * client's `ClerkError` union.
 * @since 0.1.0
 */
export * from "./ClerkErrorBody.js"
