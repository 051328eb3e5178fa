/**
 * A legacy-only authorization response, made from a real one: the emulator always sends both
 * device packages (as the API did), so a delivery carrying only the legacy `auth` package is the
 * emulator's own delivery with `auth_jwe` removed, encrypted again to the service and signed again
 * by the API key, with the same claims.
 */
import type { IncomingHttpHeaders } from 'node:http';

import { decryptJweJson, encryptJwe } from '../../lib/crypto/jwe.js';
import { KeyRing, type PrivateKey } from '../../lib/crypto/keys.js';
import { requestClaims, signToken, type TokenClaims } from '../../lib/crypto/jws.js';

/** A webhook request as received: its path, headers and raw body. */
export interface RawWebhook {
  path: string;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** `delivery` (an authorization response) with only the legacy package left, signed again by `apiKey`. */
export async function legacyOnly<T extends RawWebhook>(
  delivery: T,
  serviceKey: PrivateKey,
  apiKey: PrivateKey,
): Promise<T> {
  const { payload } = await decryptJweJson(delivery.body.toString('latin1'), (kid) =>
    new KeyRing([serviceKey]).get(kid),
  );
  const core = { ...(payload as Record<string, unknown>) };
  delete core['auth_jwe'];
  const body = await encryptJwe(core, serviceKey.publicKey);
  const sent = JSON.parse(
    Buffer.from(String(delivery.headers['x-iov-jwt']).split('.')[1] ?? '', 'base64url').toString('utf8'),
  ) as TokenClaims;
  const claims = requestClaims({
    issuer: sent.iss,
    audience: sent.aud,
    subject: sent.sub,
    method: 'POST',
    path: delivery.path,
    body,
    now: sent.iat,
  });
  const token = await signToken(claims, apiKey);
  return { ...delivery, headers: { ...delivery.headers, 'x-iov-jwt': token }, body: Buffer.from(body) };
}
