// The quick start's app on NestJS: `npm run example:nestjs` runs it on Nest's Express platform,
// NEST_PLATFORM=fastify on its Fastify platform, on an embedded emulator (or on the service named by
// LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY and LAUNCHKEY_BASE_URL); PORT (default 3000),
// SESSION_SECRET (32 characters or more).
import { launchkeyService } from '../launchkey_service.js';
import { createNestApp } from './app.js';

const env = process.env;
const port = Number(env['PORT'] ?? 3000);
const { serviceId, privateKey, baseUrl, ...service } = await launchkeyService(
  `http://127.0.0.1:${port}/launchkey/webhook`,
);
const app = await createNestApp({
  platform: env['NEST_PLATFORM'] === 'fastify' ? 'fastify' : 'express',
  launchkey: { serviceId, privateKey, baseUrl },
  sessionSecret: env['SESSION_SECRET'] ?? 'change me: thirty-two characters or more',
});
await app.listen(port, '127.0.0.1');
console.log(`listening on http://127.0.0.1:${port} (Nest on ${env['NEST_PLATFORM'] ?? 'express'})`);
console.log(service.describe());
process.on('SIGTERM', () => {
  void app.close().then(() => service.close());
});
