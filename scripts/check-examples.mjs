// Every ```ts block under an `@example` in the JSDoc of the public modules (packages/*/src, not src/internal) compiles.
// Each block is written to its own module in a folder inside its package, so `@effect-clerk/*`, `effect` and
// `@effect/platform` resolve as they do for that package (the `source` condition reads the workspace's sources, no
// build needed), and all of them are type-checked in one TypeScript program.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

const root = new URL("..", import.meta.url).pathname
const folder = ".examples-check"

/** The public modules of a package: `src/**\/*.ts` outside `src/internal`. */
const publicModules = (src) =>
  readdirSync(src, { recursive: true, withFileTypes: false })
    .filter((file) => file.endsWith(".ts") && !file.startsWith("internal"))
    .map((file) => join(src, file))

/** The ```ts blocks of the `@example` sections of a file's JSDoc, each with the source line its code starts on. */
const examplesOf = (file) => {
  const text = readFileSync(file, "utf8")
  const examples = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split("\n").map((line) => line.replace(/^\s*\*(?: |$)/, ""))
    const firstLine = text.slice(0, comment.index).split("\n").length
    let inExample = false
    for (let i = 0; i < lines.length; i++) {
      if (/^@\w+/.test(lines[i])) inExample = lines[i].startsWith("@example")
      if (!inExample || lines[i].trim() !== "```ts") continue
      const end = lines.findIndex((line, j) => j > i && line.trim() === "```")
      if (end === -1) throw new Error(`${relative(root, file)}:${firstLine + i}: an @example's \`\`\`ts is not closed`)
      examples.push({ line: firstLine + i + 1, code: lines.slice(i + 1, end).join("\n") + "\n" })
      i = end
    }
  }
  return examples
}

const base = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.base.json"), {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
  }
})
const options = {
  ...base.options,
  customConditions: ["source"],
  noEmit: true,
  declaration: false,
  declarationMap: false,
  sourceMap: false,
  // An example shows a program or a layer without running it: an unused declaration is its point.
  noUnusedLocals: false,
  noUnusedParameters: false
}

const written = new Map()
const folders = []
let failed = 0
try {
  for (const pkg of readdirSync(join(root, "packages"))) {
    const src = join(root, "packages", pkg, "src")
    const out = join(root, "packages", pkg, folder)
    folders.push(out)
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out)
    for (const file of publicModules(src)) {
      examplesOf(file).forEach(({ code, line }, index) => {
        const path = join(out, `${relative(src, file).replace(/[/\\]/g, "_").replace(/\.ts$/, "")}.${index + 1}.ts`)
        writeFileSync(path, code)
        written.set(path, { file: relative(root, file), line })
      })
    }
  }

  const started = Date.now()
  const program = ts.createProgram([...written.keys()], options)
  const broken = new Set()
  for (const [path, { file, line }] of written) {
    const source = program.getSourceFile(path)
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    for (const diagnostic of diagnostics) {
      const at = diagnostic.start === undefined ? 0 : source.getLineAndCharacterOfPosition(diagnostic.start).line
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n    ")
      console.error(`${file}:${line + at}: TS${diagnostic.code}: ${message}`)
      broken.add(path)
    }
  }
  failed = broken.size
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (failed > 0) console.error(`\n✘ ${failed} of ${written.size} @example blocks do not compile (${seconds} s)`)
  else console.log(`✔ all ${written.size} @example blocks compile (${seconds} s)`)
} finally {
  for (const out of folders) rmSync(out, { recursive: true, force: true })
}
process.exit(failed > 0 || written.size === 0 ? 1 : 0)
