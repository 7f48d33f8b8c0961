/**
 * `pnpm bench:auth` (also the last step of `pnpm bench`): CPU per warm verification of one Clerk session token, side
 * by side in one process — the native floor (`node:crypto`'s `verify`, nothing else), jose's `jwtVerify`,
 * `@clerk/backend`'s `verifyToken(token, { jwtKey })`, and `@effect-clerk/auth`'s verifier (`jwtKey` and `jwks`
 * sources on `node:crypto`, and `jwtKey` on jose). Rounds are interleaved (the order rotates each round), so drift
 * spreads over every candidate; the noise band is the standard error over the rounds.
 *
 * Options: `--quick` (`BENCH_QUICK=1`) for a short run; `--rounds N`, `--batch N`; `--only floor,ours-pem` (ids:
 * floor, jose, clerk, ours-pem, ours-jwks, ours-jose) to measure some candidates only. Writes bench/dist/auth.json.
 */
import { verifyToken } from "@clerk/backend"
import { SessionToken } from "@effect-clerk/auth"
import { Effect, Exit } from "effect"
import * as Jose from "jose"
import { createPublicKey, generateKeyPairSync, sign, verify as nativeVerify } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? undefined : process.argv[index + 1]
}
const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1"
const rounds = Number(flag("rounds") ?? (quick ? 4 : 12))
const batch = Number(flag("batch") ?? (quick ? 300 : 1_000))
const warmup = quick ? 3_000 : 10_000

// One instance key and one realistic v2 session token (the claims Clerk puts in, an actor included), valid for the
// whole run against the real clock, which @clerk/backend and jose read.
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const pem = publicKey.export({ type: "spki", format: "pem" }).toString()
const kid = "ins_2bench"
const jwk = { ...publicKey.export({ format: "jwk" }), kty: "RSA", kid, alg: "RS256", use: "sig" }
const now = Math.floor(Date.now() / 1000)
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url")
const header = { alg: "RS256", cat: "cl_B7d4PD111AAA", kid, typ: "JWT" }
const payload = {
  act: { sub: "user_support_42", iss: "https://dashboard.clerk.com", sid: "sess_2support" },
  azp: "https://app.example.com",
  exp: now + 3600,
  fva: [0, -1],
  iat: now,
  iss: "https://clerk.example.com",
  jti: "7d1c5b3e9a0f2d4c6b8a",
  nbf: now - 10,
  o: { id: "org_2abc", rol: "admin", slg: "acme" },
  sid: "sess_2abcdefghijklmnopqrstuvwxyz",
  sts: "active",
  sub: "user_2abcdefghijklmnopqrstuvwxyz",
  v: 2
}
const signingInput = `${b64(header)}.${b64(payload)}`
const signature = sign("RSA-SHA256", Buffer.from(signingInput), privateKey)
const token = `${signingInput}.${signature.toString("base64url")}`

const rules = {
  issuer: "https://clerk.example.com",
  authorizedParties: ["https://app.example.com"]
}

type Candidate = { readonly id: string; readonly label: string; readonly call: () => unknown }

const run = <A, E>(effect: Effect.Effect<A, E>): A => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isFailure(exit)) throw new Error(`verification failed: ${String(exit.cause)}`)
  return exit.value
}

const makeCandidates = async (): Promise<ReadonlyArray<Candidate>> => {
  const keyObject = createPublicKey(pem)
  const signingBytes = Buffer.from(signingInput)
  const joseKey = await Jose.importSPKI(pem, "RS256")
  const fromPem = await Effect.runPromise(SessionToken.make({ jwtKey: pem, ...rules }))
  const fromJwks = await Effect.runPromise(SessionToken.make({ jwks: { keys: [jwk] }, ...rules }))
  const onJose = await Effect.runPromise(SessionToken.make({ jwtKey: pem, crypto: "jose", ...rules }))
  return [
    {
      id: "floor",
      label: "native floor (crypto.verify)",
      call: () => nativeVerify("RSA-SHA256", signingBytes, keyObject, signature)
    },
    {
      id: "jose",
      label: "jose jwtVerify (WebCrypto)",
      call: () => Jose.jwtVerify(token, joseKey, { algorithms: ["RS256"], issuer: rules.issuer })
    },
    {
      id: "clerk",
      label: "@clerk/backend verifyToken({ jwtKey })",
      call: () => verifyToken(token, { jwtKey: pem, authorizedParties: rules.authorizedParties })
    },
    { id: "ours-pem", label: "ours, jwtKey (node:crypto)", call: () => run(fromPem.verify(token)) },
    { id: "ours-jwks", label: "ours, jwks (node:crypto)", call: () => run(fromJwks.verify(token)) },
    { id: "ours-jose", label: "ours, jwtKey (jose)", call: () => Effect.runPromise(onJose.verify(token)) }
  ]
}

