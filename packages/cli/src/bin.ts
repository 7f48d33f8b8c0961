#!/usr/bin/env node
/**
 * `clerk-actor-tokens`: create and revoke Clerk actor tokens from the shell. See `clerk-actor-tokens --help`.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"
import * as InternalOutput from "./internal/output.js"

const program = Cli.run(process.argv).pipe(
  Effect.provide(Layer.mergeAll(NodeContext.layer, NodeHttpClient.layerUndici, InternalOutput.logsToStderr))
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const code = Exit.match(exit, {
      onSuccess: (value) => typeof value === "number" ? value : ExitCode.ExitCode.Ok,
      onFailure: (cause) =>
        Cause.isInterruptedOnly(cause) ? ExitCode.ExitCode.Interrupted : ExitCode.ExitCode.Unavailable
    })
    // Let Node exit on its own once stdout and stderr are flushed; after a signal, exit at once.
    process.exitCode = code
    onExit(code === ExitCode.ExitCode.Interrupted ? code : 0)
  }
})
