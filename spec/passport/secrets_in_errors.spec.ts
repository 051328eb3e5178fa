/**
 * What an application logs or sends to an error tracker holds no secret (docs/security.md, T16): the
 * errors the strategy rejects with or passes to `next(err)`, and what reaches `onError` from its
 * background work, are searched, as an error tracker would print them (util.inspect with hidden
 * properties, JSON, the stack, the whole `cause` chain), for the service's private key, every signed
 * request token the strategy sent, and the browser's session id.
 */
import { expect } from 'chai';
import { inspect } from 'node:util';

import axios, { AxiosError, type InternalAxiosRequestConfig } from 'axios';

import { eventually } from '../support/assertions.js';
import { buildApp, KEYS, useWorld, userPool } from '../support/passport_app.js';

/** Everything an error tracker could print of `value`. */
function exposed(value: unknown): string {
  const parts: string[] = [inspect(value, { depth: null, showHidden: true })];
  for (let v: unknown = value, i = 0; v !== undefined && v !== null && i < 10; i++) {
    const own = Object.getOwnPropertyNames(v).reduce<Record<string, unknown>>((o, name) => {
      o[name] = (v as Record<string, unknown>)[name];
      return o;
    }, {});
    parts.push(JSON.stringify(own, (_key, x: unknown) => (typeof x === 'bigint' ? String(x) : x)));
    v = (v as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** The secrets of a run: the key's base64 lines, the tokens sent, and session ids. */
class Secrets {
  readonly tokens: string[] = [];
  readonly sessionIds: string[] = [];

  /** The pieces none of which may appear: long enough that a match is never chance. */
  pieces(): string[] {
    const keyLines = KEYS.svc.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
    // Each part of a compact JWS, and the whole token.
    const tokenParts = this.tokens.flatMap((token) => [token, ...token.split('.').filter((part) => part.length >= 16)]);
    return [...keyLines, ...tokenParts, ...this.sessionIds];
  }

  /** The pieces found in `text`. */
  foundIn(text: string): string[] {
    return this.pieces().filter((piece) => text.includes(piece));
  }
}

/** An axios instance that records every signed token it sends and fails the calls `fail` names. */
function recordingAxios(
  secrets: Secrets,
  fail: (cfg: InternalAxiosRequestConfig) => boolean,
): ReturnType<typeof axios.create> {
  const instance = axios.create();
  instance.interceptors.request.use((cfg) => {
    const auth = cfg.headers.get('Authorization');
    if (typeof auth === 'string') secrets.tokens.push(auth.replace(/^IOV-JWT\s+/, ''));
    // As a real transport error does: the error holds the request's config, headers and all.
    if (fail(cfg)) throw new AxiosError('connect ECONNREFUSED 127.0.0.1:443', 'ECONNREFUSED', cfg);
    return cfg;
  });
  return instance;
}

describe('no secret in errors and in what reaches onError (T16)', () => {
  const world = useWorld();
  const user = userPool();

  it('an unreachable API: the error of check() and of a start, the 500 the browser gets', async () => {
    const secrets = new Secrets();
    let down = false;
    const t = buildApp(world, {
      transport: { axios: recordingAxios(secrets, () => down) },
    });
    // One signed call goes through, so there are tokens to look for.
    const browser = t.browser();
    await browser.post('/login').type('form').send({ username: user() }).expect(202);
    expect(secrets.tokens.length).to.be.greaterThan(0);
    const me = await browser.get('/me');
    secrets.sessionIds.push(String((me.body as { sessionID: unknown }).sessionID));

    down = true;
    const started = await browser.post('/login').type('form').send({ username: user() });
    expect(started.status).to.equal(500);
    expect(secrets.foundIn(JSON.stringify(started.body) + JSON.stringify(started.headers))).to.deep.equal([]);
    const err = await t.strategy.check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'check() rejects while the API is unreachable').to.be.instanceOf(Error);
    expect(secrets.foundIn(exposed(err))).to.deep.equal([]);
  });

  it('the poller’s failures, as onError receives them', async () => {
    const secrets = new Secrets();
    const reported: unknown[] = [];
    let down = false;
    const t = buildApp(world, {
      service: 'poll',
      strategy: { mode: 'poll', pollInterval: 100, onError: (err) => reported.push(err) },
      transport: { axios: recordingAxios(secrets, (cfg) => down && cfg.method?.toUpperCase() === 'GET') },
    });
    await t.browser().post('/login').type('form').send({ username: user() }).expect(202);
    down = true;
    await eventually(() => reported.length > 0, 'the poller to report a failure');
    expect(secrets.tokens.length).to.be.greaterThan(1);
    for (const err of reported) expect(secrets.foundIn(exposed(err))).to.deep.equal([]);
  });

  it('credentials the API refuses: the error of check() names the key id, not the key', async () => {
    const secrets = new Secrets();
    const t = buildApp(world, {
      // The organization's key, which the service does not hold: every signed call is refused.
      strategy: { privateKey: KEYS.org },
      transport: { axios: recordingAxios(secrets, () => false) },
    });
    const err = await t.strategy.check().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
    expect(secrets.tokens.length).to.be.greaterThan(0);
    const orgKeyLines = KEYS.org.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
    const text = exposed(err);
    expect(secrets.foundIn(text)).to.deep.equal([]);
    expect(orgKeyLines.filter((line) => text.includes(line))).to.deep.equal([]);
  });
});
