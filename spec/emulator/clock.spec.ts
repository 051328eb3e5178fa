import { expect } from 'chai';

import { ServiceFactory } from '../../lib/clients/factories.js';
import { MAX_CLOCK_AHEAD_SECONDS, startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { IDS, KEYS, baseConfig, control } from '../support/emulator_client.js';

describe('emulator clock', () => {
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('keeps a request expired once its ttl passed, even when the clock is moved back', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice', { ttl: 60 });
    emu.advanceClock(61);
    emu.setClockOffset(0);
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('expired');
    // The user is free for a new request: an expired one is no busy signal.
    expect(await service.authorize('alice')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('leaves a request pending when the clock moves forward less than its ttl', async () => {
    const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
    const id = await service.authorize('alice', { ttl: 120 });
    emu.advanceClock(60);
    emu.setClockOffset(0);
    expect(emu.auths({ username: 'alice' }).find((a) => a.id === id)?.status).to.equal('pending');
  });

  describe('range', () => {
    const refusal = (fn: () => void): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      return undefined;
    };

    it('POST /emulator/clock refuses advanceSeconds 1e13 with 400, changes nothing and keeps serving', async () => {
      const res = await control(emu.url, '/emulator/clock', { advanceSeconds: 1e13 });
      expect(res.status).to.equal(400);
      expect((res.json as { error: string }).error).to.match(/advanceSeconds .*100 years/);
      const far = await control(emu.url, '/emulator/clock', { offsetSeconds: -1e10 });
      expect(far.status).to.equal(400);
      expect((far.json as { error: string }).error).to.match(/offsetSeconds .*1970/);

      const clock = await control(emu.url, '/emulator/clock');
      expect([clock.status, (clock.json as { offsetSeconds: number }).offsetSeconds]).to.deep.equal([200, 0]);
      expect((await control(emu.url, '/emulator/state')).status).to.equal(200);
      const service = new ServiceFactory(IDS.dirSvc, KEYS.svc, { baseUrl: emu.url }).makeServiceClient();
      const id = await service.authorize('alice');
      const pending = (await control(emu.url, '/emulator/auths?status=pending')).json as { id: string }[];
      expect(pending.map((a) => a.id)).to.deep.equal([id]);
    });

    it('advanceClock and setClockOffset throw InvalidArgumentError out of range or not finite; the clock stays', () => {
      emu.advanceClock(60);
      const moves: ['advanceClock' | 'setClockOffset', number][] = [
        ['advanceClock', 1e13],
        ['advanceClock', MAX_CLOCK_AHEAD_SECONDS],
        ['setClockOffset', MAX_CLOCK_AHEAD_SECONDS + 1],
        ['setClockOffset', -1e10],
        ['advanceClock', Number.NaN],
        ['setClockOffset', Number.POSITIVE_INFINITY],
      ];
      for (const [method, seconds] of moves) {
        const err = refusal(() => {
          emu[method](seconds);
        });
        expect(err, `${method}(${seconds})`).to.be.instanceOf(InvalidArgumentError);
        expect(err).to.have.property('code', 'ERR_LK_INVALID_ARGUMENT');
      }
      expect(emu.state().clockOffsetSeconds).to.equal(60);
      expect(emu.state().now).to.match(/^\d{4}-/);
    });

    it('accepts the bound itself: 100 years ahead', () => {
      emu.setClockOffset(MAX_CLOCK_AHEAD_SECONDS);
      expect(emu.state().now).to.match(/^21\d\d-/);
      emu.setClockOffset(0);
    });
  });
});
