/**
 * The `launchkey` operator CLI on top of the SDK: link and unlink devices, list and end sessions,
 * send a test push, list and add service keys. `bin/launchkey.js` runs `main` (main.ts); specs call
 * {@link run} with their own streams and environment.
 */
export { run, COMMANDS } from './run.js';
export { EXIT } from './exit_codes.js';
