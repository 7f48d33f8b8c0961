/**
 * The "Analysis" section of RESULTS.md: every number in it is read from this run's results, so the text stays true
 * when the bench is rerun; only the explanations of what each row measures are fixed.
 */
import { type ClientId, idOf } from "./clients.js"
import type { SequentialResult } from "./measure.js"
import {
  byId,
  coldMedians,
  type Results,
  roundsStdErr,
  showDiff,
  signedKb,
  type StubDiff,
  stubDiff,
  stubRow,
  table,
  us,
  x
} from "./report.js"
import { recommended, type Transport, transportLabels } from "./transport.js"

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

/**
 * The band of the transport comparison, which makes five loopback comparisons at once: 2.58 standard errors keeps the
 * chance that noise alone puts any one of them outside its band at 5 % (Bonferroni), where 2 would do so about one
 * run in five.
 */
const familyZ = 2.58

const within = (d: Banded | StubDiff): boolean =>
  "band" in d ? Math.abs(d.value) <= d.band : Math.abs(d.value) <= d.noise

const showBanded = (d: Banded): string =>
  Number.isFinite(d.value)
    ? `${d.value >= 0 ? "+" : "−"}${Math.abs(d.value).toFixed(0)} ± ${d.band.toFixed(0)}${
      within(d) ? " (within noise)" : ""
    }`
    : "–"

const cpuDiff = (rows: ReadonlyArray<SequentialResult>, a: ClientId, b: ClientId, z = 2): Banded => {
  const ra = byId(rows, a)
  const rb = byId(rows, b)
  return ra && rb ? banded(ra.cpuPerCall, ra.cpuStdErr, rb.cpuPerCall, rb.cpuStdErr, z) : { value: NaN, band: NaN }
}

const p50Diff = (rows: ReadonlyArray<SequentialResult>, a: ClientId, b: ClientId, z = 2): Banded => {
  const ra = byId(rows, a)
  const rb = byId(rows, b)
  return ra && rb ? banded(ra.p50, ra.p50StdErr, rb.p50, rb.p50StdErr, z) : { value: NaN, band: NaN }
}

