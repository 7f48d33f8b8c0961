/** @internal The published version of `@effect-clerk/cli`; a test keeps it equal to `package.json`. */
export const version = "0.0.0"
