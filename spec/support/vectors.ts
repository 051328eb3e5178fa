/**
 * Reads the verbatim test vectors of spec/vectors/ (see spec/vectors/INDEX.md). Paths are relative to
 * that folder; nothing is ever regenerated.
 */
import { readFileSync } from 'node:fs';

const VECTORS = new URL('../vectors/', import.meta.url);

/** The text of a vector file, exactly as stored. */
export function vectorText(path: string): string {
  return readFileSync(new URL(path, VECTORS), 'utf8');
}

/** The text of a vector file without surrounding whitespace (single-line tokens and base64). */
export function vectorToken(path: string): string {
  return vectorText(path).trim();
}

/** A JSON vector file, parsed. */
export function vectorJson(path: string): unknown {
  return JSON.parse(vectorText(path)) as unknown;
}

/** Shape of synthetic/end-to-end.json (INDEX.md §7). */
export interface EndToEnd {
  issuer: string;
  subject: string;
  api_key: { private: string; public: string; kid: string };
  client_key: { private: string; public: string; kid: string };
  request: {
    method: string;
    path: string;
    headers: { Authorization: string; 'Content-Type': string };
    body: string;
    decrypted_body: string;
    jwt_claims: Record<string, unknown>;
  };
  response: {
    status: number;
    headers: { 'X-IOV-JWT': string; 'Content-Type': string };
    body: string;
    decrypted_body: string;
    jwt_claims: Record<string, unknown>;
  };
  poll_response_core: {
    decrypted_body: { auth: string; auth_jwe: string; public_key_id: string; [field: string]: unknown };
    auth_plaintext: string;
    auth_jwe_plaintext: string;
  };
  webhook_session_end: {
    method: string;
    path: string;
    headers: { 'X-IOV-JWT': string; 'Content-Type': string };
    body: string;
    jwt_claims: Record<string, unknown>;
  };
}

/** The synthetic end-to-end exchange. */
export function endToEnd(): EndToEnd {
  return vectorJson('synthetic/end-to-end.json') as EndToEnd;
}
