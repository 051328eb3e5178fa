/**
 * The server side of the JOSE envelope (docs/protocol.md, "How the emulator checks a request" and "The
 * response envelope"): verify the `IOV-JWT` request token (key of the `iss` entity named by `kid`, audience,
 * time, method/path/body binding), check the issuer may act for the subject, decrypt the JWE body with the
 * API key; and sign every response with an `X-IOV-JWT` bound to its status and body, encrypting non-empty
 * bodies to the issuer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { decryptJweJson, encryptJwe } from '../crypto/jwe.js';
import type { PrivateKey, PublicKey } from '../crypto/keys.js';
import { checkRequestBinding, responseClaims, signToken, verifyToken, type TokenClaims } from '../crypto/jws.js';
import { JweDecryptionError, JwtVerificationError } from '../errors.js';
import { ApiFault } from './fault.js';
import type { Entity, EntityKind, EmulatorState } from './state.js';

/** Seconds of clock skew tolerated on request tokens (clients send `exp = iat + 5`). */
export const REQUEST_LEEWAY = 5;

/** Who a response answers: the claimed issuer, subject and jti of the request, as far as known. */
export interface ResponseAddress {
  aud: string;
  sub: string;
  jti: string;
  /** The entity whose encryption key a body is encrypted to (known once the token verified). */
  issuer?: Entity;
  /** Id of the issuer's key that signed the request: it picks the key the body is encrypted to. */
  signingKeyId?: string;
}

/** A request refused by the envelope: 401 (credentials) or 403 (not entitled). */
export class EnvelopeRefusal extends Error {
  constructor(
    readonly status: 401 | 403,
    readonly address: ResponseAddress,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeRefusal';
  }
}

/** A verified request. */
export interface VerifiedRequest {
  claims: TokenClaims;
  issuer: Entity;
  subject: Entity;
  body: Record<string, unknown> | undefined;
  address: ResponseAddress;
}

/** The claims of a token without verifying it, for addressing a 401. */
function claimedAddress(token: string | undefined): ResponseAddress {
  let payload: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object') payload = value as Record<string, unknown>;
  } catch {
    // unparseable: the 2018 API answered such requests with aud "public"
  }
  const str = (v: unknown, fallback: string) =>
    typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : fallback;
  const aud = str(payload['iss'], 'public');
  return { aud, sub: str(payload['sub'], aud), jti: str(payload['jti'], 'unknown') };
}

/**
 * Verifies a signed request.
 *
 * @throws {EnvelopeRefusal} for a missing, bad or unentitled token.
 * @throws {ApiFault} 400 ARG-001 for a body that does not decrypt to a JSON object.
 */
export async function verifyRequest(
  state: EmulatorState,
  apiKey: PrivateKey,
  req: IncomingMessage,
  path: string,
  rawBody: Buffer,
  subjectKind: EntityKind,
): Promise<VerifiedRequest> {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('IOV-JWT ') ? header.slice('IOV-JWT '.length).trim() : undefined;
  const claimed = claimedAddress(token);
  if (token === undefined) throw new EnvelopeRefusal(401, claimed, 'Missing IOV-JWT authorization');

  let claims: TokenClaims;
  let signingKeyId: string;
  try {
    const verified = await verifyToken(token, {
      resolveKey: (kid, iss): PublicKey | undefined => {
        const entity = iss === undefined ? undefined : state.entityById(iss);
        return entity === undefined
          ? undefined
          : state.usableKeys(entity, 'sign').find((k) => k.publicKey.kid === kid)?.publicKey;
      },
      audience: 'lka',
      now: state.clock.now(),
      leeway: REQUEST_LEEWAY,
    });
    claims = verified.claims;
    signingKeyId = verified.header.kid;
    checkRequestBinding(claims, { method: req.method ?? 'GET', path, body: rawBody.length > 0 ? rawBody : undefined });
  } catch (err) {
    if (err instanceof JwtVerificationError) throw new EnvelopeRefusal(401, claimed, err.message);
    throw new EnvelopeRefusal(401, claimed, 'Token could not be verified');
  }

  const issuer = state.entityById(claims.iss);
  if (issuer === undefined) throw new EnvelopeRefusal(401, claimed, 'Unknown issuer');
  const address: ResponseAddress = { aud: claims.iss, sub: claims.sub, jti: claims.jti, issuer, signingKeyId };
  const subject = state.entityById(claims.sub);
  if (subject === undefined || subject.kind !== subjectKind || !state.entitled(issuer, subject)) {
    throw new EnvelopeRefusal(403, address, 'Issuer may not act for this subject');
  }

  let body: Record<string, unknown> | undefined;
  if (rawBody.length > 0) {
    try {
      const { payload } = await decryptJweJson(rawBody.toString('latin1'), (kid) =>
        kid === apiKey.kid ? apiKey : undefined,
      );
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('not an object');
      body = payload as Record<string, unknown>;
    } catch (err) {
      const reason = err instanceof JweDecryptionError ? err.message : 'Body is not a JSON object';
      throw Object.assign(new ApiFault(400, 'ARG-001', { body: reason }), { address });
    }
  }
  return { claims, issuer, subject, body, address };
}

/**
 * Sends a signed response. Bodies of 400/409 faults and successes are encrypted (RSA-OAEP, the one
 * algorithm every SDK decrypts) to the issuer's key for this request ({@link EmulatorState.responseKey}:
 * the signing key when it is dual-purpose, else an encryption-only key); 401/403/404/408/429 are empty.
 * `extraHeaders` are sent as they are, unsigned (never Cache-Control or Location, which the token
 * would have to mirror).
 */
export async function sendSigned(
  res: ServerResponse,
  state: EmulatorState,
  apiKey: PrivateKey,
  address: ResponseAddress,
  status: number,
  payload?: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<void> {
  let body = '';
  if (payload !== undefined) {
    const key = address.issuer === undefined ? undefined : state.responseKey(address.issuer, address.signingKeyId);
    if (key === undefined) {
      // Nothing to encrypt to: the real API could not answer this either.
      await sendSigned(res, state, apiKey, { aud: address.aud, sub: address.sub, jti: address.jti }, 500);
      return;
    }
    body = await encryptJwe(payload, key.publicKey, { contentType: 'application/json' });
  }
  const claims = responseClaims({
    audience: address.aud,
    subject: address.sub,
    jti: address.jti,
    status,
    body: body.length > 0 ? body : undefined,
    now: state.clock.now(),
  });
  const token = await signToken(claims, apiKey, { typ: true });
  const headers: Record<string, string> = {
    ...extraHeaders,
    'X-IOV-JWT': token,
    'Content-Length': String(Buffer.byteLength(body)),
  };
  if (body.length > 0) headers['Content-Type'] = 'application/jose';
  res.writeHead(status, headers);
  res.end(body);
}

/** The body of a fault: encrypted error JSON for 400/409, nothing otherwise. */
export function faultPayload(fault: ApiFault): unknown {
  if ((fault.status !== 400 && fault.status !== 409) || fault.errorCode === undefined) return undefined;
  return {
    error_code: fault.errorCode,
    error_detail: fault.detail ?? '',
    ...(fault.data === undefined ? {} : { error_data: fault.data }),
  };
}
