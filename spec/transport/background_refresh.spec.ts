import { expect } from 'chai';

import { ConfigurationError } from '../../lib/errors.js';
import { BackgroundRefresh } from '../../lib/transport/background_refresh.js';

/** A task whose runs the spec finishes by hand. */
function controlledTask() {
  const runs: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const task = () =>
    new Promise<void>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { runs, task };
}

describe('transport/BackgroundRefresh', () => {
  let ms: number;
  const now = () => ms;
  beforeEach(() => {
    ms = 1_700_000_000_000;
  });

  it('starts at most one refresh per interval, however many requests arrive', async () => {
    const { runs, task } = controlledTask();
    const refresh = new BackgroundRefresh(task, { minInterval: 10, now });
    expect(Array.from({ length: 1000 }, () => refresh.request()).filter(Boolean)).to.have.length(1);
    await Promise.resolve();
    expect(runs).to.have.length(1);
    runs[0]?.resolve();
    await refresh.settled();
    ms += 9_999;
    expect(refresh.request()).to.equal(false);
    ms += 1;
    expect(refresh.request()).to.equal(true);
    await Promise.resolve();
    expect(runs).to.have.length(2);
    runs[1]?.resolve();
    await refresh.settled();
  });

  it('never runs two at once, even after the interval', async () => {
    const { runs, task } = controlledTask();
    const refresh = new BackgroundRefresh(task, { minInterval: 1, now });
    refresh.request();
    ms += 60_000;
    expect(refresh.request()).to.equal(false);
    await Promise.resolve();
    expect(runs).to.have.length(1);
    runs[0]?.resolve();
    await refresh.settled();
    expect(refresh.request()).to.equal(true);
  });

  it('swallows a failing task (best effort) and tries again after the interval', async () => {
    const { runs, task } = controlledTask();
    const refresh = new BackgroundRefresh(task, { minInterval: 5, now });
    refresh.request();
    await Promise.resolve();
    runs[0]?.reject(new Error('API down'));
    await refresh.settled();
    ms += 5_000;
    expect(refresh.request()).to.equal(true);
  });

  it('swallows a task that throws synchronously', async () => {
    const refresh = new BackgroundRefresh(
      () => {
        throw new Error('bug');
      },
      { now },
    );
    expect(refresh.request()).to.equal(true);
    await refresh.settled();
  });

  it('refuses a negative or non-finite interval', () => {
    for (const minInterval of [-1, Number.NaN, Infinity]) {
      expect(() => new BackgroundRefresh(() => Promise.resolve(), { minInterval })).to.throw(ConfigurationError);
    }
  });
});
