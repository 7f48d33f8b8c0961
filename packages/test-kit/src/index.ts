/**
 * Test tools for `@effect-clerk/client`: a scripted mock transport, a stateful Clerk emulator served in memory and
 * on loopback, fault injection and fixtures.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Mock from "./Mock.js"

/**
 * @since 0.1.0
 */
export * as Observe from "./Observe.js"

/**
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * @since 0.1.0
 */
export * as EmulatorModel from "./EmulatorModel.js"

/**
 * @since 0.1.0
 */
export * as EmulatorServer from "./EmulatorServer.js"

/**
 * @since 0.1.0
 */
export * as EmulatorWebhooks from "./EmulatorWebhooks.js"

/**
 * @since 0.1.0
 */
export * as Fixtures from "./Fixtures.js"

/**
 * @since 0.1.0
 */
export * as TestClerk from "./TestClerk.js"
