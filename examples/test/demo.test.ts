import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))

describe("demo", () => {
  it("runs the whole flow against the loopback emulator and prints each step", { timeout: 120_000 }, () => {
    // Each child is killed if it runs past its timeout, so a hung build or demo cannot outlive the test.
    execFileSync("npx", ["tsc", "-b", "examples/tsconfig.build.json"], { cwd: root, stdio: "pipe", timeout: 90_000 })
    const env = { ...process.env }
    delete env.CLERK_SECRET_KEY
    const output = execFileSync("node", ["examples/dist/demo/main.js"], {
      cwd: root,
      env,
      encoding: "utf8",
      timeout: 25_000
    })
    expect(output).toMatch(/Clerk emulator listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(output).toMatch(/status\s+pending/)
    expect(output).toMatch(/GET url\s+200 OK\n\s+status\s+accepted/)
    expect(output).toMatch(/error\s+ClerkBadRequest\n\s+code\s+actor_token_cannot_be_revoked_code/)
    expect(output).toMatch(
      /session\s+sess_\w+ active, actor \{"sub":"user_support_42","reason":"support ticket T-1234"\}/
    )
    expect(output).toMatch(
      /user\s+user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb in sess_\w+\n\s+actor\s+\{"sub":"user_support_42","reason":"support ticket T-1234"\}/
    )
    expect(output).toMatch(/refused\s+ImpersonationForbidden \(impersonator\)/)
    expect(output).toMatch(/ended\s+sess_\w+ → revoked/)
    expect(output).toMatch(
      /audit\s+ImpersonationStarted user_support_42 as user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb in (sess_\w+)\n\s+audit\s+ImpersonationEnded user_support_42 as user_2OEpKhcCN1Lat9NQ0G6puh7q5Rb in \1 \(revoked\)/
    )
    expect(output).toMatch(/active\s+0 impersonated session\(s\) left/)
    expect(output).toMatch(/status\s+pending → revoked/)
    expect(output).toMatch(/attempts 2 \(503, then 200\)/)
    expect(output).toMatch(/error\s+ClerkServerError after 1 request/)
  })
})
