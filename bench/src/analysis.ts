/**
 * The "Analysis" section of RESULTS.md: every number in it is read from this run's results, so the text stays true
 * when the bench is rerun; only the explanations of what each row measures are fixed.
 */
import { type ClientId, idOf } from "./clients.js"
import type { SequentialResult } from "./measure.js"
import {
  byId,
  coldMedians,
  showDiff,
  signedKb,
  type StubDiff,
  stubDiff,
  stubRow,
  table,
  us,
  x
} from "./report/format.js"
import type { Results } from "./report/results.js"
import { recommended, type Transport, transportLabels, transportSources } from "./transport.js"

/** A difference of two measured values with a two-standard-error band. */
interface Banded {
  readonly value: number
  readonly band: number
}

/** `a − b` with a band of `z` standard errors (2 by default: a 5 % chance of calling noise a difference). */
const banded = (a: number, seA: number, b: number, seB: number, z = 2): Banded => ({
  value: a - b,
  band: z * Math.sqrt(seA ** 2 + seB ** 2)
})

const within = (d: Banded | StubDiff): boolean =>
  "band" in d ? Math.abs(d.value) <= d.band : Math.abs(d.value) <= d.noise

const showBanded = (d: Banded): string =>
  Number.isFinite(d.value)
    ? `${d.value >= 0 ? "+" : "−"}${Math.abs(d.value).toFixed(0)} ± ${d.band.toFixed(0)}${
      within(d) ? " (within noise)" : ""
    }`
    : "–"

const cpuDiff = (rows: ReadonlyArray<SequentialResult>, a: ClientId, b: ClientId): Banded => {
  const ra = byId(rows, a)
  const rb = byId(rows, b)
  return ra && rb ? banded(ra.cpuPerCall, ra.cpuStdErr, rb.cpuPerCall, rb.cpuStdErr) : { value: NaN, band: NaN }
}

const p50Diff = (rows: ReadonlyArray<SequentialResult>, a: ClientId, b: ClientId): Banded => {
  const ra = byId(rows, a)
  const rb = byId(rows, b)
  return ra && rb ? banded(ra.p50, ra.p50StdErr, rb.p50, rb.p50StdErr) : { value: NaN, band: NaN }
}

const layerTable = (r: Results): string => {
  const transports: ReadonlyArray<Transport> = ["node-undici", "fetch"]
  const cpu = (id: ClientId) => byId(r.create, id)?.cpuPerCall
  const raw = (t: Transport) => idOf("raw", t)
  return table(
    ["layer", ...transports.map((t) => transportLabels[t])],
    [
      ["raw transport", ...transports.map((t) => us(cpu(raw(t))))],
      [
        "+ Effect `HttpClient` + `Schema` (the floor)",
        ...transports.map((t) => showBanded(cpuDiff(r.create, idOf("floor", t), raw(t))))
      ],
      [
        "+ the SDK over the floor",
        ...transports.map((t) => showBanded(cpuDiff(r.create, idOf("sdk", t), idOf("floor", t))))
      ],
      ["= SDK", ...transports.map((t) => us(cpu(idOf("sdk", t))))]
    ]
  )
}

/** One row of a hidden-cost table: a stubbed difference, and where there is one, a loopback difference. */
interface CostRow {
  readonly what: string
  readonly how: string
  readonly stubbed: StubDiff
  readonly loopback?: Banded
  readonly switchToday?: string
}

const costTable = (rows: ReadonlyArray<CostRow>): string =>
  table(
    ["mechanism", "stubbed rows", "CPU µs per call, stubbed", "loopback CPU µs (row pair)", "switch today"],
    rows.map((row) => [
      row.what,
      row.how,
      showDiff(row.stubbed),
      row.loopback ? showBanded(row.loopback) : "–",
      row.switchToday ?? "–"
    ])
  )

