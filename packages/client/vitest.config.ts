import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    name: "client",
    // Type tests (test/*.test-d.ts) pin the public types: checked by tsc on every `vitest run`.
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "../../tsconfig.test.json" }
  }
})
