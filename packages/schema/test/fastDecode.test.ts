import { Ids, Session, WebhookEvent } from "@effect-clerk/schema"
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, Equal, FastCheck, ParseResult, Schema } from "effect"
import * as FastDecode from "../src/internal/fastDecode.js"

const parse = Schema.decodeUnknownEither(WebhookEvent.WebhookEvent)
const encode = Schema.encodeSync(WebhookEvent.WebhookEvent)
const compiled = FastDecode.compile(WebhookEvent.WebhookEvent.ast)

/** Valid wire events as `JSON.parse` hands them over: typed events, encoded, through JSON text. */
const wireEvents = Arbitrary.make(WebhookEvent.WebhookEvent).map((event) =>
  JSON.parse(JSON.stringify(encode(event))) as Record<string, unknown>
)

type Path = ReadonlyArray<string | number>

const pathsOf = (value: unknown, path: Path = []): Array<Path> => {
  if (typeof value !== "object" || value === null) return [path]
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value)
  return [path, ...entries.flatMap(([key, item]) => pathsOf(item, [...path, key]))]
}

const removed = Symbol("removed")

/** A copy of `root` with the value at `path` replaced, or its key deleted. */
const replaced = (root: unknown, path: Path, next: unknown): unknown => {
  if (path.length === 0) return next === removed ? undefined : next
  const [head, ...rest] = path
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>
  const child = replaced(copy[head!], rest, next)
  if (rest.length === 0 && next === removed) delete copy[head!]
  else copy[head!] = child
  return copy
}

/** A valid event with one value anywhere in it replaced by any JSON value, a wrong primitive, or removed. */
const mutatedEvents = wireEvents.chain((event) => {
  const paths = pathsOf(event)
  return FastCheck.tuple(
    FastCheck.constantFrom(...paths),
    FastCheck.oneof(
      FastCheck.jsonValue({ maxDepth: 2 }),
      FastCheck.constantFrom(removed, null, "", 0, 1.5, -1, true, "session.created", "user.created", [], {})
    )
  ).map(([path, next]) => replaced(event, path, next))
})

const messageOf = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(result) ? ParseResult.TreeFormatter.formatErrorSync(result.left) : undefined

describe("the compiled WebhookEvent decoder", () => {
  it("compiles every node of the WebhookEvent schema", () => {
    expect(compiled).toBeDefined()
  })

  it.prop("takes a valid event on the compiled path and decodes it to what the schema's parser gives", [wireEvents], ([
    wire
  ]) => {
    const fast = compiled!(wire)
    expect(fast).not.toBe(FastDecode.failed)
    expect(fast).toStrictEqual(Either.getOrThrow(parse(wire)))
  })

  it.prop("never accepts what the parser refuses, and decodes the same value or error", [mutatedEvents], ([input]) => {
    const expected = parse(input)
    const fast = compiled!(input)
    if (Either.isLeft(expected)) expect(fast).toBe(FastDecode.failed)
    else if (fast !== FastDecode.failed) expect(fast).toStrictEqual(expected.right)
    const result = WebhookEvent.decodeUnknownEither(input)
    expect(result._tag).toBe(expected._tag)
    expect(messageOf(result)).toBe(messageOf(expected))
    if (Either.isRight(result)) expect(result.right).toStrictEqual(Either.getOrThrow(expected))
  }, { fastCheck: { numRuns: 500 } })

  it("builds the same session instance as the class constructor", () => {
    const wire = {
      type: "session.created",
      object: "event",
      timestamp: 1700000000123,
      instance_id: "ins_1",
      data: {
        id: "sess_1",
        user_id: "user_1",
        client_id: "client_1",
        status: "active",
        last_active_at: 1,
        latest_activity: { object: "session_activity", id: "sa_1", is_mobile: false },
        expire_at: 2,
        abandon_at: 3,
        updated_at: 4,
        created_at: 5
      }
    }
    const event = Either.getOrThrow(WebhookEvent.decodeUnknownEither(wire))
    if (event._tag !== "SessionEvent") throw new Error("expected a session event")
    const constructed = new WebhookEvent.SessionEventData({
      id: Schema.decodeSync(Ids.SessionId)("sess_1"),
      userId: Schema.decodeSync(Ids.UserId)("user_1"),
      clientId: Schema.decodeSync(Ids.ClientId)("client_1"),
      status: "active",
      lastActiveAt: 1,
      latestActivity: new Session.SessionActivity({ object: "session_activity", id: "sa_1", isMobile: false }),
      expireAt: 2,
      abandonAt: 3,
      updatedAt: 4,
      createdAt: 5
    })
    // The constructor fills the defaults (`object`, `actor`); the decoded instance must hold them too.
    expect(event.data).toStrictEqual(constructed)
    expect(Equal.equals(event.data, constructed)).toBe(true)
    expect(event.data).toBeInstanceOf(Session.Session)
    expect(event.data.latestActivity).toBeInstanceOf(Session.SessionActivity)
  })

  it("leaves a schema with a node it does not compile to the parser", () => {
    const withTemplate = Schema.Struct({ id: Schema.TemplateLiteral("sess_", Schema.Number) })
    expect(FastDecode.compile(withTemplate.ast)).toBeUndefined()
    // Also behind a suspended schema: found when compiling, not on the first input.
    expect(FastDecode.compile(Schema.suspend(() => withTemplate).ast)).toBeUndefined()
    const decode = FastDecode.decodeUnknownEither(withTemplate)
    expect(decode({ id: "sess_1" })).toStrictEqual(Either.right({ id: "sess_1" }))
    expect(Either.isLeft(decode({ id: "user_1" }))).toBe(true)
  })
})