/** The hidden cost of each mechanism of a call, one subsection per mechanism. */
const hiddenCost = (r: Results): string => {
  const s = r.stub
  const vsHarness = (key: string) => stubDiff(s, key, "harness")
  const alone = (key: string): StubDiff => ({
    value: stubRow(s, key)?.mean ?? NaN,
    noise: stubRow(s, key)?.spread ?? NaN
  })
  const tracerOff = "`Layer.setTracerEnabled(false)` (the whole program)"
  const sections: ReadonlyArray<readonly [string, string, ReadonlyArray<CostRow>]> = [
    [
      "spans",
      "Two spans per call: the operation's (`Effect.fn`) and one per attempt, the client's own, with method, path, " +
      "operation, attempt number and status (no header, no URL query). The platform's `http.client` span, with one " +
      "attribute per header, is switched off for the client's requests; the last two rows price that switch and " +
      "what it saves.",
      [
        { what: "`Effect.fn` operation span", how: "component − harness", stubbed: vsHarness("fn-span") },
        {
          what: "both spans, on the whole call",
          how: "SDK default − SDK tracer off",
          stubbed: stubDiff(s, "sdk", "sdk-notracer"),
          loopback: cpuDiff(r.create, idOf("sdk", "node-undici"), "sdk-node-undici-notracer"),
          switchToday: tracerOff
        },
        {
          what: "the platform tracer switched off per request (`HttpClient.withTracerDisabledWhen`)",
          how: "execute: switched off per request − tracer off in the runtime",
          stubbed: stubDiff(s, "execute-nospan", "execute-notracer"),
          switchToday: "no (it replaces the platform's span)"
        },
        {
          what: "(the platform's `http.client` span it turns off)",
          how: "execute: span on − switched off per request",
          stubbed: stubDiff(s, "execute-span", "execute-nospan")
        }
      ]
    ],
    [
      "retry driver",
      "The retry schedule's driver is built only once an attempt has failed, with that failure as the schedule's " +
      "first input: a call that succeeds at once pays one `catchAll`.",
      [
        {
          what: "retries on − off, first attempt succeeds",
          how: "SDK default − `maxRetries: 0`",
          stubbed: stubDiff(s, "sdk", "sdk-noretries"),
          switchToday: "`maxRetries: 0` (saves nothing on a success)"
        }
      ]
    ],
    [
      "schema decode and Redacted credentials",
      "Encode and decode run synchronously (`Schema.*Either`, no fiber). The secret key stays `Redacted` in the options and is unwrapped once, when the layer is built, " +
      "into the headers every request carries: a call pays nothing for it, and no span or log reads headers.",
      [
        {
          what: "schema decode (sync: `JSON.parse` + `Schema.decodeUnknownEither`)",
          how: "component",
          stubbed: alone("decode"),
          switchToday: "no (the typed result)"
        },
        {
          what: "schema encode of the params (sync)",
          how: "component",
          stubbed: alone("encode"),
          switchToday: "no (validation of the input)"
        },
        {
          what: "Redacted credentials: build the request from the prebuilt headers (URL, JSON body)",
          how: "component",
          stubbed: alone("build"),
          switchToday: "no"
        }
      ]
    ],
    [
      "body read",
      "The body is read with a plain loop over the transport's own body — a web `ReadableStream` (fetch) or a Node " +
      "`Readable` (undici) — bounded at 1 MiB, whatever its framing; an Effect `Stream` fold is the fallback for any " +
      "other response. Priced on the whole call, an answer without `Content-Length` against one with it, beside what " +
      "the floor (the platform's unbounded `text`) pays for the same.",
      [
        {
          what: "the SDK's whole call, answer without `Content-Length` vs with (fetch path)",
          how: "SDK web stream − SDK web length",
          stubbed: stubDiff(s, "sdk-web-stream", "sdk-web-length"),
          loopback: cpuDiff(r.create, "sdk-fetch-chunked", "sdk-fetch")
        },
        {
          what: "(the same for the floor: what the platform itself pays)",
          how: "floor web stream − floor web length",
          stubbed: stubDiff(s, "floor-web-stream", "floor-web-length"),
          loopback: cpuDiff(r.create, "floor-fetch-chunked", "floor-fetch")
        },
        {
          what: "the SDK's whole call, `Content-Encoding: gzip` vs `Content-Length` (fetch path)",
          how: "SDK web gzip − SDK web length",
          stubbed: stubDiff(s, "sdk-web-gzip", "sdk-web-length")
        }
      ]
    ],
    [
      "options off by default",
      "",
      [
        {
          what: "trace-context propagation",
          how: "`propagateTraceContext: true` − default",
          stubbed: stubDiff(s, "sdk-propagate", "sdk"),
          switchToday: "off by default"
        },
        {
          what: "client-side rate limit",
          how: "`rateLimit` on − default",
          stubbed: stubDiff(s, "sdk-ratelimit", "sdk"),
          switchToday: "off by default"
        }
      ]
    ],
    [
      "everything together",
      "",
      [
        {
          what: "everything the SDK adds over the floor (canned; loopback over the recommended transport)",
          how: "SDK default − floor",
          stubbed: stubDiff(s, "sdk", "floor"),
          loopback: cpuDiff(r.create, idOf("sdk", recommended), idOf("floor", recommended))
        },
        {
          what: "everything the SDK adds over the floor (fetch path, `Content-Length`)",
          how: "SDK web length − floor web length",
          stubbed: stubDiff(s, "sdk-web-length", "floor-web-length"),
          loopback: cpuDiff(r.create, "sdk-fetch", "floor-fetch")
        }
      ]
    ]
  ]
  return sections.map(([title, intro, rows]) => `#### ${title}\n\n${intro ? `${intro}\n\n` : ""}${costTable(rows)}`)
    .join("\n\n")
}

