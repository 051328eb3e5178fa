/**
 * How the Redis classes talk to the application's node-redis client: raw commands with a deadline,
 * Lua scripts by SHA (loaded on first use), and one error for everything that is not an answer.
 *
 * The client is typed by what is used of it, so node-redis 5 and 6 (a standalone client, or a
 * cluster client from `createCluster`) both fit without this package importing `redis` at run time.
 */
import { createHash } from 'node:crypto';

import { ConfigurationError, StoreUnavailableError } from '../errors.js';

/** A connected node-redis client (`createClient()` after `await client.connect()`). */
export interface RedisClientLike {
  readonly isReady: boolean;
  sendCommand(args: readonly string[]): Promise<unknown>;
  /** A second connection with the same options, for the subscription (node-redis `duplicate()`). */
  duplicate(): RedisSubscriberLike;
}

/** A node-redis cluster client (`createCluster()` after `await cluster.connect()`). */
export interface RedisClusterLike {
  readonly isReady: boolean;
  readonly slots: unknown;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: readonly string[]): Promise<unknown>;
  duplicate(): RedisSubscriberLike;
}

/** The subscription connection: node-redis's pub/sub surface. */
export interface RedisSubscriberLike {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  unsubscribe(channel?: string): Promise<unknown>;
  on(event: 'error' | 'ready', listener: (arg?: unknown) => void): unknown;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): unknown;
}

/** Options every Redis class of this package takes. */
export interface RedisOptions {
  /** A connected node-redis client (redis >= 5), standalone or cluster. It stays the application's. */
  client: RedisClientLike | RedisClusterLike;
  /** Prepended to every key (and the notification channel); default `'launchkey:'`. */
  prefix?: string;
  /**
   * Longest wait for one Redis answer, in ms, before the operation fails with
   * `StoreUnavailableError` (fail closed: nobody waits on a hung Redis). Default 2 000.
   */
  commandTimeout?: number;
}

/** A Lua script, run by SHA once Redis knows it. */
export interface Script {
  source: string;
  sha: string;
}

/** Makes a {@link Script} of Lua source. */
export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

function isCluster(client: RedisClientLike | RedisClusterLike): client is RedisClusterLike {
  return 'slots' in client;
}

/** The checked options and a way to send commands through the application's client. */
export class RedisConnection {
  readonly prefix: string;
  readonly client: RedisClientLike | RedisClusterLike;
  private readonly _timeout: number;

  constructor(options: RedisOptions, owner: string) {
    const o = options as Partial<RedisOptions> | null | undefined;
    const client = o?.client as Partial<RedisClientLike> | null | undefined;
    if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
      throw new ConfigurationError(`${owner} needs a node-redis client: { client: createClient(...) }`, {
        option: 'client',
      });
    }
    const prefix = o?.prefix ?? 'launchkey:';
    // Braces would make our hash tags ambiguous on a cluster.
    if (typeof prefix !== 'string' || /[{}\s]/.test(prefix) || prefix.length > 64) {
      throw new ConfigurationError(`${owner} option prefix must be at most 64 characters without braces or spaces`, {
        option: 'prefix',
      });
    }
    const timeout = o?.commandTimeout ?? 2000;
    if (!Number.isSafeInteger(timeout) || timeout < 1 || timeout > 60_000) {
      throw new ConfigurationError(`${owner} option commandTimeout must be 1 to 60 000 ms`, {
        option: 'commandTimeout',
      });
    }
    this.client = o?.client as RedisClientLike | RedisClusterLike;
    this.prefix = prefix;
    this._timeout = timeout;
  }

  /**
   * Sends one command. A client that is not connected fails at once instead of queueing the command
   * until Redis comes back (node-redis's default), so a login fails fast and closed.
   *
   * @param firstKey the key that routes the command on a cluster.
   * @throws {StoreUnavailableError} when Redis is unreachable, too slow, or refuses the command.
   */
  async send(firstKey: string | undefined, args: readonly string[]): Promise<unknown> {
    const client = this.client;
    if (!client.isReady) throw new StoreUnavailableError('Redis is not connected');
    const reply = isCluster(client) ? client.sendCommand(firstKey, false, args) : client.sendCommand(args);
    // node-redis's own command timeout stops at the write; a server that takes a command and never
    // answers (frozen, overloaded) must fail the operation too.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new StoreUnavailableError(`Redis did not answer ${args[0] ?? 'a command'} within ${this._timeout} ms`));
      }, this._timeout);
    });
    try {
      return await Promise.race([reply, deadline]);
    } catch (cause) {
      if (cause instanceof StoreUnavailableError) {
        // The late answer (or failure) of the abandoned command has nobody to go to.
        reply.catch(() => undefined);
        throw cause;
      }
      throw new StoreUnavailableError(`Redis did not carry out ${args[0] ?? 'a command'}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `s` on `keys` (all in one hash slot) with `args`; loads the script when Redis lacks it. */
  async run(s: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.send(keys[0], ['EVALSHA', s.sha, ...tail]);
    } catch (err) {
      // After a restart (or on a new cluster node) Redis has forgotten the script: send it once.
      if (
        !(err instanceof StoreUnavailableError) ||
        !/NOSCRIPT/.test(String((err.cause as Error | undefined)?.message))
      )
        throw err;
      return this.send(keys[0], ['EVAL', s.source, ...tail]);
    }
  }
}
