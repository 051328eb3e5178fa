/**
 * `passport-launchkey/emulator`: a local LaunchKey Platform API v3 with a simulated phone.
 *
 * ```ts
 * const emu = await startEmulator({ config: { organizations: [...], services: [...], users: [...] } })
 * // point the SDK at emu.url; approve from a test:
 * await emu.respond((await emu.auths({ status: 'pending' }))[0].id, 'approve')
 * await emu.close()
 * ```
 *
 * > [!WARNING]
 * > The emulator approves anything it is told to. It binds to loopback only unless `allowRemote` is
 * > set, and refuses to start under `NODE_ENV=production`.
 */
export type { EmulatorConfig, ConfigKey, ConfigDevice, RateLimitOptions } from './config.js';
export type { RetentionOptions } from './retention.js';
export type { AuthSummary, LinkDeviceOptions } from './control_actions.js';
export type { AuthAction } from './auth_flow.js';
export { MAX_CLOCK_AHEAD_SECONDS } from './emulator_clock.js';
export type { DeliveryRecord, WebhookKind, WebhookOptions } from './webhooks.js';
export type { DeviceLocation, KeyType } from './state.js';
export type { AuthMethodName } from './device_methods.js';
export { AUTH_METHODS, DEFAULT_SUPPORTED_METHODS } from './device_methods.js';
export { createDemoWorld } from './demo_world.js';
export type { DemoWorld, DemoWorldOptions } from './demo_world.js';
export { startEmulator } from './start.js';
export type { Emulator, EmulatorOptions } from './start.js';
export type { AuthStatus, DeviceFactor, Session } from './state.js';
