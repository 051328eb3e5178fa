/**
 * The client side of the JOSE envelope, without I/O: seal a request (encrypt the body to the API's
 * key, sign the `IOV-JWT` token bound to method, path and body) and open a response (verify the
 * `X-IOV-JWT` token against the request and the received message, then decrypt the body).
 *
 * The order in {@link openResponse} is deliberate: every public-key check (signature, claims, status,
 * body hash, headers) passes before the private-key decryption runs on bytes from the network.
 *
 * Keys arrive loaded, once, from the caller (the key ring, the API key cache) and are passed on as
 * they are: jose caches the CryptoKey it derives on each KeyObject, so the import is paid once per key.
 */
import type { HashFunc } from '../crypto/digest.js';
import { decryptJweJson, JWE_ALGORITHMS, type JweAlgorithm } from '../crypto/jwe.js';
import { encryptJwe } from '../crypto/jwe.js';
import type { KeyRing, PublicKey } from '../crypto/keys.js';
import {
  checkResponseBinding,
  requestClaims,
  signToken,
  verifyToken,
  type JwsAlgorithm,
  type TokenClaims,
} from '../crypto/jws.js';
import { UnexpectedResponseError } from '../errors.js';

/** Who signs and how: the credential side of the envelope. */
export interface EnvelopeCredentials {
  /** The credential holder, e.g. `svc:<uuid>`. */
  issuer: string;
  /** Its private keys: the signing key and every key responses may be encrypted to. */
  keyRing: KeyRing;
  /** Request token algorithm; default `RS256`. */
  signingAlgorithm?: JwsAlgorithm;
  /** Request body key wrapping; default `RSA-OAEP`. */
  encryptionAlgorithm?: JweAlgorithm;
  /** Request body digest; default `S256`. */
  hashFunc?: HashFunc;
}

/** A request to seal. */
export interface RequestToSeal {
  method: string;
  /** Path exactly as sent, without query string. */
  path: string;
  /** The entity acted on, e.g. `svc:<uuid>`. */
  subject: string;
  /** A JSON-serialisable body, or `undefined` for none. */
  body?: unknown;
}

/** A sealed request, ready to send. */
export interface SealedRequest {
  headers: Record<string, string>;
  /** The compact JWE body, when there is one. */
  body: string | undefined;
  /** The token's `jti`, which the response must echo. */
  jti: string;
}

/**
 * Encrypts the body (if any) to `apiKey` and signs the request token.
 *
 * @param now API time in seconds (local time plus the clock offset).
 */
export async function sealRequest(
  credentials: EnvelopeCredentials,
  request: RequestToSeal,
  apiKey: PublicKey,
  now: number,
): Promise<SealedRequest> {
  const body =
    request.body === undefined
      ? undefined
      : await encryptJwe(request.body, apiKey, { algorithm: credentials.encryptionAlgorithm ?? 'RSA-OAEP' });
  const claims = requestClaims({
    issuer: credentials.issuer,
    subject: request.subject,
    method: request.method,
    path: request.path,
    body,
    now,
    ...(credentials.hashFunc === undefined ? {} : { hashFunc: credentials.hashFunc }),
  });
  const token = await signToken(claims, credentials.keyRing.signingKey, {
    algorithm: credentials.signingAlgorithm ?? 'RS256',
  });
  const headers: Record<string, string> = { Authorization: `IOV-JWT ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/jose';
  return { headers, body, jti: claims.jti };
}

/** A response as received: status, lower-cased headers, raw body bytes. */
export interface ReceivedResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: Uint8Array;
}

/** How to check a response. */
export interface OpenResponseOptions {
  /** Public key of the API for a `kid`; fetches unknown ones. */
  resolveApiKey: (kid: string) => Promise<PublicKey>;
  /** API time in seconds. */
  now: number;
  /** Leeway on time claims, seconds. */
  leeway?: number;
  /**
   * Audiences accepted besides our own entity. Only a 401 may say `public` (the API did so in 2018
   * when it could not tell who was asking).
   */
  extraAudiences?: readonly string[];
  /** Whether `sub` must equal the request's subject (not on a 401, where the API may not know it). */
  checkSubject?: boolean;
}

/** A response whose token verified, with its body decrypted. */
export interface OpenedResponse {
  status: number;
  claims: TokenClaims;
  /** The decrypted JSON body; `undefined` when the body was empty. */
  payload: unknown;
}

/**
 * Verifies the `X-IOV-JWT` of a response against the request it answers, then decrypts its body with
 * the key the JWE `kid` names.
 *
 * @throws {UnexpectedResponseError} when the token header is missing.
 * @throws {JwtVerificationError} when the token does not verify or does not bind this response.
 * @throws {JweDecryptionError} when the body does not decrypt to JSON.
 */
export async function openResponse(
  credentials: EnvelopeCredentials,
  sealed: Pick<SealedRequest, 'jti'> & { subject: string },
  response: ReceivedResponse,
  options: OpenResponseOptions,
): Promise<OpenedResponse> {
  const token = response.headers['x-iov-jwt'];
  if (token === undefined || token.length === 0) {
    throw new UnexpectedResponseError('The response has no X-IOV-JWT header', { status: response.status });
  }
  const { claims } = await verifyToken(token, {
    resolveKey: (kid) => options.resolveApiKey(kid),
    issuer: 'lka',
    audience: [credentials.issuer, ...(options.extraAudiences ?? [])],
    ...(options.checkSubject === false ? {} : { subject: sealed.subject }),
    jti: sealed.jti,
    now: options.now,
    ...(options.leeway === undefined ? {} : { leeway: options.leeway }),
  });
  checkResponseBinding(claims, {
    status: response.status,
    body: response.body,
    location: response.headers['location'],
    cache: response.headers['cache-control'],
  });
  if (response.body.length === 0) return { status: response.status, claims, payload: undefined };
  const text = Buffer.from(response.body).toString('latin1');
  // The API encrypts with RSA-OAEP (the Python SDK can open nothing else); RSA-OAEP-256 is accepted
  // too, as the Java SDK does, since both are allow-listed OAEP variants of the protocol.
  const { payload } = await decryptJweJson(text, (kid) => credentials.keyRing.get(kid), { algorithms: JWE_ALGORITHMS });
  return { status: response.status, claims, payload };
}
