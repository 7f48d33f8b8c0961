/**
 * The one line every program prints when its call is done: milliseconds since the process started
 * (`performance.now()`) when its imports had been evaluated and when the call returned. The cold-start phase reads it.
 */
export const done = (importedMs: number): void => {
  process.stdout.write(`${JSON.stringify({ importedMs, calledMs: performance.now() })}\n`)
}

/** The loopback API the runner passes (the bundle-size phase never runs the programs). */
export const apiUrl = process.env.CLERK_API_URL ?? "https://api.clerk.com"

export const secretKey = process.env.CLERK_SECRET_KEY ?? ""
