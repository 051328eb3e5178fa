import { expect } from 'chai';

import { ConfigurationError } from '../../lib/errors.js';
import { fastifyHandlers } from '../../lib/frameworks/fastify.js';
import { koaHandlers } from '../../lib/frameworks/koa.js';
import { nestHandlers } from '../../lib/frameworks/nest.js';
import { Strategy, type StrategyOptions } from '../../lib/passport/index.js';
import { IDS, KEYS } from '../support/passport_app.js';

const verify = (): Promise<false> => Promise.resolve(false);
const base: StrategyOptions = { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: 'http://127.0.0.1:9' };

/** What `make` threw, asserted to be a ConfigurationError. */
function refusal(make: () => unknown): ConfigurationError {
  try {
    make();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error('no error was thrown');
}

describe('the handlers check their options when they are made, naming the option', () => {
  const strategy = new Strategy(base, verify);
  const faces = {
    express: {
      webhook: (options: unknown) => strategy.webhookHandler(options as never),
      logout: (options: unknown) => strategy.logoutHandler(options as never),
      guard: (options: unknown) => strategy.sessionGuard(options as never),
    },
    fastify: {
      logout: (options: unknown) => fastifyHandlers(strategy).logoutHandler(options as never),
      guard: (options: unknown) => fastifyHandlers(strategy).sessionGuard(options as never),
    },
    koa: {
      webhook: (options: unknown) => koaHandlers(strategy).webhookHandler(options as never),
      logout: (options: unknown) => koaHandlers(strategy).logoutHandler(options as never),
      guard: (options: unknown) => koaHandlers(strategy).sessionGuard(options as never),
    },
    nest: {
      webhook: (options: unknown) => nestHandlers(strategy).webhook(options as never),
      logout: (options: unknown) => nestHandlers(strategy).logout(options as never),
    },
  };

  const webhookCases: [unknown, string][] = [
    [{ hookTimeout: Number.NaN }, 'hookTimeout'],
    [{ hookTimeout: 0 }, 'hookTimeout'],
    [{ hookTimeout: Number.POSITIVE_INFINITY }, 'hookTimeout'],
    [{ sessionEndTolerance: -1 }, 'sessionEndTolerance'],
    [{ sessionEndTolerance: 1.5 }, 'sessionEndTolerance'],
    [{ sessionEndTolerance: '30000' }, 'sessionEndTolerance'],
    [{ onError: 'log' }, 'onError'],
    [{ onAuthorizationResponse: {} }, 'onAuthorizationResponse'],
    [{ onSessionEnd: true }, 'onSessionEnd'],
    [null, 'options'],
    [[], 'options'],
  ];
  const redirectCases: [unknown, string][] = [
    [{ redirect: '' }, 'redirect'],
    [{ redirect: 303 }, 'redirect'],
    [null, 'options'],
  ];

  for (const [framework, face] of Object.entries(faces)) {
    if ('webhook' in face) {
      for (const [options, option] of webhookCases) {
        it(`${framework}: the webhook handler refuses ${JSON.stringify(options)} with option ${option}`, () => {
          expect(refusal(() => face.webhook(options)).option).to.equal(option);
        });
      }
    }
    for (const [options, option] of redirectCases) {
      it(`${framework}: the logout handler refuses ${JSON.stringify(options)} with option ${option}`, () => {
        expect(refusal(() => face.logout(options)).option).to.equal(option);
      });
      if ('guard' in face) {
        it(`${framework}: the session guard refuses ${JSON.stringify(options)} with option ${option}`, () => {
          expect(refusal(() => face.guard(options)).option).to.equal(option);
        });
      }
    }
  }

  it('the defaults and the bounds themselves are accepted', () => {
    expect(() => strategy.webhookHandler()).to.not.throw();
    expect(() =>
      strategy.webhookHandler({ hookTimeout: 1, sessionEndTolerance: 0, onError: () => undefined }),
    ).to.not.throw();
    expect(() => strategy.webhookHandler({ hookTimeout: 3_600_000, sessionEndTolerance: 3_600_000 })).to.not.throw();
    expect(() => strategy.logoutHandler({ redirect: '/' })).to.not.throw();
    expect(() => strategy.sessionGuard({ redirect: '/login' })).to.not.throw();
    expect(() => strategy.statusHandler({ heartbeat: 1, maxWait: 0 })).to.not.throw();
  });

  it('the status handler refuses options that are not an object, naming options', () => {
    expect(refusal(() => strategy.statusHandler(null as never)).option).to.equal('options');
  });
});