const shapeTable = (r: Results): string => {
  const pairs: ReadonlyArray<readonly ["sdk" | "floor", Transport]> = [
    ["sdk", "fetch"],
    ["floor", "fetch"],
    ...(recommended === "fetch" ? [] : [["sdk", recommended], ["floor", recommended]] as const)
  ]
  const cpu = (id: ClientId) => byId(r.create, id)
  const rows = pairs.map(([kind, transport]) => {
    const length = idOf(kind, transport, "length")
    const chunked = idOf(kind, transport, "chunked")
    const gzip = transport === "fetch" ? idOf(kind, transport, "gzip") : undefined
    return [
      `${kind === "sdk" ? "SDK" : "floor"}, ${transportLabels[transport]}`,
      us(cpu(length)?.cpuPerCall),
      cpu(chunked) ? showBanded(cpuDiff(r.create, chunked, length)) : "–",
      gzip && cpu(gzip) ? showBanded(cpuDiff(r.create, gzip, length)) : "–",
      cpu(chunked) ? showBanded(p50Diff(r.create, chunked, length)) : "–"
    ]
  })
  return table(
    [
      "client",
      "CPU µs/call, `Content-Length`",
      "chunked − length, CPU µs",
      "gzip − length, CPU µs",
      "chunked − length, p50 µs"
    ],
    rows
  )
}

