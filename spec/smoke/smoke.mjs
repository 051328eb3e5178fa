// Imports the built package through its own name (package self-reference via "exports"), as an ESM
// consumer would. Run by `.ci/run` after `npm run build`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { LaunchKeyError, Strategy, AuthPolicy, keyId, loadPrivateKey } from 'passport-launchkey';
import { startEmulator } from 'passport-launchkey/emulator';

const pem = readFileSync(new URL('../vectors/java-jcecrypto-private-key.pem', import.meta.url), 'utf8');
const key = loadPrivateKey(pem);
assert.equal(key.kid, '5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce');
assert.equal(keyId(key.keyObject), key.kid);
assert.throws(() => loadPrivateKey('not a key'), LaunchKeyError);
assert.equal(typeof Strategy, 'function');
assert.deepEqual(new AuthPolicy({ any: 2 }).toJSON().minimum_requirements, [
  { requirement: 'authenticated', any: 2, knowledge: 0, inherence: 0, possession: 0 },
]);
const emulator = await startEmulator();
assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
await emulator.close();
console.log('ESM smoke test passed');
