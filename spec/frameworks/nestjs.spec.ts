/**
 * The NestJS example (examples/nestjs: PassportStrategy(Strategy, 'launchkey'), AuthGuard('launchkey'),
 * the routes of passport-launchkey/nest in a controller, a global session guard), built in process on
 * Nest's Express platform and on its Fastify platform from the same module, over loopback against
 * the emulator.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import type { INestApplication } from '@nestjs/common';
import { expect } from 'chai';
import request from 'supertest';

import { createNestApp, type Platform } from '../../examples/nestjs/app.js';
import { LaunchKeyStrategy } from '../../examples/nestjs/launchkey.strategy.js';
import type { PendingStore } from '../../lib/passport/index.js';
import {
  IDS,
  KEYS,
  pendingId,
  sessionsOf,
  statusEvents,
  useWorld,
  userPool,
  view,
  WatchedStore,
  type Browser,
  withdrawn,
} from '../support/passport_app.js';

const COOKIE = { express: 'connect.sid', fastify: 'sessionId' } as const;

/** The value of the session cookie a response sets, if it sets one. */
function sessionCookie(res: request.Response, platform: Platform): string | undefined {
  const set = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const found = set.find((c) => c.startsWith(`${COOKIE[platform]}=`));
  return found?.split(';')[0]?.split('=')[1];
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`Strategy on NestJS (${platform} platform), @nestjs/passport and the emulator`, () => {
    // The example's callback URL, as the quick start's.
    const world = useWorld({ webhookPath: '/launchkey/webhook' });
    const user = userPool();
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    /** The app the test built. */
    function nest(): INestApplication {
      if (app === undefined) throw new Error('build the app first');
      return app;
    }

    async function build(store: PendingStore): Promise<Browser> {
      let listener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
      app = await createNestApp({
        platform,
        launchkey: { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: world.emu.url, store },
        sessionSecret: 'a spec secret of at least thirty-two characters',
        serverFactory: (handler) => {
          listener = handler;
          return createServer();
        },
      });
      await app.init();
      if (platform === 'express') {
        world.use(app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: ServerResponse) => void);
      } else {
        await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
        if (listener === undefined) throw new Error('Fastify did not hand over its request handler');
        world.use(listener);
      }
      return request.agent(world.server);
    }

    /** Starts a login: 303 to the waiting page; the session cookie it set. */
    async function start(browser: Browser, username: string): Promise<string | undefined> {
      const started = await browser.post('/login').type('form').send({ username });
      expect(started.status).to.equal(303);
      expect(started.headers['location']).to.equal('/login/wait');
      return sessionCookie(started, platform);
    }

    it('logs in: the guard starts, status over SSE, the webhook, completion under a new session id, logout', async () => {
      const store = new WatchedStore();
      const browser = await build(store);
      const username = user();
      const before = await start(browser, username);
      expect(before).to.be.a('string');
      const waiting = store.subscribed();
      const stream = statusEvents(browser);
      await waiting;
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      expect(world.emu.webhooks().some((w) => w.url.endsWith('/launchkey/webhook') && w.status === 204)).to.equal(true);
      const { events } = await stream;
      expect(events.map(view).at(-1)).to.deep.equal({ status: 'approved' });

      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(302);
      expect(done.headers['location']).to.equal('/');
      const after = sessionCookie(done, platform);
      expect(after).to.be.a('string').and.not.equal(before);
      expect((await browser.get('/')).text).to.equal(`Hello ${username}`);
      expect(sessionsOf(world, username)).to.deep.equal([IDS.hook]);

      const out = await browser.post('/logout');
      expect(out.status).to.equal(303);
      expect((await browser.get('/')).text).to.equal('Not logged in');
      expect(sessionsOf(world, username)).to.deep.equal([]);
    });

    it('answers a ?wait= long poll when the phone answers; a denial sends the completion back to the login page', async () => {
      const store = new WatchedStore();
      const browser = await build(store);
      const username = user();
      await start(browser, username);
      const waiting = store.subscribed();
      const poll = browser.get('/login/status?wait=20').then((res) => res);
      await waiting;
      await world.emu.respond(pendingId(world, username), 'deny');
      const res = await poll;
      expect(view(res.body)).to.deep.equal({ status: 'denied', code: 'denied' });
      const done = await browser.get('/login/complete');
      expect(done.status).to.equal(303);
      expect(done.headers['location']).to.equal('/login?failed=denied');
    });

    it('while pending, the completion goes back to the waiting page; cancel takes the push back', async () => {
      const store = new WatchedStore();
      const browser = await build(store);
      const username = user();
      await start(browser, username);
      const id = pendingId(world, username);
      const early = await browser.get('/login/complete');
      expect([early.status, early.headers['location']]).to.deep.equal([303, '/login/wait']);
      const canceled = await browser.post('/login/cancel');
      expect([canceled.status, canceled.headers['location']]).to.deep.equal([303, '/login']);
      await withdrawn(nest().get(LaunchKeyStrategy));
      expect(world.emu.auths({ username }).find((a) => a.id === id)?.status).to.equal('canceled');
      expect(view((await browser.get('/login/status')).body)).to.deep.equal({ status: 'canceled', code: 'canceled' });
    });

    it('the global session guard logs out a user who ended the session on the phone', async () => {
      const store = new WatchedStore();
      const browser = await build(store);
      const username = user();
      await start(browser, username);
      await world.emu.respond(pendingId(world, username), 'approve');
      await world.emu.webhooksSettled();
      await browser.get('/login/complete').expect(302);
      expect((await browser.get('/')).text).to.equal(`Hello ${username}`);
      world.emu.endSession(IDS.hook, username);
      await world.emu.webhooksSettled();
      expect((await browser.get('/')).text).to.equal('Not logged in');
    });
  });
}
