'use strict';
// Requires the built ESM package from CommonJS (require(esm), unflagged since Node 20.19 and 22.12),
// as an Express app written in CommonJS would, and logs a user in through the SDK against the
// emulator subpath. Run by `.ci/run` after `npm run build`.
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const { LaunchKeyError, Strategy } = require('passport-launchkey');
const { ServiceFactory, loadPrivateKey } = require('passport-launchkey/sdk');
const { createDemoWorld, startEmulator } = require('passport-launchkey/emulator');

// Every other entry resolves from CommonJS too.
for (const [entry, name] of [
  ['passport-launchkey/redis', 'redisState'],
  ['passport-launchkey/testing', 'pendingStoreConformance'],
  ['passport-launchkey/fastify', 'fastifyHandlers'],
  ['passport-launchkey/koa', 'koaHandlers'],
  ['passport-launchkey/nest', 'nestHandlers'],
]) {
  assert.equal(typeof require(entry)[name], 'function', `${entry} ${name}`);
}

async function main() {
  const pem = readFileSync(path.join(__dirname, '..', 'vectors', 'dotnet-test-private.key'), 'utf8');
  assert.equal(loadPrivateKey(pem).kid, '5f:6a:97:2b:2b:65:0a:c4:c4:69:46:b3:e6:e7:26:ba');
  assert.throws(() => loadPrivateKey('not a key'), LaunchKeyError);

  const world = await createDemoWorld();
  const emulator = await startEmulator({ config: world.config });
  try {
    const strategy = new Strategy(
      { serviceId: world.serviceId, privateKey: world.serviceKey, baseUrl: emulator.url },
      (result, done) => done(null, result),
    );
    assert.equal(strategy.name, 'launchkey');
    const service = new ServiceFactory(world.serviceId, world.serviceKey, {
      baseUrl: emulator.url,
    }).makeServiceClient();
    const id = await service.authorize(world.username);
    await emulator.respond(id, 'approve');
    const response = await service.getAdvancedAuthorizationResponse(id);
    assert.equal(response && response.authorized, true);
  } finally {
    await emulator.close();
  }
  console.log('CommonJS smoke test passed');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
