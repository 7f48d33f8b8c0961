/**
 * Captures what a program emits — log lines (every level, Debug included) and spans (names, attributes, events,
 * exits) — so a test can assert that no credential ever shows up in them.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as util from "node:util"

/**
 * A log line as the logger received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface CapturedLog {
  readonly level: string
  readonly message: unknown
  readonly cause: string
  readonly annotations: Readonly<Record<string, unknown>>
  readonly spans: ReadonlyArray<string>
}

/**
 * A span as the tracer received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface CapturedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly attributes: ReadonlyMap<string, unknown>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
  /** The failure the span ended with, rendered by `Cause.pretty`, if any. */
  readonly failure: string | undefined
}

/**
 * The captured logs and spans.
 *
 * @since 0.1.0
 * @category tags
 */
export class Captured extends Context.Tag("@effect-clerk/test-kit/Captured")<Captured, {
  readonly logs: Effect.Effect<ReadonlyArray<CapturedLog>>
  readonly spans: Effect.Effect<ReadonlyArray<CapturedSpan>>
  /** Everything captured, rendered as text with `util.inspect` at full depth: search it for a secret. */
  readonly text: Effect.Effect<string>
}>() {}

class RecordingSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly events: Array<{ name: string; attributes: Record<string, unknown> }> = []
  links: Array<Tracer.SpanLink>
  failure: string | undefined = undefined

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = `span${id}`
    this.traceId = Option.match(parent, { onNone: () => `trace${id}`, onSome: (p) => p.traceId })
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    if (Exit.isFailure(exit)) this.failure = Cause.pretty(exit.cause)
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(name: string, _startTime: bigint, attributes?: Record<string, unknown>): void {
    this.events.push({ name, attributes: attributes ?? {} })
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/**
 * Replaces the logger and the tracer, lowers the minimum log level to `All`, and provides {@link Captured}.
 *
 * @example
 * ```ts
 * import { Observe } from "@effect-clerk/test-kit"
 * import { Effect } from "effect"
 *
 * const leaked = (secret: string) =>
 *   Effect.flatMap(Observe.Captured, (captured) => captured.text).pipe(Effect.map((text) => text.includes(secret)))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Captured> = Layer.unwrapEffect(
  Effect.sync(() => {
    const logs: Array<CapturedLog> = []
    const spans: Array<RecordingSpan> = []
    let ids = 0
    const logger = Logger.make<unknown, void>((options) => {
      logs.push({
        level: options.logLevel.label,
        message: options.message,
        cause: Cause.isEmpty(options.cause) ? "" : Cause.pretty(options.cause),
        annotations: Object.fromEntries(options.annotations),
        spans: [...options.spans].map((span) => span.label)
      })
    })
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind) => {
        const span = new RecordingSpan(name, parent, context, links, startTime, kind, ++ids)
        spans.push(span)
        return span
      },
      context: (f) => f()
    })
    const snapshot = (): ReadonlyArray<CapturedSpan> =>
      spans.map((span) => ({
        name: span.name,
        kind: span.kind,
        attributes: new Map(span.attributes),
        events: [...span.events],
        failure: span.failure
      }))
    const captured = Captured.of({
      logs: Effect.sync(() => [...logs]),
      spans: Effect.sync(snapshot),
      text: Effect.sync(() =>
        util.inspect({ logs, spans: snapshot().map((s) => ({ ...s, attributes: Object.fromEntries(s.attributes) })) }, {
          depth: Infinity,
          maxArrayLength: Infinity,
          maxStringLength: Infinity
        })
      )
    })
    return Layer.mergeAll(
      Layer.succeed(Captured, captured),
      Logger.replace(Logger.defaultLogger, logger),
      Logger.minimumLogLevel(LogLevel.All),
      Layer.setTracer(tracer)
    )
  })
)