const layerTable = (r: Results): string => {
  const transports: ReadonlyArray<Transport> = ["undici", "node-undici", "fetch"]
  const cpu = (id: ClientId) => byId(r.create, id)?.cpuPerCall
  const raw = (t: Transport) => (t === "fetch" ? "raw-fetch" : "raw-undici") as ClientId
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

const hiddenCostTable = (r: Results): string => {
  const s = r.stub
  const vsHarness = (key: string) => stubDiff(s, key, "harness")
  const probe = (id: ClientId) => showBanded(cpuDiff(r.create, id, "floor-undici"))
  const rows: ReadonlyArray<readonly [string, string, StubDiff, string, string]> = [
    [
      "`Effect.timeoutFail` around each attempt",
      "component − harness",
      vsHarness("timeout"),
      probe("probe-timeout"),
      "no (the `timeout` option sets its length)"
    ],
    [
      "the retry driver on a first-attempt success",
      "SDK default − `maxRetries: 0`",
      stubDiff(s, "sdk", "sdk-noretries"),
      probe("probe-retry"),
      "`maxRetries: 0`"
    ],
    [
      "(its `Effect.retry` + schedule, alone)",
      "component − harness",
      vsHarness("retry"),
      "",
      ""
    ],
    [
      "the platform's `http.client` span (one attribute per header)",
      "SDK default − span off",
      stubDiff(s, "sdk", "sdk-nospan"),
      showBanded(cpuDiff(r.create, "sdk-undici", "sdk-undici-nospan")),
      "`transformClient` + `HttpClient.withTracerDisabledWhen`"
    ],
    [
      "all tracing (both spans)",
      "SDK default − tracer off",
      stubDiff(s, "sdk", "sdk-notracer"),
      "",
      "`Layer.setTracerEnabled(false)` (the whole program)"
    ],
    [
      "(an `Effect.fn` span, alone)",
      "component − harness",
      vsHarness("fn-span"),
      "",
      ""
    ],
    [
      "trace-context propagation (off by default)",
      "`propagateTraceContext: true` − default",
      stubDiff(s, "sdk-propagate", "sdk"),
      "",
      "off by default"
    ],
    [
      "client-side rate limit (off by default)",
      "`rateLimit` on − default",
      stubDiff(s, "sdk-ratelimit", "sdk"),
      "",
      "off by default"
    ],
    [
      "encode the params (`Schema`)",
      "component − harness",
      vsHarness("encode"),
      "",
      "no (validation of the input)"
    ],
    [
      "decode the token (`JSON.parse` + `Schema`)",
      "component − harness",
      vsHarness("decode"),
      "",
      "no (the typed result)"
    ],
    [
      "build the request (URL, headers, JSON body)",
      "component",
      { value: stubRow(s, "build")?.mean ?? NaN, noise: stubRow(s, "build")?.spread ?? NaN },
      "",
      "no"
    ],
    [
      "body read as an Effect `Stream` fold instead of `text` (canned body)",
      "component: stream − text",
      stubDiff(s, "canned-stream", "canned-text"),
      probe("probe-stream"),
      "taken when the answer has no `Content-Length` or has a `Content-Encoding`"
    ],
    [
      "same over a web `ReadableStream` body (fetch, no `Content-Length`)",
      "component: stream fold − text",
      stubDiff(s, "web-stream-fold", "web-stream-text"),
      "",
      ""
    ],
    [
      "the SDK's whole call, answer without `Content-Length` vs with (fetch path)",
      "SDK web stream − SDK web length",
      stubDiff(s, "sdk-web-stream", "sdk-web-length"),
      showBanded(cpuDiff(r.create, "sdk-fetch-chunked", "sdk-fetch")),
      ""
    ],
    [
      "the same for the floor (what the platform itself pays)",
      "floor web stream − floor web length",
      stubDiff(s, "floor-web-stream", "floor-web-length"),
      showBanded(cpuDiff(r.create, "floor-fetch-chunked", "floor-fetch")),
      ""
    ],
    [
      "the SDK's whole call, `Content-Encoding: gzip` vs `Content-Length`",
      "SDK web gzip − SDK web length",
      stubDiff(s, "sdk-web-gzip", "sdk-web-length"),
      "",
      ""
    ],
    [
      "everything the SDK adds over the floor (canned)",
      "SDK default − floor",
      stubDiff(s, "sdk", "floor"),
      showBanded(cpuDiff(r.create, "sdk-undici", "floor-undici")),
      ""
    ],
    [
      "everything the SDK adds over the floor (fetch path, `Content-Length`)",
      "SDK web length − floor web length",
      stubDiff(s, "sdk-web-length", "floor-web-length"),
      showBanded(cpuDiff(r.create, "sdk-fetch", "floor-fetch")),
      ""
    ]
  ]
  return table(
    ["mechanism", "stubbed rows", "CPU µs per call, stubbed", "loopback µs (probe or row pair)", "switch today"],
    rows.map(([what, how, d, loopback, off]) => [what, how, showDiff(d), loopback || "–", off || "–"])
  )
}

const transportComparison = (r: Results): { readonly table: string; readonly verdict: string } => {
  const a: ClientId = "sdk-node-undici"
  const b: ClientId = "sdk-undici"
  const tpA = byId(r.throughput, a)
  const tpB = byId(r.throughput, b)
  const measures: ReadonlyArray<readonly [string, Banded | StubDiff]> = [
    ["create CPU µs per call, loopback", cpuDiff(r.create, a, b, familyZ)],
    ["create p50 µs, loopback", p50Diff(r.create, a, b, familyZ)],
    ["revoke CPU µs per call, loopback", cpuDiff(r.revoke, a, b, familyZ)],
    [
      "req/s at c16 (s.e. of the rounds)",
      tpA && tpB
        ? banded(tpA.median, roundsStdErr(tpA.rounds), tpB.median, roundsStdErr(tpB.rounds), familyZ)
        : { value: NaN, band: NaN }
    ],
    [
      "create CPU µs per call, MockAgent, `Content-Length` (± noises)",
      stubDiff(r.stub, "sdk-mock-node-undici", "sdk-mock-undici")
    ],
    [
      "create CPU µs per call, MockAgent, no `Content-Length` (± noises)",
      stubDiff(r.stub, "sdk-mock-node-undici-chunked", "sdk-mock-undici-chunked")
    ],
    ["floor: create CPU µs per call, loopback", cpuDiff(r.create, "floor-node-undici", "floor-undici", familyZ)],
    [
      "floor: create CPU µs per call, MockAgent (± noises)",
      stubDiff(r.stub, "floor-mock-node-undici", "floor-mock-undici")
    ]
  ]
  const measured = measures.filter(([, d]) => Number.isFinite(d.value))
  const outside = measured.filter(([, d]) => !within(d))
  const show = (d: Banded | StubDiff) => ("band" in d ? showBanded(d) : showDiff(d))
  const verdict = measured.length === 0
    ? "not measured in this run."
    : outside.length === 0
    ? `**within this run's noise** on every measure (${measured.length}): the SDK over \`NodeHttpClient.makeUndici\` and over \`UndiciHttpClient\` cannot be told apart here.`
    : `**not within noise** on ${outside.length} of ${measured.length} measures: ${
      outside.map(([what, d]) => `${what} ${show(d)}`).join("; ")
    } (positive: \`makeUndici\` costs more / serves more req/s).`
  return {
    table: table(
      ["measure", "makeUndici − UndiciHttpClient"],
      measures.map(([what, d]) => [what, show(d)])
    ),
    verdict
  }
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
  const rec = transportLabels[recommended]
  const sdkRec = idOf("sdk", recommended)
  const comparison = transportComparison(r)
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
difference of two whole calls that differ in that one switch, or a component alone minus the harness), ± the sum of
the two rows' noises, and where there is one, on the loopback call (a probe row — the floor over
UndiciHttpClient plus that one mechanism — minus the floor, or the difference of two loopback rows), ± two standard
errors. The stubbed price misses what suspending and resuming around real I/O costs (the timeout's race and the retry
driver really wait there), so for those the loopback figure is the one to believe. "switch today" is what a user can
turn off without changing the SDK.

${hiddenCostTable(r)}

### \`NodeHttpClient.makeUndici\` vs \`UndiciHttpClient\`

The SDK (and the floor) over \`@effect/platform-node\`'s undici client against the project's own copy, same undici
${r.env.versions["undici"] ?? ""}, same defaults (a new \`Agent\` per layer). A difference is within noise when it is
inside 2.58 standard errors of the rounds (loopback: five comparisons at once, so that noise alone puts one of them
outside its band in one run of twenty) or inside the sum of the two rows' noises (stubbed).

${comparison.table}

Verdict: ${comparison.verdict}

### Response shapes

What an answer without \`Content-Length\` costs on the loopback call, per client (create; the chunked port sends the
body as one chunk, the gzip port gzip-encoded and chunked; fetch decompresses and keeps \`Content-Encoding\`), ± two
standard errors:

${shapeTable(r)}

### Notes on the goals

- **Latency and throughput.** On a loopback call the client's CPU *is* the latency, so the ratios to
  @clerk/backend above are ratios of CPU per call; against a real Clerk (tens of ms away) the differences shrink to
  that CPU cost alone, and the answer is most likely gzip-encoded (the "gzip" rows).
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
  members used.${
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
