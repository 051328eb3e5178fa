/**
 * The specs' private redis-server is the cluster example's own launcher (examples/cluster), so the
 * example and the specs start Redis the same way.
 */
export { startRedis, type RedisServer } from '../../examples/cluster/redis_server.js';