export const analysis = (r: Results): string => {
  const cpu = (id: ClientId): number => byId(r.create, id)?.cpuPerCall ?? NaN
  const p50 = (id: ClientId): number => byId(r.create, id)?.p50 ?? NaN
  const stub = (key: string): number => r.stub.find((task) => task.key === key)?.mean ?? NaN
  const rec = transportLabels[recommended]
  const sdkRec = idOf("sdk", recommended)
  const index = r.bundles["sdk-index"]
  const deep = r.bundles["sdk-deep"]
  const floorIndex = r.bundles["floor-index"]
  const floorDeep = r.bundles["floor-deep"]
  const clerkBundle = r.bundles.clerk
  const coldSdk = coldMedians(r, "unbundled", "sdk-index")
  const coldFloor = coldMedians(r, "unbundled", "floor-index")
  const coldDeep = coldMedians(r, "unbundled", "sdk-deep")
  const coldNode = coldMedians(r, "unbundled", "node")
  const coldClerk = coldMedians(r, "unbundled", "clerk")

  return `### Where a call's CPU goes

Client CPU per sequential create, µs (user + system; the system part is mostly the loopback TCP stack and waking
the server process, which a real network call pays too), ± two standard errors:

${layerTable(r)}

The SDK over ${rec} is at ${x(cpu(sdkRec) / cpu("clerk-backend"))} @clerk/backend's CPU per call; over
\`FetchHttpClient\` at ${x(cpu("sdk-fetch") / cpu("clerk-backend"))}. Node's \`fetch\` itself costs ${
    us(cpu("raw-fetch") - cpu("raw-undici"))
  } µs more than undici's \`request()\` per call here (WHATWG \`Request\`/\`Headers\`, a web \`ReadableStream\` body).

### Hidden cost of each remaining mechanism

Each mechanism of a call, priced with the network stubbed (the "CPU per call with the network removed" rows: the
difference of two whole calls that differ in that one switch, a component minus the harness, or a synchronous
component alone), ± the sum of the two rows' noises, and where there is one, on the loopback call (the difference of
two loopback rows), ± two standard errors. The stubbed price misses what suspending and resuming around real I/O
costs. "switch today" is what a user can turn off without changing the SDK. Every row prices the client through its
public API (a whole call with an option on and off, or answered in another shape) or a platform piece alone; the
per-attempt timeout has no switch and is priced only inside the whole call.

${hiddenCost(r)}

### Response shapes

What an answer without \`Content-Length\` costs on the loopback call, per client (create; the chunked port sends the
body as one chunk, the gzip port gzip-encoded and chunked; fetch decompresses and keeps \`Content-Encoding\`), ± two
standard errors:

${shapeTable(r)}

### Notes on the goals

- **Latency and throughput.** On a loopback call the client's CPU *is* the latency, so the ratios to
  @clerk/backend above are ratios of CPU per call; against a real Clerk (tens of ms away) the differences shrink to
  that CPU cost alone, and the answer is most likely gzip-encoded (the "gzip" rows).
- **Recommended transport: ${transportSources["node-undici"]}.** The client ships no transport of its own: it runs over
  the \`HttpClient\` the program provides.
- **What stands between the SDK and the latency goals: the Effect HTTP floor.** The same create written directly on
  \`HttpClient\` + \`Schema\` answers over ${rec} at ${
    x(p50("floor-node-undici") / p50("clerk-backend"))
  } @clerk/backend's
  p50, and the SDK at ${
    x(p50(sdkRec) / p50("floor-node-undici"))
  } of that floor; over \`FetchHttpClient\` the floor is at
  ${x(p50("floor-fetch") / p50("clerk-backend"))} and the SDK at ${
    x(p50("sdk-fetch") / p50("floor-fetch"))
  } of it. With the
  network stubbed the floor costs ${us(stub("floor"))} µs of CPU per call and the SDK ${us(stub("sdk"))} µs, yet on a
  loopback call the floor over ${rec} uses ${us(cpu("floor-node-undici") - cpu("raw-undici"))} µs more CPU than raw
  undici: the difference is the Effect runtime around real I/O (a fiber suspended and resumed at each asynchronous step
  of the platform's client, an \`AbortController\` and a \`FinalizationRegistry\` entry per request), which the SDK
  can only stay level with, not remove, on Effect 3. Revoking pays it the same; @clerk/backend's revoke is cheaper than
  its create (no body to build), the SDK's is not.
- **Bundle.** ${
    index && floorIndex && deep && floorDeep
      ? `The README program adds ${signedKb(index.gzipped - floorIndex.gzipped)} gzipped over the same program on the
  floor (both with package-index imports) and ${
        signedKb(deep.gzipped - floorDeep.gzipped)
      } with deep imports. Package-index imports cost ${
        signedKb(index.gzipped - deep.gzipped)
      } for the SDK program and ${
        signedKb(floorIndex.gzipped - floorDeep.gzipped)
      } for the floor's: through \`export * as Effect from …\` re-exports esbuild keeps whole namespaces instead of the
  members used. What the SDK adds is its own code (the service holds every operation, so sessions and impersonations
  come with a create-only program), the \`Layer\` and \`Config\` modules its layers are built with (the floor program
  uses neither), and the schema-checked options; none of it can be left out of a program that builds the client.${
        clerkBundle
          ? ` @clerk/backend's one-call program is ${
            (clerkBundle.gzipped / 1024).toFixed(1)
          } KB; the Effect floor alone is ${(floorDeep.gzipped / 1024).toFixed(1)} KB with deep imports.`
          : ""
      }`
      : "–"
  }
- **Cold start.** ${
    coldSdk.runs > 0
      ? `The README program's first call is done ${us(coldSdk.called)} ms after the process starts (imports ${
        us(coldSdk.imported)
      } ms), the floor's ${us(coldFloor.called)} ms, @clerk/backend's ${us(coldClerk.called)} ms and an empty
  process's ${us(coldNode.called)} ms; with deep imports the SDK's is ${
        us(coldDeep.called)
      } ms. Loading the package indexes of \`effect\` and \`@effect/platform\` is most of it, and the floor program pays it
  too.`
      : "–"
  }
- **Memory.** The verdict is read from the second half of the calls, after a full GC at each checkpoint: a leak grows
  the heap there, a warm-up has stopped. The RSS at a checkpoint without a GC moves with V8's young generation and
  the allocator's caches ("RSS peak").
`
}
