// The token transitions of the emulator (create, revoke, accept), as pure functions: no HTTP, no Ref, no Clock.
import { Ids } from "@effect-clerk/schema"
import { assert, describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Redacted } from "effect"
import * as EmulatorModel from "../src/EmulatorModel.js"
import * as Tokens from "../src/internal/emulator/tokens.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)
const baseUrl = "https://emulator.test"

const input = (n: number, params: Partial<Tokens.CreateInput["params"]> = {}): Tokens.CreateInput => ({
  params: { userId: Ids.UserId.make(`user_${n}`), actor: { sub: "user_admin" }, ...params },
  id: `act_${n}`,
  ticket: `ticket_${n}`,
  baseUrl
})

/** `count` tokens created one second apart from `may12`. */
const created = (count: number): Tokens.Tokens =>
  Array.from({ length: count }, (_, n) => n).reduce(
    (tokens, n) => Tokens.create(tokens, may12 + n * 1000, input(n))[1],
    Tokens.empty
  )

const statuses = (tokens: Tokens.Tokens) => tokens.map((t) => t.status)

describe("create", () => {
  it("adds a pending token stamped now, with Clerk's defaults and a url on the base URL", () => {
    const before = created(1)
    const [token, after] = Tokens.create(before, may12, input(7, { actor: { sub: "user_admin", reason: "x" } }))
    expect(after).toEqual([...before, token])
    expect(before).toHaveLength(1)
    expect(token).toBeInstanceOf(EmulatorModel.StoredToken)
    expect(token.id).toBe("act_7")
    expect(token.status).toBe("pending")
    expect(token.userId).toBe("user_7")
    expect(token.actor).toEqual({ sub: "user_admin", reason: "x" })
    expect([token.createdAt, token.updatedAt]).toEqual([may12, may12])
    assert(token.token != null && token.url != null)
    expect(Redacted.value(token.token)).toBe("ticket_7")
    expect(Redacted.value(token.url)).toBe(`${baseUrl}/v1/tickets/accept?ticket=ticket_7`)
    expect(token.expiresAt).toBe(may12 + 3_600_000)
    expect(token.sessionMaxDurationInSeconds).toBe(1800)
  })

  it("keeps the given lifetimes, and clamps an expiry past the largest safe integer", () => {
    const [token] = Tokens.create([], may12, input(1, { expiresInSeconds: 60, sessionMaxDurationInSeconds: 900 }))
    expect(token.expiresAt).toBe(may12 + 60_000)
    expect(token.sessionMaxDurationInSeconds).toBe(900)
    const [forever] = Tokens.create([], may12, input(2, { expiresInSeconds: Number.MAX_SAFE_INTEGER }))
    expect(forever.expiresAt).toBe(Number.MAX_SAFE_INTEGER)
  })

  it("puts the ticket in the url percent-encoded", () => {
    const [token] = Tokens.create([], may12, { ...input(1), ticket: "a+b/c" })
    assert(token.url != null)
    expect(Redacted.value(token.url)).toBe(`${baseUrl}/v1/tickets/accept?ticket=a%2Bb%2Fc`)
  })
})

describe("revoke", () => {
  it("moves a pending token to revoked at now, keeping the rest of it and the other tokens", () => {
    const before = created(3)
    const [result, after] = Tokens.revoke(before, may12 + 5000, "act_1")
    assert(Either.isRight(result))
    expect(result.right.status).toBe("revoked")
    expect(result.right.createdAt).toBe(may12 + 1000)
    expect(result.right.updatedAt).toBe(may12 + 5000)
    expect(result.right.token).toEqual(before[1]!.token)
    expect(statuses(after)).toEqual(["pending", "revoked", "pending"])
    expect(after[0]).toBe(before[0])
    expect(after[1]).toBe(result.right)
  })

  it("refuses an unknown id, and changes nothing", () => {
    const before = created(2)
    const [result, after] = Tokens.revoke(before, may12, "act_unknown")
    expect(result).toEqual(Either.left({ _tag: "NotFound" }))
    expect(after).toBe(before)
  })

  it("refuses a token that is no longer pending, naming its status, and changes nothing", () => {
    const revoked = Tokens.revoke(created(1), may12, "act_0")[1]
    const [again, afterAgain] = Tokens.revoke(revoked, may12 + 1, "act_0")
    expect(again).toEqual(Either.left({ _tag: "NotPending", status: "revoked" }))
    expect(afterAgain).toBe(revoked)

    const accepted = Tokens.accept(created(1), may12, { id: "act_0" })[1]
    const [refused, after] = Tokens.revoke(accepted, may12 + 1, "act_0")
    expect(refused).toEqual(Either.left({ _tag: "NotPending", status: "accepted" }))
    expect(after).toBe(accepted)
  })
})

describe("accept", () => {
  it("accepts by ticket or by id: pending → accepted at now", () => {
    const before = created(2)
    const [byTicket, afterTicket] = Tokens.accept(before, may12 + 10, { ticket: "ticket_1" })
    assert(Either.isRight(byTicket))
    expect(byTicket.right.id).toBe("act_1")
    expect(byTicket.right.updatedAt).toBe(may12 + 10)
    expect(statuses(afterTicket)).toEqual(["pending", "accepted"])
    const [byId, afterId] = Tokens.accept(afterTicket, may12 + 20, { id: "act_0" })
    assert(Either.isRight(byId))
    expect(statuses(afterId)).toEqual(["accepted", "accepted"])
  })

  it("refuses an unknown, a used or a revoked ticket with TicketRejected's reason, and changes nothing", () => {
    const tokens = Tokens.revoke(Tokens.accept(created(2), may12, { id: "act_0" })[1], may12, "act_1")[1]
    const cases = [
      [{ ticket: "nope" }, "NotFound", "No actor token matches this ticket."],
      [{ id: "act_9" }, "NotFound", "No actor token matches the id act_9."],
      [{ ticket: "ticket_0" }, "AlreadyAccepted", "This ticket has already been used."],
      [{ id: "act_1" }, "Revoked", "This ticket has been revoked."]
    ] as const
    for (const [by, reason, message] of cases) {
      const [result, after] = Tokens.accept(tokens, may12 + 1, by)
      expect(result).toEqual(Either.left({ reason, message }))
      expect(after).toBe(tokens)
    }
  })

  it("expires at expiresAt: accepted a millisecond before, refused from then on, still pending", () => {
    const tokens = Tokens.create([], may12, input(1, { expiresInSeconds: 60 }))[1]
    expect(Either.isRight(Tokens.accept(tokens, may12 + 59_999, { id: "act_1" })[0])).toBe(true)
    const [result, after] = Tokens.accept(tokens, may12 + 60_000, { id: "act_1" })
    expect(result).toEqual(Either.left({ reason: "Expired", message: "This ticket has expired." }))
    expect(statuses(after)).toEqual(["pending"])
  })

  it.prop(
    "a ticket is accepted at most once, and only before it expires",
    [fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 20 })],
    ([offsets]) => {
      let tokens = Tokens.create([], may12, input(1, { expiresInSeconds: 60 }))[1]
      const accepted: Array<number> = []
      for (const offset of offsets) {
        const [result, next] = Tokens.accept(tokens, may12 + offset, { ticket: "ticket_1" })
        if (Either.isRight(result)) accepted.push(offset)
        tokens = next
      }
      const firstInTime = offsets.find((offset) => offset < 60_000)
      expect(accepted).toEqual(firstInTime === undefined ? [] : [firstInTime])
    }
  )
})
