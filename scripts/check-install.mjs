// What a new user meets first, checked with the packed packages: README.md's install lines, run as they are written
// into an empty npm project and an empty pnpm project (the `@effect-clerk/*` names replaced by the tarballs), give one
// copy of Effect 3 and of the client; README.md's first example type-checks and, run with node against the
// `clerk-emulator` those lines installed, creates a token. Every install line of every README pins the Effect 3
// versions, and every README says that Effect 4 is not supported yet. The example, its emulator and the demo
// (`examples/dist/demo/main.js`) run on this machine's Node and on each supported line, Node 22 and 24, fetched once
// as the registry's `node` package (`npx -y node@22`); the packing and the installs are shared by all of them.
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pack, packages, root } from "./pack.mjs"

/** The versions that work together (Effect 4 is not supported yet): an install line must name each one so. */
const pinned = {
  "effect": "^3.22.4",
  "@effect/platform": "^0.97.2",
  "@effect/platform-node": "^0.108",
  "@effect/vitest": "^0.30.0",
  "vitest": "^3.2.0",
  "undici": "^7"
}
const readmes = [
  "README.md",
  ...packages.map((name) => `packages/${name}/README.md`),
  "examples/README.md",
  "examples/admin-server/README.md"
]
const notSupported = "Effect 4 is not supported yet"
const installTimeout = 300_000
const runTimeout = 60_000
/** The Node lines `engines` supports beside this machine's own: each runs the example, its emulator and the demo. */
const nodeLines = ["22", "24"]

/**
 * A new user's environment: without the `npm_*` / `pnpm_*` variables `pnpm run` sets for this repository (its
 * package, its settings) but for those that say how to reach the registry (registry, auth, proxy, certificates), and
 * without `CLERK_*` (the example gets its own).
 */
const userEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) =>
    (!/^p?npm_/i.test(key) || /registry|auth|token|proxy|cafile|_ca$|strict_ssl/i.test(key)) && !/^CLERK_/.test(key)
  )
)

const fail = (message) => {
  throw new Error(message)
}

