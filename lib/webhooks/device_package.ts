/**
 * Opening the device package of an auth response core (docs/protocol.md, "Device packages"): decrypt the
 * JWE `auth_jwe`, or the legacy RSA-OAEP-SHA1 `auth`, with the requesting entity's private key, then hand the
 * plaintext to the entity parsers. Both receivers of the core use it: the webhook (verify.ts) and the poll
 * (`ServiceClient.getAdvancedAuthorizationResponse`), which sits above this layer.
 */
import { JWE_ALGORITHMS, decryptJwe } from '../crypto/jwe.js';
import type { PrivateKey } from '../crypto/keys.js';
import { decryptLegacyPackage } from '../crypto/legacy_package.js';
import {
  parseJwePackage,
  parseLegacyPackage,
  type AuthorizationResponse,
  type AuthResponseCore,
} from '../entities/auth_response.js';
import { AuthRequestMismatchError, JweDecryptionError, LegacyPackageRefusedError } from '../errors.js';
import { parseJsonObject } from './json_text.js';

/** Where the private keys come from: a `KeyRing`, or anything with its `get`. */
export interface PrivateKeyLookup {
  get(kid: string): PrivateKey | undefined;
}

/** Options of {@link decodeAuthorizationResponse}. */
export interface DecodeAuthorizationResponseOptions {
  /**
   * The authorization request this response must answer. When given, the package's `auth_request`
   * must equal it (UUIDs compared case-insensitively) or {@link AuthRequestMismatchError} is thrown.
   */
  expectedAuthorizationRequestId?: string;
  /**
   * Whether a core without `auth_jwe` may be answered from the legacy `auth` package; default `true` (the
   * SDKs' behaviour). The legacy package carries no type or reason, and its key is chosen by the sender's
   * `public_key_id`; a strategy that wants only JWE packages passes `false` (docs/security.md, T21), and a
   * core without `auth_jwe` is then a {@link LegacyPackageRefusedError} (a `PayloadValidationError` on
   * `auth_jwe`, code `ERR_LK_LEGACY_PACKAGE_REFUSED`).
   */
  allowLegacyPackage?: boolean;
}

/**
 * Decrypts and decodes the device package of an auth response core. The JWE package is preferred:
 * it is decrypted with the key its `kid` names (RSA-OAEP or RSA-OAEP-256 with A256CBC-HS512; no
 * trial of other keys). Without one, the legacy `auth` package is decrypted (RSA-OAEP-SHA1) with the
 * key whose id is `public_key_id`.
 *
 * @param core a core from `parseAuthResponseCore`.
 * @param keys the requesting entity's private keys (a `KeyRing`).
 * @throws {JweDecryptionError} when the package cannot be decrypted (`key` when no held key fits).
 * @throws {PayloadValidationError} naming the field (`auth_jwe.service_pins`, `auth.response`, ...)
 *   when the decrypted package has the wrong shape.
 * @throws {AuthRequestMismatchError} when the package answers another request than the expected one.
 */
export async function decodeAuthorizationResponse(
  core: AuthResponseCore,
  keys: PrivateKeyLookup,
  options: DecodeAuthorizationResponseOptions = {},
): Promise<AuthorizationResponse> {
  const response =
    core.authJwe !== undefined
      ? await decodeJwePackage(core, core.authJwe, keys)
      : options.allowLegacyPackage === false
        ? refuseLegacyPackage()
        : await decodeLegacyPackage(core, keys);
  const expected = options.expectedAuthorizationRequestId;
  if (expected !== undefined && expected.toLowerCase() !== response.authorizationRequestId.toLowerCase()) {
    throw new AuthRequestMismatchError(expected, response.authorizationRequestId);
  }
  return response;
}

/** Nothing is decrypted: the refusal depends only on which package the core carries. */
function refuseLegacyPackage(): never {
  throw new LegacyPackageRefusedError();
}

async function decodeJwePackage(
  core: AuthResponseCore,
  compact: string,
  keys: PrivateKeyLookup,
): Promise<AuthorizationResponse> {
  const { plaintext } = await decryptJwe(compact, (kid) => keys.get(kid), { algorithms: JWE_ALGORITHMS });
  return parseJwePackage(parseJsonObject(plaintext, 'auth_jwe'), core);
}

async function decodeLegacyPackage(core: AuthResponseCore, keys: PrivateKeyLookup): Promise<AuthorizationResponse> {
  const key = keys.get(core.publicKeyId);
  if (key === undefined) {
    throw new JweDecryptionError('key', `The key id ${core.publicKeyId} could not be found among the available keys`, {
      kid: core.publicKeyId,
    });
  }
  const plaintext = await decryptLegacyPackage(core.auth, key);
  return parseLegacyPackage(parseJsonObject(plaintext, 'auth'), core);
}
