// The clerk-emulator bin's webhook flags: --webhook-url and --webhook-secret, repeatable and paired in order.
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { beforeAll, describe, expect, it, onTestFinished } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Webhook as SvixWebhook } from "svix"
import * as Receiver from "./webhookReceiver.js"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")
const bin = path.join(packageDir, "bin", "clerk-emulator.js")

const secretA = `whsec_${Buffer.from("bin-webhook-secret-A").toString("base64")}`
const secretB = `whsec_${Buffer.from("bin-webhook-secret-B").toString("base64")}`

/** Starts the bin; when the test ends, however it ends, the child is killed. */
const spawnBin = (args: ReadonlyArray<string>): ChildProcessWithoutNullStreams => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: "pipe" })
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  })
  return child
}

const start = (args: ReadonlyArray<string>) =>
  new Promise<{ child: ChildProcessWithoutNullStreams; url: string; exit: Promise<number | null> }>(
    (resolve, reject) => {
      const child = spawnBin(args)
      let stdout = ""
      const exit = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)
        if (match) resolve({ child, url: match[1]!, exit })
      })
      void exit.then((code) => reject(new Error(`clerk-emulator exited with ${code} before listening`)))
    }
  )

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawnBin(args)
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("close", (code) => resolve({ code, stderr }))
  })

describe("the clerk-emulator bin's webhook flags", () => {
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/test-kit/tsconfig.build.json"],
      { cwd: root, stdio: "inherit" }
    )
  }, 120_000)

  it.live(
    "delivers each event to every --webhook-url, signed with the --webhook-secret in the same position",
    () =>
      Effect.gen(function*() {
        const a = yield* Receiver.start()
        const b = yield* Receiver.start()
        const server = yield* Effect.promise(() =>
          start([
            "--webhook-url",
            a.url,
            "--webhook-secret",
            secretA,
            "--webhook-url",
            b.url,
            "--webhook-secret",
            secretB
          ])
        )
        const created = yield* Effect.promise(() =>
          fetch(`${server.url}/v1/actor_tokens`, {
            method: "POST",
            headers: { authorization: `Bearer ${Emulator.defaultSecretKey}`, "content-type": "application/json" },
            body: JSON.stringify({ user_id: "user_target", actor: { sub: "user_support" } })
          }).then((response) => response.json() as Promise<{ url: string }>)
        )
        const opened = yield* Effect.promise(() => fetch(created.url))
        expect(opened.status).toBe(200)
        for (const [receiver, secret] of [[a, secretA], [b, secretB]] as const) {
          const [delivery] = yield* receiver.waitFor(1)
          const event = new SvixWebhook(secret).verify(delivery!.body, delivery!.headers) as {
            type: string
            data: { actor: unknown }
          }
          expect(event.type).toBe("session.created")
          expect(event.data.actor).toEqual({ sub: "user_support" })
        }
        server.child.kill("SIGTERM")
        expect(yield* Effect.promise(() => server.exit)).toBe(0)
      }).pipe(Effect.scoped),
    30_000
  )

  it("refuses unpaired flags and a bad secret with exit code 2, never printing the secret", async () => {
    const unpaired = await run(["--webhook-url", "http://127.0.0.1:9/h"])
    expect(unpaired.code).toBe(2)
    expect(unpaired.stderr).toContain("got 1 URLs and 0 secrets")
    expect(unpaired.stderr).toContain("Usage: clerk-emulator")
    const badSecret = await run(["--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret", "not-a-secret-XYZ"])
    expect(badSecret.code).toBe(2)
    expect(badSecret.stderr).toContain("webhooks.0.secret")
    expect(badSecret.stderr).not.toContain("not-a-secret-XYZ")
    const badUrl = await run(["--webhook-url", "ftp://127.0.0.1/h", "--webhook-secret", secretA])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain("webhooks.0.url")
  }, 30_000)
})
