/**
 * The "Analysis" section of RESULTS.md: every number in it is read from this run's results, so the text stays true
 * when the bench is rerun; only the explanations are fixed.
 */
import type { ClientId } from "./clients.js"
import type { SequentialResult } from "./measure.js"
import type { Results } from "./report.js"

const f0 = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(0)
const pct = (part: number, whole: number): string => `${((part / whole) * 100).toFixed(0)} %`

export const analysis = (r: Results): string => {
  const seq = (id: ClientId): SequentialResult | undefined => r.create.find((row) => row.id === id)
  const cpu = (id: ClientId): number => seq(id)?.cpuPerCall ?? Number.NaN
  const se = (id: ClientId): number => seq(id)?.cpuStdErr ?? Number.NaN
  /** `a − b` with a two-standard-error band, as text; "within noise" when the band covers 0. */
  const diff = (a: ClientId, b: ClientId): string => {
    const value = cpu(a) - cpu(b)
    const band = 2 * Math.sqrt(se(a) ** 2 + se(b) ** 2)
    return Math.abs(value) <= band
      ? `${f0(value)} ± ${f0(band)} µs (within this run's noise)`
      : `${f0(value)} ± ${f0(band)} µs`
  }
  const stubSpread = (name: string): number => r.stub.find((task) => task.name === name)?.spread ?? Number.NaN
  const user = (id: ClientId): number => seq(id)?.userPerCall ?? Number.NaN
  const tp = (id: ClientId): number => r.throughput.find((row) => row.id === id)?.median ?? Number.NaN
  const stub = (name: string): number => r.stub.find((task) => task.name === name)?.mean ?? Number.NaN
  const harness = stub("harness: runPromise(Effect.void)")
  const net = (name: string): number => stub(name) - harness

  const sdkStub = stub("SDK create, default")
  const streamRead = stub("execute + read body as stream, http.client span off") -
    stub("execute + read body as text, http.client span off")
  const httpSpan = stub("SDK create, default") - stub("SDK create, http.client span off")
  const allTracing = stub("SDK create, default") - stub("SDK create, tracer off")
  const retries = stub("SDK create, default") - stub("SDK create, maxRetries 0")
  const timeout = net("timeout wrapper (Effect.timeoutFail)")
  const retryWrapper = net("retry wrapper (Effect.retry, the client's schedule shape)")
  const fnSpan = net("Effect.fn span (empty body)")
  const encode = net("encode params (Schema)")
  const decode = net("decode (JSON.parse + Schema ActorToken)")
  const build = stub("build request (post, JSON body, URL, headers)")
  const floorStub = stub("Effect HTTP floor create (HttpClient + Schema)")
  const probe = (id: ClientId): number => cpu(id) - cpu("floor-undici")
  const timeoutNet = probe("probe-timeout")

  const fetchOverUndici = cpu("raw-fetch") - cpu("raw-undici")
  const floorFetch = cpu("floor-fetch") - cpu("raw-fetch")
  const floorUndici = cpu("floor-undici") - cpu("raw-undici")
  const sdkOverFloorUndici = cpu("sdk-undici") - cpu("floor-undici")
  const sdkUndiciOverRaw = cpu("sdk-undici") - cpu("raw-undici")
  const sdkFetchOverRaw = cpu("sdk-fetch") - cpu("raw-fetch")
  const undiciSaves = cpu("sdk-fetch") - cpu("sdk-undici")
  const noSpanSaves = Math.max(0, cpu("sdk-undici") - cpu("sdk-undici-nospan"))

  const sdkBundle = r.bundles.sdk
  const floorBundle = r.bundles.floor
  const indexBundle = r.bundles["sdk-index"]
  const clerkBundle = r.bundles.clerk
  const sdkRss = r.rss.find((row) => row.id === "sdk-undici")

  return `### Where a call's CPU goes

Client CPU per sequential create, µs (user + system; the system part is mostly the loopback TCP stack and waking
the server process, which a real network call pays too):

| layer | undici | fetch |
|---|---:|---:|
| raw transport | ${f0(cpu("raw-undici"))} | ${f0(cpu("raw-fetch"))} |
| + Effect \`HttpClient\` + \`Schema\` (the floor) | +${diff("floor-undici", "raw-undici")} | +${
    diff("floor-fetch", "raw-fetch")
  } |
| + the SDK over the floor | +${diff("sdk-undici", "floor-undici")} | +${diff("sdk-fetch", "floor-fetch")} |
| = SDK | ${f0(cpu("sdk-undici"))} (user ${f0(user("sdk-undici"))}) | ${f0(cpu("sdk-fetch"))} (user ${
    f0(user("sdk-fetch"))
  }) |

- **The transport.** Node's \`fetch\` costs ${f0(fetchOverUndici)} µs more CPU per call than undici's \`request()\` here
  (WHATWG \`Request\`/\`Headers\` objects, a web \`ReadableStream\` body, spec checks). \`UndiciHttpClient\` skips all of it:
  the SDK over it uses ${f0(undiciSaves)} µs less CPU per call than over \`FetchHttpClient\`
  (${pct(undiciSaves, cpu("sdk-fetch"))}).
- **The Effect HTTP layer.** \`HttpClient.make\` adds a fiber per request, URL parsing, an \`http.client\` span with one
  attribute per request and response header, an \`AbortController\` and a \`FinalizationRegistry\` entry per response.
  With \`Schema\` encode/decode that is the floor: +${f0(floorUndici)} µs over raw undici, +${
    f0(floorFetch)
  } µs over raw fetch.
- **The SDK over the floor** (+${f0(sdkOverFloorUndici)} µs over undici). With the network stubbed the SDK costs
  ${f0(sdkStub)} µs per create against ${f0(floorStub)} µs for the floor. Its mechanisms, priced two ways: on the
  loopback call (a "probe" row: the floor over undici plus that one mechanism, minus the floor) and with the network
  stubbed (tinybench, CPU per call). The stubbed price misses what suspending and resuming around real I/O costs
  (the timeout's race and the retry driver really wait there), so the probe is the one to believe for those:

| part | CPU µs per call, loopback probe | CPU µs per call, stubbed |
|---|---:|---:|
| reading the body through \`response.stream\` (Effect \`Stream\` fold) instead of \`response.text\` | ${
    diff("probe-stream", "floor-undici")
  } | ${f0(streamRead)} |
| \`Effect.timeoutFail\` around the attempt (forks the attempt and a sleeping fiber per call) | ${
    diff("probe-timeout", "floor-undici")
  } | ${f0(timeout)} |
| \`Effect.retry\` with a schedule like the client's, on a first-attempt success | ${
    diff("probe-retry", "floor-undici")
  } | ${f0(retryWrapper)} |
| tracing, both spans (\`SDK default\` − \`tracer off\`) | – | ${f0(allTracing)} |
| of which the platform's \`http.client\` span | ${diff("sdk-undici", "sdk-undici-nospan")} | ${f0(httpSpan)} ± ${
    f0(stubSpread("SDK create, default") + stubSpread("SDK create, http.client span off"))
  } |
| the \`Effect.fn\` span alone (stack capture + span) | – | ${f0(fnSpan)} |
| \`maxRetries: 2\` vs \`0\` (the schedule is still built and run with 0) | – | ${f0(retries)} |
| encode params with \`Schema\` | – | ${f0(encode)} |
| decode the token (\`JSON.parse\` + \`Schema\`) | – | ${f0(decode)} |
| build the request (URL, headers, JSON body) | – | ${f0(build)} |

  The one large item is the body read: an Effect \`Stream\` run costs about as much as all the rest of the call,
  even for a one-chunk body, because every run builds a channel executor, a scope and several fibers. The client reads
  the body as a stream only to refuse bodies over 1 MiB without buffering them.

### What the SDK can choose or configure today

- **The transport:** \`UndiciHttpClient.layer\` (this package, deep import) — ${
    f0(undiciSaves)
  } µs less CPU per call than
  \`FetchHttpClient\`, ${(tp("sdk-undici") / tp("sdk-fetch")).toFixed(2)}× its req/s.
- **The \`http.client\` span:** \`transformClient: (c) => HttpClient.withTracerDisabledWhen(c, () => true)\` keeps the
  SDK's own \`ActorTokens.create\` span and drops the platform's per-request span: ${
    diff("sdk-undici", "sdk-undici-nospan")
  } per call on the network, ${f0(httpSpan)} µs stubbed.
- **Tracing off** (\`Layer.setTracerEnabled(false)\`) saves ${
    f0(allTracing)
  } µs stubbed — only for programs that export no
  traces.

### Changes in packages/client/src that the numbers point to

The probes price each mechanism on the Effect floor. Changes 1 and 2 are made in the client (its rows above include
them); 3 and 4 are not.

1. **(made) Read a framed body without \`Stream\`** (\`internal/http.ts\`, \`readBody\`): when the response has a
   \`content-length\` ≤ \`maxResponseBytes\` and no \`content-encoding\`, the framing already bounds the body, so read it
   with \`response.text\`; keep the streaming fold (which stops past the limit) for larger, chunked or compressed
   bodies. Saving: ${diff("probe-stream", "floor-undici")} per call on the loopback probe
   (${f0(streamRead)} µs stubbed).
2. **(made) Pay for retries only after a failure** (\`internal/http.ts\`, \`execute\`): run the first attempt bare and enter
   \`Effect.retry\` from \`Effect.catchAll\` (feeding the first error to the schedule), and skip it when \`maxRetries\` is 0.
   Saving: up to ${diff("probe-retry", "floor-undici")} per call on the loopback probe (${f0(retryWrapper)} µs stubbed).
3. **(not made) A cheaper timeout:** \`Effect.timeoutFail\` costs ${
    diff("probe-timeout", "floor-undici")
  } per call on the loopback probe
   (${f0(timeout)} µs stubbed, where the race never suspends). Options: one fork plus a plain timer that interrupts it,
   or a transport-level deadline.
4. **(not made) An option to drop the \`http.client\` span** (e.g. \`httpClientSpan: false\`, applying
   \`HttpClient.withTracerDisabledWhen\`) so users need not know the \`transformClient\` recipe:
   ${diff("sdk-undici", "sdk-undici-nospan")} on the network, ${f0(httpSpan)} ± ${
    f0(stubSpread("SDK create, default") + stubSpread("SDK create, http.client span off"))
  } µs stubbed.

### Goals

- **Latency and throughput vs @clerk/backend.** @clerk/backend is a thin layer over \`fetch\`
  (${
    f0(cpu("clerk-backend") - cpu("raw-fetch"))
  } µs over raw fetch). The SDK over undici starts from a transport that is
  ${f0(fetchOverUndici)} µs cheaper, then spends ${f0(sdkUndiciOverRaw)} µs on top of it (${
    f0(floorUndici)
  } µs of which is
  the Effect HTTP floor). On a loopback call the client CPU *is* the latency, so the SDK is at
  ${(seq("sdk-undici")!.p50 / seq("clerk-backend")!.p50).toFixed(2)}× @clerk/backend's p50 and
  ${(tp("sdk-undici") / tp("clerk-backend")).toFixed(2)}× its req/s. Against a real Clerk (tens of ms away) these
  differences shrink to the CPU cost alone.
- **SDK CPU over its transport ≤ 120 µs.** Measured ${f0(sdkUndiciOverRaw)} µs over undici (${
    f0(sdkFetchOverRaw)
  } µs over fetch).
  On this machine even the floor (${f0(floorUndici)} µs over raw undici) is above 120 µs: Effect 3's runtime, the
  platform \`HttpClient\` and \`Schema\` cost that much here before the SDK adds anything. The SDK's own share is
  ${f0(sdkOverFloorUndici)} µs with changes 1 and 2 in; changes 3 and 4 would cut at most an estimated
  ${f0(timeoutNet + noSpanSaves)} µs more, which brings the SDK near the floor but not to 120 µs over raw undici on
  this CPU.
- **Bundle.** ${
    sdkBundle && floorBundle
      ? `The SDK adds ${((sdkBundle.gzipped - floorBundle.gzipped) / 1024).toFixed(1)} KB gzipped to the floor: its own
  code (request/response mapping, config validation, twelve typed errors) and the Effect modules it alone uses —
  \`Schedule\` (retries), \`RateLimiter\`, \`Config\` — per the module table above.${
        indexBundle
          ? ` Importing from the package indexes instead of subpaths adds ${
            ((indexBundle.gzipped - sdkBundle.gzipped) / 1024).toFixed(1)
          } KB (through \`export * as Effect from …\` re-exports esbuild keeps whole namespaces of \`effect\`, e.g. every export of \`Effect.js\` and what those pull in such as \`internal/cache\` and \`internal/query\`, instead of the members used).`
          : ""
      }${
        clerkBundle
          ? ` @clerk/backend's one-call program is ${(clerkBundle.gzipped / 1024).toFixed(1)} KB; the Effect floor alone
  is ${(floorBundle.gzipped / 1024).toFixed(1)} KB, so any Effect HttpClient program is larger than @clerk/backend.`
          : ""
      }`
      : "–"
  }
- **Memory.** ${
    sdkRss
      ? `After ${sdkRss.calls.toLocaleString("en")} calls and a full GC the SDK's heap went from ${
        sdkRss.heapStart.toFixed(1)
      } to ${sdkRss.heapEnd.toFixed(1)} MiB and its RSS from ${sdkRss.rssStart.toFixed(1)} to ${
        sdkRss.rssEnd.toFixed(1)
      } MiB. RSS between checkpoints moves with V8's young-generation and allocator caching; the heap after GC is
  the leak indicator.`
      : "–"
  }
- **Cold start.** Loading Effect is most of the SDK's cold start: compare "imports done" with the empty process and
  with @clerk/backend. The SDK rows differ in import style (package indexes vs deep imports such as \`effect/Effect\`)
  as well as in transport; deep imports load fewer modules.
`
}
