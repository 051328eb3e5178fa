/**
 * The public base URL the emulator advertises (the `publicUrl` option, `--public-url`): the address
 * clients and phones reach it by, e.g. `https://launchkey.test` behind a reverse proxy or
 * `http://emulator:8480` in a container network. Every absolute URL the emulator builds (today the
 * device link's `qrcode`) starts with it; without it they start with the bound address, an IP
 * literal, which clients that check for a URL with a domain refuse.
 *
 * It relates to `publicHosts` (control_guard.ts) this way: `publicHosts` lists the names the control
 * API and the phone page answer to; the public URL's host is added to that list automatically (with
 * its port when the URL gives one, else any port, since a proxy forwards `Host` without the port
 * while browsers send an `Origin` with the scheme's). `publicHosts` stays for further names.
 */
import { ConfigurationError } from '../errors.js';
import type { HostPort } from './control_guard.js';

/** Whether `value` is an absolute http(s) URL: the rule for every URL the emulator is given (webhook, callback, icon). */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Checks `publicUrl`: an absolute http(s) URL without user, query or fragment. A path is kept (a
 * proxy may mount the emulator under one); the result has no trailing slash.
 *
 * @throws {ConfigurationError} (option `publicUrl`) for anything else.
 */
export function parsePublicUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const refuse = (): never => {
    throw new ConfigurationError('publicUrl must be an absolute http(s) URL without user, query or fragment', {
      option: 'publicUrl',
    });
  };
  let url: URL;
  try {
    url = new URL(typeof value === 'string' ? value : refuse());
  } catch {
    return refuse();
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    value.includes('?') ||
    value.includes('#')
  ) {
    refuse();
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The host the control guard must accept for a public URL (see the module comment). */
export function publicUrlHost(publicUrl: string): HostPort {
  const url = new URL(publicUrl);
  return { hostname: url.hostname.toLowerCase(), port: url.port === '' ? undefined : url.port };
}
