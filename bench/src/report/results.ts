/** The numbers of one run, as main.ts saves them, and a goal's verdict. */
import type { BundleResult } from "../bundle.js"
import { type ColdMode, type ColdRun, type Program } from "../cold.js"
import type { SequentialResult, ThroughputResult } from "../measure.js"
import type { RssResult } from "../rss.js"
import type { ServerStats } from "../server.js"
import type { StubTask } from "../stub.js"

interface Environment {
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly cores: number
  readonly versions: Readonly<Record<string, string>>
  readonly settings: Readonly<Record<string, string | number>>
  readonly seconds: Readonly<Record<string, number>>
  readonly load: string
  /** The recommended transport when the run was made. */
  readonly recommended: string
}

export interface Results {
  readonly env: Environment
  readonly create: ReadonlyArray<SequentialResult>
  readonly revoke: ReadonlyArray<SequentialResult>
  readonly throughput: ReadonlyArray<ThroughputResult>
  readonly rss: ReadonlyArray<RssResult>
  readonly stub: ReadonlyArray<StubTask>
  readonly cold: Readonly<Partial<Record<ColdMode, Readonly<Partial<Record<Program, ReadonlyArray<ColdRun>>>>>>>
  readonly bundles: Readonly<Partial<Record<Program, BundleResult>>>
  readonly server: ServerStats
}

export interface Goal {
  readonly goal: string
  readonly target: string
  readonly measured: string
  /** `undefined`: not measured in this run. */
  readonly met: boolean | undefined
  readonly note: string
}
