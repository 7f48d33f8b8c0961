/**
 * The options of a `layerConfig`: each one a plain value or a `Config`, turned into one `Config` of the options.
 */
import * as Config from "effect/Config"

/**
 * @internal
 * One `Config` per option, none left out: `Config.all` of it yields exactly the options, so adding an option without
 * saying where it comes from does not compile.
 */
export type Entries<O> = { readonly [K in keyof O]-?: Config.Config<O[K]> }

const isConfig = <A>(value: A | Config.Config<A>): value is Config.Config<A> => Config.isConfig(value)

/** @internal An option as given (a plain value or a `Config`), or `fallback` when it is left out. */
export const entry = <A>(value: A | Config.Config<A> | undefined, fallback: Config.Config<A>): Config.Config<A> =>
  value === undefined ? fallback : isConfig(value) ? value : Config.succeed(value)

/** @internal The fallback of an option read from nowhere by default: left out, the option's own default applies. */
export const absent: Config.Config<undefined> = Config.succeed(undefined)