const cpuMicros = (): number => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

const mean = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0) / values.length
const standardError = (values: ReadonlyArray<number>): number => {
  const m = mean(values)
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1) / values.length)
}

const measure = async (candidates: ReadonlyArray<Candidate>) => {
  const perRound = new Map(candidates.map((c) => [c.id, [] as Array<number>]))
  // Effect's runtime and the verifier's code take thousands of calls to be optimised: a long warm-up for everyone.
  for (const candidate of candidates) {
    for (let i = 0; i < warmup; i++) await candidate.call()
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < candidates.length; k++) {
      const candidate = candidates[(k + round) % candidates.length]!
      const start = cpuMicros()
      for (let i = 0; i < batch; i++) {
        const result = candidate.call()
        if (result instanceof Promise) await result
      }
      perRound.get(candidate.id)!.push((cpuMicros() - start) / batch)
    }
  }
  return candidates.map((c) => {
    const values = perRound.get(c.id)!
    return { id: c.id, label: c.label, cpu: mean(values), stdErr: standardError(values) }
  })
}

const main = async (): Promise<void> => {
  const only = flag("only")?.split(",")
  const candidates = (await makeCandidates()).filter((c) => only === undefined || only.includes(c.id))
  const results = await measure(candidates)
  const byId = new Map(results.map((r) => [r.id, r]))
  const ratio = (a: string, b: string) => {
    const x = byId.get(a)!
    const y = byId.get(b)!
    const value = x.cpu / y.cpu
    return { value, band: value * Math.hypot(x.stdErr / x.cpu, y.stdErr / y.cpu) }
  }
  const lines = [
    `Session token verification, CPU per warm call (µs, ± standard error over ${rounds} rounds of ${batch}; node ${process.versions.node})`,
    ...results.map((r) => `  ${r.label.padEnd(42)} ${r.cpu.toFixed(1).padStart(7)} ± ${r.stdErr.toFixed(1)}`)
  ]
  const ratios: Record<string, { value: number; band: number }> = {}
  for (const ours of ["ours-pem", "ours-jwks", "ours-jose"].filter((id) => byId.has(id))) {
    const parts: Array<string> = []
    for (const [reference, name] of [["floor", "the floor"], ["clerk", "@clerk/backend"]] as const) {
      if (!byId.has(reference)) continue
      const r = ratios[`${ours}/${reference}`] = ratio(ours, reference)
      parts.push(`${r.value.toFixed(2)}× ± ${r.band.toFixed(2)} ${name}`)
    }
    lines.push(`  ${byId.get(ours)!.label.padEnd(42)} ${parts.join(", ")}`)
  }
  const goal = (key: string, bound: number) =>
    ratios[key] === undefined ? "not measured" : ratios[key].value <= bound ? "met" : "MISSED"
  lines.push(
    `  goal (node:crypto path): ≤ 2× the floor: ${goal("ours-pem/floor", 2)}; ≤ 0.5× @clerk/backend: ${
      goal("ours-pem/clerk", 0.5)
    }`
  )
  process.stdout.write(`${lines.join("\n")}\n`)
  const out = fileURLToPath(new URL("../", import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(
    `${out}auth.json`,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.versions.node, rounds, batch, results, ratios },
      null,
      2
    )
  )
}

await main()
