/**
 * The specs' private redis-server is the cluster example's own launcher (examples/cluster), so the
 * example and the specs start Redis the same way. Without Debian's redis-server a suite skips itself
 * and says how to install it; under CI a missing server fails instead.
 */
import { execFileSync } from 'node:child_process';

export { startRedis, type RedisServer } from '../../examples/cluster/redis_server.js';

/** In a `before` hook: skips the suite (or fails it under CI) when redis-server is not installed. */
export function requireRedisServer(ctx: Mocha.Context): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return;
  } catch {
    const reason = 'redis-server not found; install it with: sudo apt-get install redis-server';
    if (process.env['CI'] === 'true') throw new Error(`Redis specs cannot run under CI: ${reason}`);
    console.log(`    Redis specs skipped: ${reason}`);
    ctx.skip();
  }
}
