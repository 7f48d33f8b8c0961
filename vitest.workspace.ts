/**
 * The test projects of the monorepo: one per package, and the examples. The root `vitest.config.ts` reads this list into
 * `test.projects`, so the file stays the single place to add a package.
 */
export default ["packages/*/vitest.config.ts", "examples/vitest.config.ts"]
