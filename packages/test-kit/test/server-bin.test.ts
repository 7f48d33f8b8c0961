import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { beforeAll, describe, expect, it, onTestFinished } from "@effect/vitest"
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const root = path.resolve(packageDir, "../..")
const bin = path.join(packageDir, "bin", "clerk-emulator.js")

interface Running {
  readonly child: ChildProcessWithoutNullStreams
  readonly url: string
  readonly stdout: () => string
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Starts the bin; when the test ends, however it ends (a failed assertion, a timeout), the child is killed. */
const spawnBin = (args: ReadonlyArray<string>): ChildProcessWithoutNullStreams => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: "pipe" })
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  })
  return child
}

const start = (args: ReadonlyArray<string>): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawnBin(args)
    let stdout = ""
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("exit", (code, signal) => done({ code, signal }))
    )
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)
      if (match) resolve({ child, url: match[1]!, stdout: () => stdout, exit })
    })
    void exit.then(({ code }) => reject(new Error(`clerk-emulator exited with ${code} before listening`)))
  })

const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawnBin(args)
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    // "close", not "exit": the output is complete only once the pipes have closed.
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const create = (url: string, key: string = Emulator.defaultSecretKey) =>
  fetch(`${url}/v1/actor_tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ user_id: "user_1", actor: { sub: "user_admin" } })
  })

describe("the clerk-emulator bin", () => {
  // The bin runs from the package's build: bring dist/ up to date first (a no-op when `tsc -b` already ran).
  beforeAll(() => {
    execFileSync(process.execPath, [typescriptCompiler(), "-b", "packages/test-kit/tsconfig.build.json"], {
      cwd: root,
      stdio: "inherit"
    })
  }, 120_000)

  it("prints one line with the real port, serves, and exits 0 on SIGTERM", async () => {
    const server = await start(["--port", "0", "--rate-limit", "2", "--rate-window", "30"])
    expect(server.url).not.toBe("http://127.0.0.1:0")
    expect((await create(server.url)).status).toBe(200)
    expect((await create(server.url)).status).toBe(200)
    const limited = await create(server.url)
    expect(limited.status).toBe(429)
    expect(limited.headers.get("retry-after")).toBe("30")
    server.child.kill("SIGTERM")
    expect(await server.exit).toEqual({ code: 0, signal: null })
    expect(server.stdout()).toBe(`listening on ${server.url}\n`)
  })

  it("--secret-key, --no-impersonation; exits 0 on SIGINT", async () => {
    const server = await start(["--secret-key", "sk_test_other", "--no-impersonation"])
    expect((await create(server.url)).status).toBe(401)
    const refused = await create(server.url, "sk_test_other")
    expect(refused.status).toBe(402)
    server.child.kill("SIGINT")
    expect((await server.exit).code).toBe(0)
  })

  it("--quota", async () => {
    const server = await start(["--quota", "1"])
    expect((await create(server.url)).status).toBe(200)
    const over = await create(server.url)
    expect(over.status).toBe(422)
    expect(((await over.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
      "impersonation_limit_exceeded"
    )
    server.child.kill("SIGTERM")
    expect((await server.exit).code).toBe(0)
  })

  it("refuses unknown flags and bad numbers with exit code 2", async () => {
    const unknown = await run(["--bogus"])
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe("")
    expect(unknown.stderr).toContain("Usage: clerk-emulator")
    const badPort = await run(["--port", "http"])
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toContain("--port must be a whole number")
  })
})

function typescriptCompiler(): string {
  return path.join(root, "node_modules", "typescript", "bin", "tsc")
}
