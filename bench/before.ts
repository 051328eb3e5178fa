/**
 * Before/after in one process: `--before <git ref>` puts the lib/ of that commit beside the current
 * one, so both seal and open the same fixture with their samples interleaved (harness.ts), instead of
 * two runs minutes apart on a noisy VM. The tree is taken with `git archive` (no checkout, no
 * worktree) into bench/results/before-<sha>/lib, once, and loaded through tsx like the current lib.
 *
 * Each side loads its own keys, once, from the same PEMs: the comparison is of the code, not of key
 * handling. The earlier lib must have the API of today's transport/client_envelope.ts (`sealRequest`, `openResponse`)
 * and keys.ts (`loadPrivateKey`, `loadPublicKey`, `KeyRing`), as every commit since the transport
 * layer landed does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type * as Envelope from '../lib/transport/client_envelope.js';
import type * as Keys from '../lib/crypto/keys.js';
import { REQUEST_BODY, RESPONSE_BODY, type Fixture } from './fixture.js';
import type { Variant } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lib of an earlier commit, loaded. */
export interface BeforeLib {
  /** The ref as given, and the commit it names. */
  ref: string;
  sha: string;
  envelope: typeof Envelope;
  keys: typeof Keys;
}

/** Extracts (once) and loads the lib/ of `ref`. */
export async function loadBefore(ref: string): Promise<BeforeLib> {
  const sha = execFileSync('git', ['rev-parse', '--short=12', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = join(ROOT, 'bench', 'results', `before-${sha}`);
  if (!existsSync(join(dir, 'lib'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha, 'lib'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  // Inside the repository, so that its imports of node_modules resolve like the current lib's.
  const load = (path: string) => import(pathToFileURL(join(dir, 'lib', path)).href);
  // The file was lib/transport/envelope.ts before the renames of issue 14.
  const envelopeFile = existsSync(join(dir, 'lib', 'transport', 'client_envelope.ts'))
    ? 'transport/client_envelope.ts'
    : 'transport/envelope.ts';
  const envelope = (await load(envelopeFile)) as typeof Envelope;
  const keys = (await load('crypto/keys.ts')) as typeof Keys;
  assert.equal(typeof envelope.sealRequest, 'function', `${ref}: lib/${envelopeFile} has no sealRequest`);
  assert.equal(typeof envelope.openResponse, 'function', `${ref}: lib/${envelopeFile} has no openResponse`);
  return { ref, sha, envelope, keys };
}

/** The earlier lib's seal and open of the fixture, with its own keys loaded once. */
export interface BeforeVariants {
  seal: Variant;
  open: Variant;
}

/**
 * The timed variants of the earlier lib, after checking that it does the same work: its sealed
 * request opens with the current lib, and it opens the fixture's response to the same payload.
 */
export async function beforeVariants(before: BeforeLib, f: Fixture): Promise<BeforeVariants> {
  const { keys, envelope } = before;
  const client = keys.loadPrivateKey(f.pems.client);
  const apiPublic = keys.loadPublicKey(f.pems.apiPublic);
  const credentials = { issuer: f.credentials.issuer, keyRing: new keys.KeyRing([client]) };
  const openOptions = { resolveApiKey: () => Promise.resolve(apiPublic), now: f.openOptions.now };
  const label = `before: lib at ${before.ref}`;

  const opened = await envelope.openResponse(credentials, f.sealed, f.response, openOptions);
  assert.deepEqual(opened.payload, RESPONSE_BODY);
  const sealed = await envelope.sealRequest(credentials, f.request, apiPublic, f.now);
  assert.deepEqual(await f.openSealedRequest(sealed), REQUEST_BODY);

  return {
    seal: { id: 'before', label, fn: () => envelope.sealRequest(credentials, f.request, apiPublic, f.now) },
    open: { id: 'before', label, fn: () => envelope.openResponse(credentials, f.sealed, f.response, openOptions) },
  };
}
