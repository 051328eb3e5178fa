/**
 * The one table of the keys and ids the specs' worlds use. Every key is a 2048-bit vector key from the
 * official SDKs' suites (spec/vectors), one per role, so no spec generates keys and a name always means
 * the same key in every spec.
 */
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { vectorText } from './vectors.js';

export const KEYS = {
  /** The organization's key. */
  org: vectorText('dotnet-test-private.key'),
  /** The directory's key. */
  dir: vectorText('python-valid-private-key.pem'),
  /** The services' key. */
  svc: vectorText('python-features-organization-key.pem'),
  /** The emulated API's own key (responses and webhooks are signed with it). */
  api: vectorText('dotnet-webclienttransport-private-key.pem'),
};

/** The PEM public key of a private key PEM. */
export const publicPem = (pem: string): string => loadPrivateKey(pem).publicKey.pem;

export const IDS = {
  org: '0a1b2c3d-0000-4000-8000-000000000001',
  dir: '0a1b2c3d-0000-4000-8000-000000000002',
  dirSvc: '0a1b2c3d-0000-4000-8000-000000000003',
  orgSvc: '0a1b2c3d-0000-4000-8000-000000000004',
  otherOrg: '0a1b2c3d-0000-4000-8000-000000000005',
  otherDir: '0a1b2c3d-0000-4000-8000-000000000006',
  encOnlySvc: '0a1b2c3d-0000-4000-8000-000000000007',
  splitSvc: '0a1b2c3d-0000-4000-8000-000000000008',
  /** The strategy specs' service answered by webhook. */
  hook: '0a1b2c3d-0000-4000-8000-000000000009',
  /** The strategy specs' service answered by polling. */
  poll: '0a1b2c3d-0000-4000-8000-00000000000a',
};
