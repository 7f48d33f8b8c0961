import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    name: "cli",
    // The tests spawn the bin (a Node process each, ~1 s of CPU) and wait in real time: on a busy 2-core machine one
    // test can take many times its 2–4 s alone.
    testTimeout: 60_000
  }
})
