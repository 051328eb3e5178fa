import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import axios from 'axios';
import nock from 'nock';

import { KeyRing, loadPrivateKey } from '../../lib/crypto/keys.js';
import {
  ApiTimeoutError,
  ConfigurationError,
  NetworkError,
  ResponseTooLargeError,
  UnexpectedResponseError,
} from '../../lib/errors.js';
import { HttpClient, normalizeBaseUrl } from '../../lib/transport/http.js';
import { JoseTransport } from '../../lib/transport/jose_transport.js';
import { PACKAGE_VERSION } from '../../lib/version.js';
import { BASE_URL, FakeApi } from '../support/fake_api.js';
import { rejection } from '../support/assertions.js';
import { vectorText } from '../support/vectors.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

describe('HttpClient', () => {
  afterEach(() => {
    nock.cleanAll();
  });

  describe('base URL', () => {
    it('defaults to the historical production URL', () => {
      expect(new HttpClient().baseUrl).to.equal('https://api.launchkey.com');
    });

    it('accepts https and plain http to a loopback host, without a trailing slash', () => {
      expect(normalizeBaseUrl('https://api.example.test/')).to.equal('https://api.example.test');
      expect(normalizeBaseUrl('http://127.0.0.1:8480')).to.equal('http://127.0.0.1:8480');
      expect(normalizeBaseUrl('http://localhost:8480/')).to.equal('http://localhost:8480');
      expect(normalizeBaseUrl('http://[::1]:8480')).to.equal('http://[::1]:8480');
    });

    for (const url of [
      'http://api.example.test',
      'ftp://127.0.0.1',
      'api.launchkey.com',
      'https://user:pass@api.example.test',
      'https://api.example.test/?x=1',
      'https://api.example.test/#f',
    ]) {
      it(`refuses ${url} with ConfigurationError`, () => {
        expect(() => normalizeBaseUrl(url)).to.throw(ConfigurationError);
      });
    }

    it('refuses a non-positive timeout or size limit', () => {
      expect(() => new HttpClient({ timeout: 0 }))
        .to.throw(ConfigurationError)
        .with.property('option', 'timeout');
      expect(() => new HttpClient({ maxResponseBytes: -1 }))
        .to.throw(ConfigurationError)
        .with.property('option', 'maxResponseBytes');
    });
  });

  describe('over loopback', () => {
    let server: Server;
    let url: string;
    let seen: { method?: string; url?: string; headers: Record<string, unknown> }[];

    beforeEach(async () => {
      seen = [];
      server = createServer((req, res) => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: '/elsewhere' }).end();
        } else if (req.url === '/hang') {
          // never answers: the client's timeout must end the request
        } else if (req.url === '/big') {
          res.writeHead(200).end(Buffer.alloc(2048, 'a'));
        } else if (req.url === '/gzip-bomb') {
          res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync(Buffer.alloc(1024 * 1024, 0)));
        } else if (req.url === '/reset') {
          req.socket.destroy();
        } else {
          res.writeHead(200, { 'X-Thing': 'yes', 'Content-Type': 'text/plain' }).end('héllo');
        }
      });
      url = await listen(server);
    });

    afterEach(async () => {
      await close(server);
    });

    it('returns status, lower-cased headers and the exact body bytes', async () => {
      const response = await new HttpClient({ baseUrl: url }).send({ method: 'GET', path: '/ok' });
      expect(response.status).to.equal(200);
      expect(response.headers['x-thing']).to.equal('yes');
      expect(response.body.equals(Buffer.from('héllo'))).to.be.true;
      expect(seen[0]?.headers['user-agent']).to.match(new RegExp(`^passport-launchkey/${PACKAGE_VERSION} `));
    });

    it('appends a configured User-Agent suffix', async () => {
      await new HttpClient({ baseUrl: url, userAgent: 'my-app/2.0' }).send({ method: 'GET', path: '/ok' });
      expect(seen[0]?.headers['user-agent']).to.match(/ my-app\/2\.0$/);
    });

    it('does not follow a redirect', async () => {
      const response = await new HttpClient({ baseUrl: url }).send({ method: 'GET', path: '/redirect' });
      expect(response.status).to.equal(302);
      expect(seen.map((s) => s.url)).to.deep.equal(['/redirect']);
    });

    it('does not follow a redirect even through an injected axios instance that would', async () => {
      const instance = axios.create({ maxRedirects: 5 });
      const response = await new HttpClient({ baseUrl: url, axios: instance }).send({
        method: 'GET',
        path: '/redirect',
      });
      expect(response.status).to.equal(302);
      expect(seen).to.have.length(1);
    });

    it('ends a hung request with ApiTimeoutError after the configured timeout', async () => {
      const err = await rejection(
        new HttpClient({ baseUrl: url, timeout: 100 }).send({ method: 'GET', path: '/hang' }),
      );
      expect(err).to.be.instanceOf(ApiTimeoutError);
      expect(err).to.include({ code: 'ERR_LK_TIMEOUT', timeoutMs: 100 });
    });

    it('refuses a body larger than the limit with ResponseTooLargeError', async () => {
      const err = await rejection(
        new HttpClient({ baseUrl: url, maxResponseBytes: 1024 }).send({ method: 'GET', path: '/big' }),
      );
      expect(err).to.be.instanceOf(ResponseTooLargeError);
      expect(err).to.include({ code: 'ERR_LK_RESPONSE_TOO_LARGE', limit: 1024 });
    });

    it('applies the limit to the decompressed size of a gzip body', async () => {
      const err = await rejection(
        new HttpClient({ baseUrl: url, maxResponseBytes: 64 * 1024 }).send({ method: 'GET', path: '/gzip-bomb' }),
      );
      expect(err).to.be.instanceOf(ResponseTooLargeError);
    });

    it('maps a reset connection to NetworkError with a cause that holds no request config or headers', async () => {
      const err = await rejection(
        new HttpClient({ baseUrl: url }).send({
          method: 'POST',
          path: '/reset',
          headers: { Authorization: 'IOV-JWT secret.token.here' },
          body: 'x',
        }),
      );
      expect(err).to.be.instanceOf(NetworkError);
      expect(err.cause).to.be.instanceOf(Error);
      expect(Object.keys(err.cause as object)).not.to.include.members(['config', 'request', 'response']);
      expect(JSON.stringify(err.cause) + String(err) + String(err.cause)).not.to.include('secret.token');
    });

    it('maps a refused connection to NetworkError', async () => {
      const closed = createServer();
      const closedUrl = await listen(closed);
      await close(closed);
      const err = await rejection(new HttpClient({ baseUrl: closedUrl }).send({ method: 'GET', path: '/' }));
      expect(err).to.be.instanceOf(NetworkError);
      expect((err.cause as { code?: string }).code).to.equal('ECONNREFUSED');
    });

    it('ignores HTTP_PROXY from the environment unless a proxy is configured', async () => {
      let proxied = 0;
      const proxy = createServer((_req, res) => {
        proxied++;
        res.writeHead(502).end();
      });
      const proxyUrl = await listen(proxy);
      const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], http_proxy: process.env['http_proxy'] };
      // nock's interceptor does not understand proxy-form requests; this test is about the real wire.
      nock.restore();
      process.env['HTTP_PROXY'] = proxyUrl;
      process.env['http_proxy'] = proxyUrl;
      try {
        const response = await new HttpClient({ baseUrl: url }).send({ method: 'GET', path: '/ok' });
        expect(response.status).to.equal(200);
        expect(proxied).to.equal(0);
        const port = Number(new URL(proxyUrl).port);
        const viaProxy = await new HttpClient({
          baseUrl: url,
          axiosConfig: { proxy: { protocol: 'http', host: '127.0.0.1', port } },
        }).send({ method: 'GET', path: '/ok' });
        expect(viaProxy.status).to.equal(502);
        expect(proxied).to.equal(1);
      } finally {
        if (saved.HTTP_PROXY === undefined) delete process.env['HTTP_PROXY'];
        else process.env['HTTP_PROXY'] = saved.HTTP_PROXY;
        if (saved.http_proxy === undefined) delete process.env['http_proxy'];
        else process.env['http_proxy'] = saved.http_proxy;
        nock.activate();
        await close(proxy);
      }
    });
  });

  describe('inside a signed call', () => {
    const apiKey = loadPrivateKey(vectorText('python-features-organization-key.pem'));
    const clientKey = loadPrivateKey(vectorText('dotnet-test-private.key'));
    const subject = 'svc:f8329e0e-dd7a-11e7-98b4-469158467b1a';

    it('reports a redirect as UnexpectedResponseError and sends the signed request once', async () => {
      const api = new FakeApi({ apiKey, clientKey: clientKey.publicKey }).ping().publicKey();
      api.scope.post('/service/v3/auths').once().reply(307, '', { Location: 'https://evil.test/steal' });
      const transport = new JoseTransport(subject, new KeyRing([clientKey]), { baseUrl: BASE_URL });
      const err = await rejection(transport.request({ method: 'POST', path: '/service/v3/auths', subject, body: {} }));
      expect(err).to.be.instanceOf(UnexpectedResponseError);
      expect(err).to.include({ status: 307 });
      expect(api.scope.isDone()).to.be.true;
    });
  });
});
