/**
 * Spec-side client of the emulator: builds signed requests the way the official SDKs do (Python:
 * RS512 with a stray `alg` claim, RSA-OAEP body, `application/jwe`; Java: RS256, RSA-OAEP-256 with
 * `cty`, `application/jose`), optionally tampered, and opens responses with the client envelope.
 */
import type { HashFunc } from '../../lib/crypto/digest.js';
import { encryptJwe } from '../../lib/crypto/jwe.js';
import { KeyRing, loadPublicKey, type PrivateKey, type PublicKey } from '../../lib/crypto/keys.js';
import { requestClaims, signToken, type TokenClaims } from '../../lib/crypto/jws.js';
import { openResponse, type OpenedResponse } from '../../lib/transport/client_envelope.js';
import type { EmulatorConfig } from '../../lib/emulator/index.js';

import { IDS, KEYS, publicPem } from './test_keys.js';

export { IDS, KEYS, publicPem };

/** A world with an org, a directory, a directory service, an org service and a user "alice". */
export function baseConfig(
  extra: { callbackUrl?: string; webhookUrl?: string; denialContext?: boolean } = {},
): EmulatorConfig {
  return {
    organizations: [
      { id: IDS.org, name: 'Org', publicKeys: [{ pem: publicPem(KEYS.org) }] },
      { id: IDS.otherOrg, name: 'Other org', publicKeys: [{ pem: publicPem(KEYS.dir) }] },
    ],
    directories: [
      {
        id: IDS.dir,
        organizationId: IDS.org,
        name: 'Dir',
        publicKeys: [{ pem: publicPem(KEYS.dir) }],
        webhookUrl: extra.webhookUrl ?? null,
        denialContextInquiryEnabled: extra.denialContext ?? true,
      },
      { id: IDS.otherDir, organizationId: IDS.otherOrg, name: 'Other dir', publicKeys: [{ pem: publicPem(KEYS.dir) }] },
    ],
    services: [
      {
        id: IDS.dirSvc,
        directoryId: IDS.dir,
        name: 'Dir service',
        publicKeys: [{ pem: publicPem(KEYS.svc) }],
        callbackUrl: extra.callbackUrl ?? null,
      },
      { id: IDS.orgSvc, organizationId: IDS.org, name: 'Org service', publicKeys: [{ pem: publicPem(KEYS.svc) }] },
      {
        id: IDS.encOnlySvc,
        directoryId: IDS.dir,
        name: 'Enc only',
        publicKeys: [{ pem: publicPem(KEYS.svc), keyType: 1 }],
      },
      {
        id: IDS.splitSvc,
        directoryId: IDS.dir,
        name: 'Split keys',
        publicKeys: [
          { pem: publicPem(KEYS.svc), keyType: 2 },
          { pem: publicPem(KEYS.org), keyType: 1 },
        ],
      },
    ],
    users: [
      {
        directoryId: IDS.dir,
        identifier: 'alice',
        devices: [
          {
            name: 'phone',
            factors: ['possession', 'knowledge', 'inherence'],
            location: {
              latitude: 45.5,
              longitude: -122.6,
              country: 'US',
              administrative_area: 'US-OR',
              postal_code: '97201',
            },
          },
        ],
      },
      {
        directoryId: IDS.dir,
        identifier: 'bob',
        devices: [{ name: 'old phone', factors: ['possession'], jailbroken: true }],
      },
      { directoryId: IDS.dir, identifier: 'nodevice', devices: [] },
    ],
  };
}

export type Flavor = 'python' | 'java' | 'default';

/** Ways to spoil a request, one per refusal the emulator must make. */
export interface Tamper {
  claims?: (claims: TokenClaims) => void;
  signWith?: PrivateKey;
  /** Body actually sent, when different from the one hashed. */
  sentBody?: string;
  /** Path actually requested, when different from the signed one. */
  sentPath?: string;
  sentMethod?: string;
  /** Body digest; default S256. */
  hashFunc?: HashFunc;
  /** Corrupt the signature. */
  badSignature?: boolean;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  rawBody: string;
  opened: OpenedResponse;
  payload: unknown;
}

export class EmulatorClient {
  readonly ring: KeyRing;
  private apiKeys = new Map<string, PublicKey>();

  constructor(
    readonly baseUrl: string,
    readonly issuer: string,
    keyPem: string | string[],
    readonly flavor: Flavor = 'default',
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.ring = new KeyRing(Array.isArray(keyPem) ? keyPem : [keyPem]);
  }

  async apiKey(kid?: string): Promise<PublicKey> {
    const cached = kid === undefined ? undefined : this.apiKeys.get(kid);
    if (cached !== undefined) return cached;
    const res = await fetch(`${this.baseUrl}/public/v3/public-key${kid === undefined ? '' : `/${kid}`}`);
    if (res.status !== 200) throw new Error(`public key ${kid ?? ''} -> ${res.status}`);
    const key = loadPublicKey(await res.text());
    this.apiKeys.set(key.kid, key);
    return key;
  }

  /** Builds and sends a request without opening the response. */
  async send(method: string, path: string, subject: string, body?: unknown, tamper: Tamper = {}) {
    const apiKey = await this.apiKey();
    let jwe: string | undefined;
    if (body !== undefined) {
      jwe =
        this.flavor === 'java'
          ? await encryptJwe(body, apiKey, { algorithm: 'RSA-OAEP-256', contentType: 'application/json' })
          : await encryptJwe(body, apiKey, { algorithm: 'RSA-OAEP' });
    }
    const claims = requestClaims({
      issuer: this.issuer,
      subject,
      method,
      path,
      body: jwe,
      now: this.now(),
      ...(tamper.hashFunc === undefined ? {} : { hashFunc: tamper.hashFunc }),
    });
    if (this.flavor === 'python') claims['alg'] = 'RS512';
    tamper.claims?.(claims);
    let token = await signToken(claims, tamper.signWith ?? this.ring.signingKey, {
      algorithm: this.flavor === 'python' ? 'RS512' : 'RS256',
    });
    if (tamper.badSignature === true) token = `${token.slice(0, -6)}${token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    const headers: Record<string, string> = { Authorization: `IOV-JWT ${token}` };
    if (this.flavor === 'python') headers['Content-Type'] = jwe === undefined ? 'application/jwt' : 'application/jwe';
    if (this.flavor === 'java' && jwe !== undefined) headers['Content-Type'] = 'application/jose';
    const sentBody = tamper.sentBody ?? jwe;
    const res = await fetch(`${this.baseUrl}${tamper.sentPath ?? path}`, {
      method: tamper.sentMethod ?? method,
      headers,
      ...(sentBody === undefined ? {} : { body: sentBody }),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => (resHeaders[k] = v));
    return { status: res.status, headers: resHeaders, raw, jti: claims.jti };
  }

  /**
   * Sends and opens the response with the client envelope (every check of docs/protocol.md, "What the client
   * verifies").
   */
  async call(method: string, path: string, subject: string, body?: unknown, tamper: Tamper = {}): Promise<CallResult> {
    const sent = await this.send(method, path, subject, body, tamper);
    const opened = await openResponse(
      { issuer: this.issuer, keyRing: this.ring },
      { jti: sent.jti, subject },
      { status: sent.status, headers: sent.headers, body: sent.raw },
      { resolveApiKey: (kid) => this.apiKey(kid), now: this.now(), leeway: 5 },
    );
    return {
      status: sent.status,
      headers: sent.headers,
      rawBody: sent.raw.toString('latin1'),
      opened,
      payload: opened.payload,
    };
  }
}

/** POSTs JSON to the control API. */
export async function control(
  baseUrl: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
}