/** Runs a command with stdin closed; resolves with its exit code, output and duration, whatever the exit code. */
const exec = (cmd, args, { cwd, env = userEnv, timeout }) =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeout / 1000} s]`
      process.kill(-child.pid, "SIGKILL")
    }, timeout)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output, ms: Date.now() - started })
    })
  })

/** The lines of README.md's Install section, its shell lines by command, and its first TypeScript example. */
const readInstallSection = () => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = /^## Install\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? fail("README.md has no Install section")
  const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map(([, lang, body]) => ({ lang, body }))
  const shell = blocks.filter((block) => block.lang === "sh").flatMap((block) => block.body.split("\n"))
  const example = blocks.find((block) => block.lang === "ts")?.body ?? fail("README.md's Install has no ts block")
  const lines = (prefix) => shell.filter((line) => line.startsWith(`${prefix} `))
  return { npm: lines("npm install"), pnpm: lines("pnpm add"), example }
}

/** Every install line of every README pins the Effect 3 versions; every README says Effect 4 is not supported. */
const checkReadmes = () => {
  const problems = []
  for (const file of readmes) {
    const text = readFileSync(join(root, file), "utf8")
    if (!file.startsWith("examples/") && !text.replace(/\s+/g, " ").includes(notSupported)) {
      problems.push(`${file}: does not say "${notSupported}"`)
    }
    for (const line of text.split("\n")) {
      const command = /^\s*(?:\$ )?(npm (?:install|i|add)|pnpm add|yarn add)\s(.*)$/.exec(line)
      if (command === null) continue
      for (const arg of command[2].replace(/#.*/, "").trim().split(/\s+/)) {
        const at = arg.lastIndexOf("@")
        const [name, range] = at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined]
        if (name in pinned && range !== pinned[name]) {
          problems.push(`${file}: "${line.trim()}" installs ${arg}, not ${name}@${pinned[name]}`)
        }
      }
    }
  }
  if (problems.length > 0) fail(`install lines:\n  ${problems.join("\n  ")}`)
}

/** One realpath for `pkg` wherever it is resolved from: the project and each of `from` (installed packages). */
const oneCopy = (project, pkg, from) => {
  const resolveFrom = (dir) => realpathSync(createRequire(join(dir, "package.json")).resolve(`${pkg}/package.json`))
  const own = resolveFrom(project)
  for (const dependent of from) {
    const dir = dirname(realpathSync(createRequire(join(project, "package.json")).resolve(`${dependent}/package.json`)))
    const theirs = resolveFrom(dir)
    if (theirs !== own) fail(`two copies of ${pkg}: ${own} for the project, ${theirs} for ${dependent}`)
  }
  return JSON.parse(readFileSync(own, "utf8")).version
}

/** The installed `clerk-emulator` bin's script (pnpm's `.bin` entries are shell wrappers that run the PATH's node). */
const emulatorScript = (project) => {
  const manifest = createRequire(join(project, "package.json")).resolve("@effect-clerk/test-kit/package.json")
  return join(dirname(manifest), JSON.parse(readFileSync(manifest, "utf8")).bin["clerk-emulator"])
}

/** Starts the installed `clerk-emulator` with `node` on a free loopback port; resolves once it prints its url. */
const startEmulator = (project, node) =>
  new Promise((resolve, reject) => {
    const child = spawn(node, [emulatorScript(project), "--port", "0"], {
      cwd: project,
      env: userEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true
    })
    let output = ""
    const stop = () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done()
        const force = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5_000)
        child.once("exit", () => {
          clearTimeout(force)
          done()
        })
        process.kill(-child.pid, "SIGTERM")
      })
    const timer = setTimeout(() => {
      stop().then(() => reject(new Error(`clerk-emulator printed no url within 30 s:\n${output}`)))
    }, 30_000)
    child.stderr.on("data", (chunk) => (output += chunk))
    child.stdout.on("data", (chunk) => {
      output += chunk
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (url !== undefined) {
        clearTimeout(timer)
        resolve({ url, stop })
      }
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`clerk-emulator exited (${code}) before printing its url:\n${output}`))
    })
  })

const tsconfig = {
  compilerOptions: {
    strict: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "DOM"],
    types: [],
    skipLibCheck: true,
    noEmit: true
  },
  files: ["example.ts"]
}

/** Runs the example with `runtime`'s node against the installed emulator started with it; the token exists there. */
const runExample = async (manager, project, runtime, secretKey) => {
  const emulator = await startEmulator(project, runtime.node)
  try {
    const exampleEnv = { ...userEnv, CLERK_SECRET_KEY: secretKey, CLERK_API_URL: emulator.url }
    const ran = await exec(runtime.node, ["example.js"], { cwd: project, env: exampleEnv, timeout: runTimeout })
    const where = `${manager}, Node ${runtime.version}`
    if (ran.code !== 0) fail(`${where}: README.md's example failed (exit ${ran.code}):\n${ran.output}`)
    const id = /created (act_[A-Za-z0-9]+)/.exec(ran.output)?.[1]
    if (id === undefined) fail(`${where}: README.md's example logged no "created act_…":\n${ran.output}`)
    // The token exists on the emulator: a revoke revokes it if it is still pending, or is refused because the example
    // already stopped it; it is never unknown (404).
    const response = await fetch(`${emulator.url}/v1/actor_tokens/${id}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}` }
    })
    const body = await response.json()
    const held = (response.status === 200 && body.status === "revoked") ||
      (response.status === 400 && body.errors?.[0]?.code === "actor_token_cannot_be_revoked_code")
    if (!held) fail(`${where}: the emulator does not hold ${id}: ${response.status} ${JSON.stringify(body)}`)
    return { id, ms: ran.ms }
  } finally {
    await emulator.stop()
  }
}

/**
 * Installs with `lines` into an empty project, type-checks the example, and runs it against the emulator on each of
 * `runtimes`.
 */
