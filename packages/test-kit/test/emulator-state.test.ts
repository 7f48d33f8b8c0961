// The emulator's state and the transitions it runs, composed from the slices': no HTTP, no Ref, no Clock.
import { Ids } from "@effect-clerk/schema"
import * as Emulator from "@effect-clerk/test-kit/Emulator"
import { assert, describe, expect, it } from "@effect/vitest"
import { Duration, Either, Option } from "effect"
import * as Sessions from "../src/internal/emulator/sessions.js"
import * as State from "../src/internal/emulator/state.js"

const may12 = Date.UTC(2026, 4, 12, 9, 0)

const createInput = (n: number, monthlyQuota: Option.Option<number> = Option.none()): State.CreateInput => ({
  params: { userId: Ids.UserId.make("user_1"), actor: { sub: "user_admin" } },
  id: `act_${n}`,
  ticket: `ticket_${n}`,
  baseUrl: "https://emulator.test",
  monthlyQuota
})

describe("the initial state", () => {
  it("has no tokens, no sessions, no usage, no window, no faults, no webhook event, and every route counted 0", () => {
    expect(State.initial).toEqual({
      tokens: [],
      sessions: [],
      usage: {},
      rateWindow: undefined,
      faults: [],
      counts: {
        create: 0,
        revoke: 0,
        listSessions: 0,
        getSession: 0,
        revokeSession: 0,
        createSessionToken: 0,
        getJwks: 0,
        accept: 0,
        wellKnownJwks: 0,
        unmatched: 0
      },
      webhooks: { reported: new Map(), events: [], sequence: 0 }
    })
  })
})

describe("create", () => {
  it("adds the token and counts it against the month", () => {
    const [result, state] = State.create(State.initial, may12, createInput(1))
    assert(Either.isRight(result))
    expect(state.tokens).toEqual([result.right])
    expect(state.usage).toEqual({ "2026-05": 1 })
  })

  it("past the monthly quota: refused, and the whole state is unchanged", () => {
    const quota = Option.some(1)
    const [, one] = State.create(State.initial, may12, createInput(1, quota))
    const [refused, after] = State.create(one, may12 + 1, createInput(2, quota))
    expect(refused).toEqual(Either.left({ _tag: "QuotaExceeded" }))
    expect(after).toBe(one)
  })
})

const acceptInput = (by: State.AcceptInput["by"]): State.AcceptInput => ({
  by,
  sessionId: "sess_1",
  clientId: "client_1"
})

describe("revoke and accept", () => {
  it("accepting changes the token and starts its session, nothing else; revoke then refuses", () => {
    const [, created] = State.create(State.initial, may12, createInput(1))
    const [accepted, afterAccept] = State.accept(created, may12 + 1, acceptInput({ ticket: "ticket_1" }))
    assert(Either.isRight(accepted))
    const [session] = Sessions.start(Sessions.empty, may12 + 1, {
      token: accepted.right,
      sessionId: "sess_1",
      clientId: "client_1"
    })
    expect(afterAccept).toEqual({ ...created, tokens: [accepted.right], sessions: [session] })
    const [refused, afterRevoke] = State.revoke(afterAccept, may12 + 2, "act_1")
    expect(refused).toEqual(Either.left({ _tag: "NotPending", status: "accepted" }))
    expect(afterRevoke).toEqual(afterAccept)
  })

  it("a rejected ticket starts no session and changes nothing", () => {
    const [, created] = State.create(State.initial, may12, createInput(1))
    const [rejected, after] = State.accept(created, may12 + 1, acceptInput({ ticket: "unknown" }))
    expect(Either.isLeft(rejected)).toBe(true)
    expect(after).toBe(created)
    const [, accepted] = State.accept(created, may12 + 1, acceptInput({ id: "act_1" }))
    const [again, afterAgain] = State.accept(accepted, may12 + 2, { ...acceptInput({ id: "act_1" }), sessionId: "s2" })
    expect(Either.isLeft(again)).toBe(true)
    expect(afterAgain.sessions).toHaveLength(1)
  })
})

describe("the session transitions", () => {
  it("seed, revoke and touch change only the sessions", () => {
    const [seeded, one] = State.seedSession(State.initial, may12, {
      userId: Ids.UserId.make("user_1"),
      id: "sess_1",
      clientId: "client_1"
    })
    assert(Either.isRight(seeded))
    expect(one).toEqual({ ...State.initial, sessions: [seeded.right] })
    const [touched, two] = State.touchSession(one, may12 + 1, "sess_1")
    assert(Either.isRight(touched))
    expect(two).toEqual({ ...State.initial, sessions: [touched.right] })
    const [revoked, three] = State.revokeSession(two, may12 + 2, "sess_1")
    assert(Either.isRight(revoked))
    expect(three).toEqual({ ...State.initial, sessions: [revoked.right] })
    expect(State.revokeSession(three, may12 + 3, "sess_1")).toEqual([
      Either.left({ _tag: "NotActive", status: "revoked" }),
      three
    ])
  })
})

describe("admit", () => {
  it("without a rate limit admits everything and changes nothing", () => {
    expect(State.admit(State.initial, may12, Option.none())).toEqual([Option.none(), State.initial])
  })

  it("with one, runs the window", () => {
    const rateLimit = Option.some({ limit: 1, interval: Duration.seconds(10) })
    const [first, one] = State.admit(State.initial, may12, rateLimit)
    expect(first).toEqual(Option.none())
    expect(one.rateWindow).toEqual({ start: may12, count: 1 })
    expect(State.admit(one, may12 + 1000, rateLimit)).toEqual([Option.some(9), one])
  })
})

describe("count and faults", () => {
  it("count adds one to a route", () => {
    const state = State.count(State.count(State.count(State.initial, "create"), "unmatched"), "listSessions")
    expect(state.counts).toEqual({
      create: 1,
      revoke: 0,
      listSessions: 1,
      getSession: 0,
      revokeSession: 0,
      createSessionToken: 0,
      getJwks: 0,
      accept: 0,
      wellKnownJwks: 0,
      unmatched: 1
    })
  })

  it("injectFault queues, takeFault takes, clearFaults drops the rest", () => {
    const fault = Emulator.Fault.Status({ status: 503 })
    const state = State.injectFault(State.initial, fault, { operation: "revoke" })
    expect(State.takeFault(state, "create")).toEqual([Option.none(), state])
    const [taken, after] = State.takeFault(state, "revoke")
    expect(Option.map(taken, (entry) => entry.fault)).toEqual(Option.some(fault))
    expect(after).toEqual(State.initial)
    const two = State.injectFault(State.injectFault(State.initial, fault), fault, { times: 3 })
    expect(State.clearFaults(two)).toEqual(State.initial)
  })
})
