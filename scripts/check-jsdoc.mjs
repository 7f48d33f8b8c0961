// Every public export of every package carries JSDoc with `@since` (and `@category`, except module re-exports);
// operations and layers also carry an `@example`. Internal modules (src/internal) are not public and are skipped.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const problems = []
for (const pkg of readdirSync(join(root, "packages"))) {
  const src = join(root, "packages", pkg, "src")
  for (const file of readdirSync(src).filter((f) => f.endsWith(".ts") && f !== "bin.ts")) {
    const lines = readFileSync(join(src, file), "utf8").split("\n")
    lines.forEach((line, index) => {
      const match = /^export (?:declare )?(const|class|interface|type|function|\* as) ?(\w+)?/.exec(line)
      if (!match) return
      const name = match[2] ?? line
      let end = index - 1
      while (end >= 0 && lines[end].trim() === "") end--
      if (end < 0 || !lines[end].trim().endsWith("*/")) {
        problems.push(`${pkg}/src/${file}:${index + 1} ${name}: no JSDoc`)
        return
      }
      let start = end
      while (start > 0 && !lines[start].trim().startsWith("/**")) start--
      const doc = lines.slice(start, end + 1).join("\n")
      if (!doc.includes("@since")) problems.push(`${pkg}/src/${file}:${index + 1} ${name}: no @since`)
      if (match[1] !== "* as" && !doc.includes("@category")) {
        problems.push(`${pkg}/src/${file}:${index + 1} ${name}: no @category`)
      }
      const category = /@category (\w+)/.exec(doc)?.[1]
      if ((category === "operations" || category === "layers") && !doc.includes("@example")) {
        problems.push(`${pkg}/src/${file}:${index + 1} ${name}: an ${category.slice(0, -1)} without @example`)
      }
    })
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  console.error(`\n${problems.length} public export(s) without the required JSDoc`)
  process.exit(1)
}
console.log("✔ every public export has JSDoc with @since and @category; operations and layers have @example")
