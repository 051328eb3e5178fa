/**
 * Review finding (T9, the per-address start limit): the address is read when the limit is checked,
 * after the session and the body were loaded. A client that sent its whole request and closed the
 * connection at once has no address by then (`req.ip`, and Node's `socket.remoteAddress`, read
 * `undefined` on a closed socket), and `addressKey(undefined)` skips the per-address limit. The start
 * goes on anyway: the push is sent. So the per-address limit (meant to stop one client cycling through
 * many usernames) does not count clients that hang up.
 */
import { expect } from 'chai';
import { connect } from 'node:net';

import { buildApp, useWorld, userPool } from '../support/passport_app.js';

/** Sends a whole POST /login and closes the connection without waiting for the answer. */
function hitAndRun(url: string, username: string, reset: boolean): Promise<void> {
  const { hostname, port } = new URL(url);
  const body = `username=${encodeURIComponent(username)}`;
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          if (reset) socket.resetAndDestroy();
          else socket.destroy();
          resolve();
        },
      );
    });
    socket.on('error', () => {
      resolve();
    });
  });
}

describe('review: the per-address limit counts clients that hang up', () => {
  const world = useWorld();
  const user = userPool();

  for (const reset of [false, true]) {
    it(`a start whose client closed the connection (${reset ? 'RST' : 'FIN'}) still counts against its address`, async () => {
      const t = buildApp(world, { strategy: { rateLimit: { perIp: { max: 1, window: 60_000 }, perUsername: false } } });
      const names = [user(), user(), user(), user()];
      for (const name of names) await hitAndRun(world.url, name, reset);
      // Let the server finish what it started.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const pushed = names.filter((name) => world.emu.auths({ username: name }).length > 0);
      expect(pushed.length, `pushes sent: ${pushed.join(', ')}; API calls: ${t.apiCalls.join(', ')}`).to.be.at.most(1);
    });
  }
});
