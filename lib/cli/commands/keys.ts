/**
 * `launchkey keys list|add`: the public keys of a service, managed by its directory or organization.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { AddPublicKeyOptions } from '../../clients/service_management.js';
import { loadPrivateKey, loadPublicKey } from '../../crypto/keys.js';
import { ConfigurationError, UsageError } from '../../errors.js';
import { parseIsoTime } from '../../iso_time.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit_codes.js';
import { publicKeyJson, shortDate, table } from '../views.js';

const KEY_TYPES = { both: 'BOTH', encryption: 'ENCRYPTION', signature: 'SIGNATURE' } as const;

/** Largest PEM file read: public keys are well under a kilobyte; anything this large is not one. */
const MAX_PEM_FILE_BYTES = 64 * 1024;

/**
 * The public key PEM to register from the file at `path`. A private key file is accepted and only
 * its public half is sent: operators often have just the `openssl genrsa` output at hand, and the
 * private half must never leave the machine.
 */
function publicPemFrom(path: string, cwd: string): string {
  let text: Buffer;
  try {
    text = readFileSync(resolve(cwd, path));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`cannot read the key file (${typeof code === 'string' ? code : 'unreadable'})`, {
      argument: 'PEM_FILE',
    });
  }
  if (text.length > MAX_PEM_FILE_BYTES) throw new UsageError('the key file is too large to be a PEM key');
  const pem = text.toString('utf8');
  try {
    const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) ? loadPrivateKey(pem).publicKey : loadPublicKey(pem);
    return key.pem;
  } catch (err) {
    if (err instanceof ConfigurationError) {
      throw new UsageError(`the key file: ${err.message}`, { argument: 'PEM_FILE', cause: err });
    }
    throw err;
  }
}

function expiresFrom(value: string): Date {
  const date = parseIsoTime(value);
  // A time of day must say its zone: typed at a terminal, a bare one is ambiguous (the wire reads it as UTC).
  const zoneless = value.includes('T') && !/(?:Z|[+-]\d\d:\d\d)$/.test(value);
  if (date === undefined || zoneless) {
    throw new UsageError('--expires takes an ISO 8601 date or time, e.g. 2027-01-31 or 2027-01-31T12:00:00Z', {
      argument: '--expires',
    });
  }
  return date;
}

export const keysList: Command = {
  name: 'keys list',
  summary: 'list the public keys of a service',
  args: [],
  description: ['Lists the public keys of the service named by --service-id (or LAUNCHKEY_SERVICE_ID).'],
  options: {},
  credentials: 'service-keys',
  exits: [[EXIT.OK, 'listed']],
  json: ['{"serviceId","keys":[KEY]}', 'KEY: {"id","keyType","active","created","expires","publicKey"}'],
  async run({ out, credentials }) {
    const serviceId = credentials.serviceId();
    const keys = await credentials.serviceManager().getServicePublicKeys(serviceId);
    const text =
      keys.length === 0
        ? `Service ${serviceId} has no public keys.`
        : table(
            ['KEY ID', 'TYPE', 'ACTIVE', 'CREATED', 'EXPIRES'],
            keys.map((k) => [
              k.id,
              k.keyType,
              k.active ? 'yes' : 'no',
              shortDate(k.created),
              shortDate(k.expires, 'never'),
            ]),
          );
    out.result(text, { serviceId, keys: keys.map(publicKeyJson) });
    return EXIT.OK;
  },
};

export const keysAdd: Command = {
  name: 'keys add',
  summary: 'add a public key (PEM file) to a service',
  args: ['PEM_FILE'],
  description: [
    'Registers the public key in PEM_FILE for the service named by --service-id (or',
    'LAUNCHKEY_SERVICE_ID). Given a private key file, only its public half is sent.',
  ],
  options: {
    expires: { type: 'string', value: 'DATE', description: 'when the key stops being valid (ISO 8601)' },
    'key-type': {
      type: 'string',
      value: 'TYPE',
      description: 'what the key is for: both (default), encryption or signature',
    },
  },
  credentials: 'service-keys',
  exits: [[EXIT.OK, 'added']],
  json: ['{"serviceId","keyId","keyType","expires"}'],
  async run({ args, options, out, credentials, cwd }) {
    const [path = ''] = args;
    const typeName = options.string('key-type') ?? 'both';
    if (!Object.hasOwn(KEY_TYPES, typeName)) {
      throw new UsageError('--key-type must be both, encryption or signature', { argument: '--key-type' });
    }
    const keyType = KEY_TYPES[typeName as keyof typeof KEY_TYPES];
    const expiresText = options.string('expires');
    const expires = expiresText === undefined ? undefined : expiresFrom(expiresText);
    const pem = publicPemFrom(path, cwd);
    const serviceId = credentials.serviceId();

    const addOptions: AddPublicKeyOptions = { keyType };
    if (expires !== undefined) addOptions.expires = expires;
    const keyId = await credentials.serviceManager().addServicePublicKey(serviceId, pem, addOptions);
    const until = expires === undefined ? '' : `, expires ${shortDate(expires)}`;
    out.result(`Added key ${keyId} (${keyType}${until}) to service ${serviceId}.`, {
      serviceId,
      keyId,
      keyType,
      expires: expires === undefined ? null : expires.toISOString(),
    });
    return EXIT.OK;
  },
};
