'use strict';
// Requires the built ESM package from CommonJS (require(esm), unflagged since Node 20.19 and 22.12),
// as an Express app written in CommonJS would. Run by `.ci/run` after `npm run build`.
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const { LaunchKeyError, loadPrivateKey } = require('passport-launchkey');

const pem = readFileSync(path.join(__dirname, '..', 'vectors', 'dotnet-test-private.key'), 'utf8');
assert.equal(loadPrivateKey(pem).kid, '5f:6a:97:2b:2b:65:0a:c4:c4:69:46:b3:e6:e7:26:ba');
assert.throws(() => loadPrivateKey('not a key'), LaunchKeyError);
console.log('CommonJS smoke test passed');
