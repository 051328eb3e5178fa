/**
 * `strategy.check()`: the start-up check that tells a wrong service id, a wrong private key and an
 * unreachable API apart before the first user meets them as a bare "Unauthorized".
 */
import { expect } from 'chai';

import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { NetworkError, UnauthorizedError } from '../../lib/errors.js';
import { Strategy } from '../../lib/passport/index.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, useWorld } from '../support/passport_app.js';
import { vectorText } from '../support/vectors.js';

describe('strategy.check()', () => {
  const world = useWorld();
  const verify = (): Promise<false> => Promise.resolve(false);
  const strategy = (options: { serviceId?: string; privateKey?: string; baseUrl?: string } = {}): Strategy =>
    new Strategy(
      { serviceId: IDS.hook, privateKey: KEYS.svc, baseUrl: world.emu.url, rateLimit: false, ...options },
      verify,
    );

  it('resolves for the right service id, key and API', async () => {
    const s = strategy();
    await s.check();
    await s.close();
  });

  it('refuses a key that is not the service’s with UnauthorizedError naming the service and the key id', async () => {
    const other = vectorText('java-jcecrypto-private-key.pem');
    const s = strategy({ privateKey: other });
    const err = await rejection(s.check(), UnauthorizedError);
    expect(err.message).to.include(`svc:${IDS.hook}`).and.include(loadPrivateKey(other).kid);
    expect(err.message).to.match(/check that this is the entity's id and that the key/);
    // The hint is ours: errorDetail is only ever what the API said.
    expect(JSON.stringify(err.errorDetail ?? null)).to.not.match(/check that this is the entity's id/);
    expect(err.errorCode).to.equal('HTTP-401');
    await s.close();
  });

  it('refuses a service id the API does not know the same way, naming it', async () => {
    const wrong = '5a7e0000-0000-4000-8000-0000000000ff';
    const s = strategy({ serviceId: wrong });
    const err = await rejection(s.check(), UnauthorizedError);
    expect(err.message).to.include(`svc:${wrong}`).and.include(loadPrivateKey(KEYS.svc).kid);
    await s.close();
  });

  it('refuses an API that cannot be reached with NetworkError', async () => {
    const s = strategy({ baseUrl: 'http://127.0.0.1:9' });
    await rejection(s.check(), NetworkError);
    await s.close();
  });
});
