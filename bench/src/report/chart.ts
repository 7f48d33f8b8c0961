/** The SVG chart of RESULTS.md: latency ratios to @clerk/backend. */
import { labelOf, specOf } from "../clients.js"
import type { SequentialResult } from "../measure.js"
import { byId } from "./format.js"

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "")

/** Horizontal bars: p50 and p99 latency of each client as a ratio to @clerk/backend's. */
export const chart = (create: ReadonlyArray<SequentialResult>): string => {
  const clerk = byId(create, "clerk-backend")
  if (clerk === undefined) return ""
  const rows = create.filter((row) => specOf(row.id).shape === "length").map((row) => ({
    label: labelOf(row.id),
    p50: row.p50 / clerk.p50,
    p99: row.p99 / clerk.p99
  }))
  const max = Math.max(1.2, ...rows.flatMap((row) => [row.p50, row.p99])) * 1.1
  const left = 320
  const width = 520
  const rowHeight = 34
  const top = 48
  const height = top + rows.length * rowHeight + 48
  const scale = (value: number): number => left + (value / max) * width
  const bars = rows.map((row, i) => {
    const y = top + i * rowHeight
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(row.label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${(scale(row.p50) - left).toFixed(1)}" height="12" fill="#3b6fb6"/>`,
      `<text x="${(scale(row.p50) + 4).toFixed(1)}" y="${y + 13}" class="v">${row.p50.toFixed(2)}</text>`,
      `<rect x="${left}" y="${y + 16}" width="${(scale(row.p99) - left).toFixed(1)}" height="12" fill="#9bb8e0"/>`,
      `<text x="${(scale(row.p99) + 4).toFixed(1)}" y="${y + 26}" class="v">${row.p99.toFixed(2)}</text>`
    ].join("\n")
  })
  const ticks = Array.from({ length: Math.floor(max / 0.25) + 1 }, (_, i) => i * 0.25).map((t) =>
    `<line x1="${scale(t).toFixed(1)}" y1="${top - 4}" x2="${scale(t).toFixed(1)}" y2="${
      height - 40
    }" stroke="#eee"/>` +
    `<text x="${scale(t).toFixed(1)}" y="${height - 26}" text-anchor="middle" class="v">${t.toFixed(2)}</text>`
  )
  const bottom = height - 40
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    left + width + 60
  }" height="${height}" font-family="sans-serif" font-size="12">
<style>.v { font-size: 10px; fill: #333 }</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="bold">Sequential create latency, ratio to @clerk/backend (lower is better)</text>
<rect x="${left}" y="28" width="10" height="10" fill="#3b6fb6"/><text x="${left + 14}" y="37">p50</text>
<rect x="${left + 50}" y="28" width="10" height="10" fill="#9bb8e0"/><text x="${left + 64}" y="37">p99</text>
<text x="${left + 110}" y="37" fill="#c0392b">dashed: long-range goal 0.80× (p50)</text>
${ticks.join("\n")}
${bars.join("\n")}
<line x1="${scale(1).toFixed(1)}" y1="${top - 4}" x2="${scale(1).toFixed(1)}" y2="${bottom}" stroke="#333"/>
<line x1="${scale(0.8).toFixed(1)}" y1="${top - 4}" x2="${
    scale(0.8).toFixed(1)
  }" y2="${bottom}" stroke="#c0392b" stroke-dasharray="4 3"/>
<text x="${left + width / 2}" y="${height - 8}" text-anchor="middle">× @clerk/backend</text>
</svg>
`
}