const tryManager = async (manager, lines, tarballs, example, runtimes) => {
  const project = mkdtempSync(join(tmpdir(), `effect-clerk-install-${manager}-`))
  const timings = {}
  try {
    const manifest = { name: `install-check-${manager}`, private: true, type: "module" }
    // pnpm resolves the client's own `@effect-clerk/schema` range from the registry, where no release of this
    // version exists yet: map the unpublished names to their tarballs. npm takes them from the tarballs given.
    if (manager === "pnpm") {
      manifest.pnpm = { overrides: Object.fromEntries(tarballs.map(([name, tarball]) => [name, `file:${tarball}`])) }
    }
    writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2))
    const env = { ...userEnv, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" }
    const started = Date.now()
    for (const line of lines) {
      const args = line.split(/\s+/).map((arg) => tarballs.find(([name]) => name === arg)?.[1] ?? arg)
      const [cmd, ...rest] = manager === "npm" ? args : ["npx", "-y", "pnpm@10.34.9", ...args.slice(1)]
      const result = await exec(cmd, rest, { cwd: project, env, timeout: installTimeout })
      if (result.code !== 0) {
        const hint = /404[^\n]*@effect-clerk/.test(result.output)
          ? "\n(an @effect-clerk package the lines do not name was looked up on the registry: name each one needed)"
          : ""
        fail(`${manager}: "${line}" failed (exit ${result.code}):\n${result.output}${hint}`)
      }
    }
    timings.install = Date.now() - started

    const effect = oneCopy(project, "effect", ["@effect-clerk/client", "@effect-clerk/test-kit", "@effect/platform"])
    if (!effect.startsWith("3.")) fail(`${manager}: the install lines gave effect ${effect}, not Effect 3`)
    oneCopy(project, "@effect-clerk/client", ["@effect-clerk/test-kit"])
    oneCopy(project, "@effect-clerk/schema", ["@effect-clerk/client", "@effect-clerk/test-kit"])

    writeFileSync(join(project, "example.ts"), example)
    writeFileSync(join(project, "example.js"), example)
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2))
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc")
    const typecheck = await exec(process.execPath, [tsc, "-p", project], { cwd: project, timeout: runTimeout })
    if (typecheck.code !== 0) fail(`${manager}: README.md's example does not type-check:\n${typecheck.output}`)
    timings.typecheck = typecheck.ms

    const secretKey = await exec(process.execPath, [
      "--input-type=module",
      "-e",
      "import { defaultSecretKey } from \"@effect-clerk/test-kit/Emulator\"; process.stdout.write(defaultSecretKey)"
    ], { cwd: project, timeout: runTimeout })
    if (secretKey.code !== 0) fail(`${manager}: cannot import @effect-clerk/test-kit/Emulator:\n${secretKey.output}`)
    const runs = []
    for (const runtime of runtimes) runs.push({ ...(await runExample(manager, project, runtime, secretKey.output)), runtime })
    return { effect, timings, runs }
  } finally {
    rmSync(project, { recursive: true, force: true })
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

/** This machine's Node, and each of `nodeLines` fetched from the registry's `node` package (once; npx caches it). */
const fetchRuntimes = async () => {
  const runtimes = [{ version: process.versions.node, node: process.execPath }]
  for (const line of nodeLines) {
    const script = "process.stdout.write(JSON.stringify([process.versions.node, process.execPath]))"
    const found = await exec("npx", ["--loglevel=error", "-y", `node@${line}`, "-e", script], {
      cwd: root,
      timeout: installTimeout
    })
    if (found.code !== 0) fail(`npx -y node@${line} failed (exit ${found.code}):\n${found.output}`)
    const [version, node] = JSON.parse(found.output.trim().split("\n").at(-1))
    if (version.split(".")[0] !== line) fail(`npx -y node@${line} ran Node ${version}`)
    runtimes.push({ version, node })
  }
  return runtimes
}

/** The demo (the repository's build, no key: against its own emulator) finishes on `runtime`'s node. */
const runDemo = async (runtime) => {
  const demo = join(root, "examples", "dist", "demo", "main.js")
  const ran = await exec(runtime.node, [demo], { cwd: root, timeout: runTimeout * 2 })
  if (ran.code !== 0) fail(`the demo failed on Node ${runtime.version} (exit ${ran.code}):\n${ran.output}`)
  if (!ran.output.includes("\nDone: ")) fail(`the demo did not finish on Node ${runtime.version}:\n${ran.output}`)
  return ran.ms
}
const out = mkdtempSync(join(tmpdir(), "effect-clerk-pack-"))
let failed = false
try {
  checkReadmes()
  const { npm, pnpm, example } = readInstallSection()
  if (npm.length === 0 || pnpm.length === 0) fail("README.md's Install needs `npm install` and `pnpm add` lines")
  const mirrored = npm.map((line) => line.replace(/^npm install /, "pnpm add "))
  if (mirrored.join("\n") !== pnpm.join("\n")) {
    fail(`README.md's pnpm lines are not its npm lines:\n  ${npm.join("\n  ")}\n  ${pnpm.join("\n  ")}`)
  }
  const started = Date.now()
  const runtimes = await fetchRuntimes()
  console.log(`✔ Node ${runtimes.map((runtime) => runtime.version).join(", ")} (${seconds(Date.now() - started)})`)
  const tarballs = packages.map((name) => [`@effect-clerk/${name}`, pack(name, out)])
  for (const [manager, lines] of [["npm", npm], ["pnpm", pnpm]]) {
    const { effect, runs, timings } = await tryManager(manager, lines, tarballs, example, runtimes)
    const examples = runs.map(({ id, ms, runtime }) => `Node ${runtime.version} ${seconds(ms)} (created ${id})`)
    console.log(
      `✔ ${manager}: effect ${effect}, one copy of effect and of the client; install ${seconds(timings.install)}, ` +
        `type-check ${seconds(timings.typecheck)}; example on ${examples.join(", ")}`
    )
  }
  // The machine's Node runs the demo in the examples' tests: the other lines run it here.
  for (const runtime of runtimes.slice(1)) {
    console.log(`✔ demo on Node ${runtime.version}: ${seconds(await runDemo(runtime))}`)
  }
} catch (error) {
  failed = true
  console.error(`✘ install check: ${error.message}`)
} finally {
  rmSync(out, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
