import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

export default mergeConfig(shared, {
  test: {
    name: "cli",
    // The smoke test spawns the bin (a Node process, ~1 s of CPU) and waits in real time, and the in-process tests
    // start loopback emulators: on a busy 2-core machine one test can take many times its time alone.
    testTimeout: 60_000
  }
})
