// `EmulatorServer`'s `host` option, and the `--host` / `--base-url` flags of the `clerk-emulator` bin. Only loopback
// addresses are used: 127.0.0.2 is loopback too, and shows the server listens where it is told, and only there.
import { ActorToken } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import * as EmulatorServer from "@effect-clerk/test-kit/EmulatorServer"
import { assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { origin } from "../src/internal/node.js"

const decodeToken = Schema.decodeUnknownSync(Schema.parseJson(ActorToken.ActorToken))

const create = (url: string) =>
  fetch(`${url}/v1/actor_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${Emulator.defaultSecretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ user_id: "user_1", actor: { sub: "user_admin" } })
  })

/** The `code` of a fetch failure's cause, as undici reports a refused connection. */
const causeCode = (error: unknown): unknown => (error as { cause?: { code?: unknown } }).cause?.code

describe("EmulatorServer's host option", () => {
  it.scoped("listens on the given address only, and names it in url and ticket URLs", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make({ host: "127.0.0.2" })
      expect(server.url).toBe(`http://127.0.0.2:${server.port}`)
      const response = yield* Effect.promise(() => create(server.url))
      expect(response.status).toBe(200)
      const token = decodeToken(yield* Effect.promise(() => response.text()))
      assert(token.url != null)
      expect(Redacted.value(token.url)).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.2:${server.port}/v1/tickets/accept\\?`)
      )
      const elsewhere = yield* Effect.flip(Effect.tryPromise(() => create(`http://127.0.0.1:${server.port}`)))
      expect(causeCode(elsewhere.cause)).toBe("ECONNREFUSED")
    }), 30_000)

  it.scoped("defaults to 127.0.0.1", () =>
    Effect.gen(function*() {
      const server = yield* EmulatorServer.make()
      expect(EmulatorServer.hostname).toBe("127.0.0.1")
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    }), 30_000)

  it.scoped("an empty host, or an address not on this machine: EmulatorServerError", () =>
    Effect.gen(function*() {
      const empty = yield* Effect.flip(EmulatorServer.make({ host: " " }))
      assert(empty._tag === "EmulatorServerError")
      expect(empty.message).toContain("host")
      // 192.0.2.0/24 is reserved for documentation: no interface has it, and binding fails before any packet is sent.
      const absent = yield* Effect.flip(EmulatorServer.make({ host: "192.0.2.1" }))
      assert(absent._tag === "EmulatorServerError")
      expect(absent.code).toBe("EADDRNOTAVAIL")
      expect(absent.message).toContain("cannot listen on 192.0.2.1:0")
    }), 30_000)

  it("puts an IPv6 address in brackets in the origin, a valid URL", () => {
    expect(origin("127.0.0.1", 80)).toBe("http://127.0.0.1:80")
    expect(origin("::1", 8080)).toBe("http://[::1]:8080")
    expect(origin("fe80::1%eth0", 8080)).toBe("http://[fe80::1]:8080")
    expect(new URL(origin("::", 0)).host).toBe("[::]:0")
  })
})

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")
const bin = path.join(packageDir, "bin", "clerk-emulator.js")

interface Child {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
}

const spawnBin = (args: ReadonlyArray<string>): Child => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: "pipe" })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exit }
}

/** Waits for the line `listening on <url>`, or fails when the bin exits first. */
const listening = (running: Child): Promise<string> =>
  new Promise((resolve, reject) => {
    const check = () => {
      const match = /^listening on (\S+)\n/.exec(running.stdout())
      if (match) resolve(match[1]!)
    }
    running.child.stdout.on("data", check)
    check()
    void running.exit.then((code) => reject(new Error(`clerk-emulator exited with ${code}: ${running.stderr()}`)))
  })

/** Ends a child that may still run; a no-op once it has exited. */
const stop = (running: Child): void => {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill("SIGKILL")
}

describe("the clerk-emulator bin's --host and --base-url", () => {
  // The bin runs from the package's build: bring dist/ up to date first (a no-op when `tsc -b` already ran).
  beforeAll(() => {
    execFileSync(
      process.execPath,
      [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/test-kit/tsconfig.build.json"],
      { cwd: root, stdio: "inherit" }
    )
  }, 180_000)

  it("listens on --host, prints it in the one line, and puts --base-url in ticket URLs", async () => {
    const running = spawnBin(["--host", "127.0.0.2", "--base-url", "http://emulator.internal:8080/"])
    try {
      const url = await listening(running)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/)
      expect(url).not.toBe("http://127.0.0.2:0")
      const response = await create(url)
      expect(response.status).toBe(200)
      const token = decodeToken(await response.text())
      assert(token.url != null && token.token != null)
      expect(Redacted.value(token.url)).toBe(
        `http://emulator.internal:8080/v1/tickets/accept?ticket=${Redacted.value(token.token)}`
      )
      running.child.kill("SIGTERM")
      expect(await running.exit).toBe(0)
      expect(running.stdout()).toBe(`listening on ${url}\n`)
    } finally {
      stop(running)
    }
  }, 60_000)

  it.each([
    [["--host", ""], "--host must not be empty"],
    [["--base-url", "ftp://emulator.internal"], "baseUrl must be an absolute http(s) URL"],
    [["--base-url", "http://emulator.internal/?x=1"], "baseUrl must not have a query or a fragment"]
  ])("%j: exit code 2 and the reason", async (args, reason) => {
    const running = spawnBin(args)
    try {
      expect(await running.exit).toBe(2)
      expect(running.stdout()).toBe("")
      expect(running.stderr()).toContain(reason)
      expect(running.stderr()).toContain("Usage: clerk-emulator")
    } finally {
      stop(running)
    }
  }, 60_000)

  it("an address not on this machine: exit code 1, naming it", async () => {
    const running = spawnBin(["--host", "192.0.2.1"])
    try {
      expect(await running.exit).toBe(1)
      expect(running.stderr()).toContain("cannot listen on 192.0.2.1:0")
      expect(running.stderr()).toContain("EADDRNOTAVAIL")
    } finally {
      stop(running)
    }
  }, 60_000)
})
