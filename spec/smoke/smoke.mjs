// Imports the built package through its own name (package self-reference via "exports"), as an ESM
// consumer would. Run by `.ci/run` after `npm run build`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { LaunchKeyError, Strategy, TransportError, NetworkError } from 'passport-launchkey';
import { AuthPolicy, keyId, loadPrivateKey } from 'passport-launchkey/sdk';
import { startEmulator } from 'passport-launchkey/emulator';
import { redisState } from 'passport-launchkey/redis';
import { pendingStoreConformance } from 'passport-launchkey/testing';
import { fastifyHandlers } from 'passport-launchkey/fastify';
import { koaHandlers } from 'passport-launchkey/koa';
import { nestHandlers } from 'passport-launchkey/nest';

// Every entry resolves to its own face, and the errors are one class whichever entry threw them.
for (const fn of [Strategy, redisState, pendingStoreConformance, fastifyHandlers, koaHandlers, nestHandlers]) {
  assert.equal(typeof fn, 'function');
}
assert.ok(new NetworkError('down') instanceof TransportError);

const pem = readFileSync(new URL('../vectors/java-jcecrypto-private-key.pem', import.meta.url), 'utf8');
const key = loadPrivateKey(pem);
assert.equal(key.kid, '5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce');
assert.equal(keyId(key.keyObject), key.kid);
assert.throws(() => loadPrivateKey('not a key'), LaunchKeyError);
assert.deepEqual(new AuthPolicy({ any: 2 }).toJSON().minimum_requirements, [
  { requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 },
]);
const emulator = await startEmulator();
assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
await emulator.close();
console.log('ESM smoke test passed');
