import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PACKAGE_NAME, PACKAGE_VERSION } from '../lib/version.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = join(ROOT, 'lib');

/**
 * Which top-level parts of lib/ each part may import (docs/architecture.md, "The faces and the layers"); its
 * own files are always allowed.
 */
const ALLOWED: Record<string, readonly string[]> = {
  // Leaves: each holds one fact that several layers share (a wire time, the loopback rule) and imports nothing.
  'iso_time.ts': [],
  'loopback.ts': [],
  'version.ts': [],
  'errors.ts': ['iso_time.ts'],
  crypto: ['errors.ts'],
  // Wire types and their parsers only: decryption and JSON text belong to the layer that receives the bytes.
  entities: ['errors.ts', 'iso_time.ts'],
  // OpenTelemetry's optional API, loaded when present; imports nothing but the errors and the version.
  telemetry: ['errors.ts', 'version.ts'],
  transport: ['errors.ts', 'iso_time.ts', 'loopback.ts', 'version.ts', 'crypto', 'telemetry'],
  webhooks: ['errors.ts', 'crypto', 'entities'],
  clients: ['errors.ts', 'iso_time.ts', 'crypto', 'entities', 'transport', 'webhooks'],
  passport: ['errors.ts', 'crypto', 'entities', 'clients', 'webhooks', 'telemetry'],
  emulator: ['errors.ts', 'iso_time.ts', 'loopback.ts', 'version.ts', 'crypto', 'entities'],
  redis: ['errors.ts', 'entities', 'webhooks', 'passport'],
  testing: ['errors.ts', 'entities', 'passport'],
  // The operator CLI sits on the SDK: never on the strategy or the emulator.
  cli: ['errors.ts', 'iso_time.ts', 'version.ts', 'crypto', 'entities', 'clients'],
  // The Fastify and Koa faces: routes built from the strategy's neutral handlers.
  frameworks: ['errors.ts', 'webhooks', 'passport'],
  // The entries: the root (the strategy and the errors) and the SDK.
  'index.ts': ['errors.ts', 'webhooks', 'passport'],
  sdk: ['crypto', 'entities', 'transport', 'webhooks', 'clients'],
};

/** What a framework adapter (lib/passport/adapters/) may import from the rest of lib/passport. */
const ADAPTER_MAY_IMPORT: readonly string[] = [
  'http.js',
  'session.js',
  'callback_values.js',
  'bridge_login.js',
  'outcome.js',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level part of lib/ a path belongs to: a folder name, or a root file name. */
function partOf(pathInLib: string): string {
  return pathInLib.split('/')[0] ?? pathInLib;
}

describe('package', () => {
  it('version.ts matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    expect({ name: PACKAGE_NAME, version: PACKAGE_VERSION }).to.deep.equal({ name: pkg.name, version: pkg.version });
  });

  it('keeps the dependency direction of docs/architecture.md in every lib/ file', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(LIB)) {
      const from = relative(LIB, file).split('\\').join('/');
      const part = partOf(from);
      const allowed = ALLOWED[part];
      if (allowed === undefined) {
        violations.push(`${from}: lib/${part} has no entry in the layering table`);
        continue;
      }
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = relative(LIB, join(file, '..', match[1] ?? ''))
          .split('\\')
          .join('/');
        const targetPart = partOf(target.replace(/\.js$/, '.ts'));
        if (targetPart !== part && !allowed.includes(targetPart)) violations.push(`${from} imports ${target}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('keeps the framework adapters at the edge of lib/passport: the core never imports them', () => {
    // The core (start, complete, the handlers) works on http.ts's interface only; the adapters turn
    // each framework's request and response into it, and only the strategy (which hands passport's
    // request to the right adapter) reaches them. Adapters never import the core's handlers back.
    const passport = join(LIB, 'passport');
    const violations: string[] = [];
    for (const file of sourceFiles(passport)) {
      const from = relative(passport, file).split('\\').join('/');
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = relative(passport, join(file, '..', match[1] ?? ''))
          .split('\\')
          .join('/');
        const intoAdapters = target.startsWith('adapters/');
        const fromAdapters = from.startsWith('adapters/');
        if (intoAdapters && !fromAdapters && from !== 'strategy.ts') violations.push(`${from} imports ${target}`);
        if (fromAdapters && !intoAdapters && !target.startsWith('..') && !ADAPTER_MAY_IMPORT.includes(target)) {
          violations.push(`${from} imports ${target}`);
        }
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('uses named exports only in lib/', () => {
    const withDefault = sourceFiles(LIB).filter((file) => /^export default /m.test(readFileSync(file, 'utf8')));
    expect(withDefault.map((f) => relative(ROOT, f))).to.deep.equal([]);
  });
});
