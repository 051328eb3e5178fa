import { expect } from 'chai';

import { ConfigurationError } from '../../lib/errors.js';
import { Strategy, type StrategyOptions } from '../../lib/passport/index.js';
import { IDS, KEYS } from '../support/passport_app.js';

const verify = (): Promise<false> => Promise.resolve(false);
const base: StrategyOptions = { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: 'http://127.0.0.1:9' };

function thrown(options: unknown): unknown {
  try {
    new Strategy(options as StrategyOptions, verify);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('Strategy options', () => {
  it("is named 'launchkey' unless options.name says otherwise", () => {
    expect(new Strategy(base, verify).name).to.equal('launchkey');
    expect(new Strategy({ ...base, name: 'launchkey-step-up' }, verify).name).to.equal('launchkey-step-up');
  });

  const cases: [string, unknown, string][] = [
    ['no options', undefined, 'options'],
    ['no serviceId', { privateKey: KEYS.svc }, 'serviceId'],
    ['a serviceId that is not a UUID', { ...base, serviceId: 'svc-1' }, 'serviceId'],
    ['no privateKey', { serviceId: IDS.hook }, 'privateKey'],
    ['a privateKey that is not a key', { ...base, privateKey: 'not a pem' }, 'privateKey'],
    ['a plain-http baseUrl to a remote host', { ...base, baseUrl: 'http://api.example.test' }, 'baseUrl'],
    ['a transport timeout of 0', { ...base, transport: { timeout: 0 } }, 'transport.timeout'],
    ['a transport leeway of 500 s', { ...base, transport: { leeway: 500 } }, 'transport.leeway'],
    ['a signing key id of no key', { ...base, transport: { signingKeyId: 'aa' } }, 'transport.signingKeyId'],
    ['an unknown mode', { ...base, mode: 'push' }, 'mode'],
    ['a usernameField of __proto__', { ...base, usernameField: '__proto__' }, 'usernameField'],
    ['a context over 400 characters', { ...base, context: 'x'.repeat(401) }, 'context'],
    ['a ttl of 0', { ...base, ttl: 0 }, 'ttl'],
    ['a policy that is not an AuthPolicy', { ...base, policy: { any: 2 } }, 'policy'],
    ['a rate limit without max', { ...base, rateLimit: { perIp: { window: 1000 } } }, 'rateLimit.perIp'],
    ['a pollInterval of 1 ms', { ...base, pollInterval: 1 }, 'pollInterval'],
    ['serviceClient beside serviceId', { ...base, serviceClient: {} }, 'serviceClient'],
    ['a store without takeOnce', { ...base, store: { set() {}, get() {} } }, 'store'],
  ];
  for (const [what, options, option] of cases) {
    it(`throws a ConfigurationError naming ${option} for ${what}`, () => {
      const err = thrown(options);
      expect(err).to.be.instanceOf(ConfigurationError);
      expect((err as ConfigurationError).option).to.equal(option);
    });
  }

  it('throws a ConfigurationError naming verify when verify is missing', () => {
    expect(() => new Strategy(base, undefined as never))
      .to.throw(ConfigurationError)
      .with.property('option', 'verify');
  });

  it('ignores options inherited through a polluted prototype (T14)', () => {
    const options = Object.create({ mode: 'push', usernameField: '__proto__' }) as StrategyOptions;
    Object.assign(options, base);
    expect(() => new Strategy(options, verify)).to.not.throw();
  });

  it('works on Object.create(strategy), as passport calls it (no ES #private fields)', (done) => {
    const strategy = Object.create(new Strategy(base, verify)) as Strategy & {
      error(err: Error): void;
    };
    strategy.error = (err) => {
      expect(err).to.be.instanceOf(ConfigurationError);
      expect(err.message).to.include('express-session');
      done();
    };
    strategy.authenticate({ body: { username: 'alice' }, query: {} } as never);
  });
});
