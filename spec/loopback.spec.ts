import { expect } from 'chai';

import { isLoopbackHost } from '../lib/loopback.js';
import { normalizeBaseUrl } from '../lib/transport/http.js';

describe('loopback', () => {
  it('is localhost, 127.x.x.x and ::1, bare or bracketed, in any case; nothing else', () => {
    for (const host of ['localhost', 'LocalHost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      expect(isLoopbackHost(host), host).to.equal(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io', '']) {
      expect(isLoopbackHost(host), host).to.equal(false);
    }
  });

  it('is the rule of plain http to the API: a URL hostname is bracketed', () => {
    expect(normalizeBaseUrl('http://[::1]:8480/')).to.equal('http://[::1]:8480');
    expect(normalizeBaseUrl('http://LOCALHOST:8480')).to.equal('http://localhost:8480');
    expect(() => normalizeBaseUrl('http://10.0.0.1:8480')).to.throw(/https/);
  });
});
