// The cluster in one command (`npm run cluster`): Redis, the emulator, three app instances and a
// round-robin load balancer. Open the printed URL; every request may land on another instance.
// Set REDIS_URL to use your own Redis. Ctrl-C stops everything.
import { startCluster } from './cluster.js';

const cluster = await startCluster({ ...(process.env['REDIS_URL'] ? { redisUrl: process.env['REDIS_URL'] } : {}) });

console.log(`App (load balancer): ${cluster.url}/`);
for (const instance of cluster.instances) console.log(`  ${instance.name}: ${instance.url}`);
console.log(`Redis:               ${cluster.redis?.url ?? process.env['REDIS_URL'] ?? ''}`);
console.log(`Phone page:          ${cluster.phoneUrl}`);
console.log(`Demo user:           ${cluster.username}`);
console.log('Press Ctrl-C to stop.');

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  cluster.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
