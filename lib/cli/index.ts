/**
 * The `launchkey` operator CLI on top of the SDK: link and unlink devices, list and end sessions,
 * send a test push, list and add service keys. `bin/launchkey.js` runs {@link main}; specs call
 * {@link run} with their own streams and environment.
 */
export { run, COMMANDS } from './run.js';
export { main } from './main.js';
export { EXIT, exitCodeFor, type ExitCode } from './exit_codes.js';
export type { CliIo, TextSink, ErrorJson } from './output.js';
export type { DeviceJson, SessionJson, PublicKeyJson } from './views.js';
export type { PushOutcome } from './commands/push.js';
