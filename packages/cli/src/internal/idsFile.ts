import { Ids } from "@effect-clerk/schema"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/** @internal The ids of a `--from-file`, in file order, each once. */
export interface IdsFile {
  readonly ids: ReadonlyArray<Ids.ActorTokenId>
  /** How many lines repeated an id already listed (each id is revoked once). */
  readonly duplicates: number
}

const isActorTokenId = Schema.is(Ids.ActorTokenId)

/**
 * @internal
 * One id per line; blank lines and `#` comments (whole lines or after the id) are ignored. Every id is checked before
 * anything is sent: one invalid line refuses the whole file, naming up to five bad lines.
 */
export const parse = (content: string): Either.Either<IdsFile, string> => {
  const ids: Array<Ids.ActorTokenId> = []
  const seen = new Set<string>()
  const invalid: Array<string> = []
  let duplicates = 0
  content.split(/\r?\n/).forEach((line, index) => {
    const text = line.replace(/#.*$/, "").trim()
    if (text === "") return
    if (!isActorTokenId(text)) {
      invalid.push(`line ${index + 1}: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`)
    } else if (seen.has(text)) {
      duplicates++
    } else {
      seen.add(text)
      ids.push(text)
    }
  })
  if (invalid.length > 0) {
    const shown = invalid.slice(0, 5).join("; ")
    const more = invalid.length > 5 ? `; and ${invalid.length - 5} more` : ""
    return Either.left(
      `${invalid.length} line(s) of the file are not actor token ids (1–128 of A-Z a-z 0-9 _ -): ${shown}${more}`
    )
  }
  return Either.right({ ids, duplicates })
}
