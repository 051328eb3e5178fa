import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadPrivateKey } from '../lib/crypto/keys.js';
import { startEmulator } from '../lib/emulator/index.js';
import { vectorText } from './support/vectors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

interface Block {
  lang: string;
  code: string;
  marker: string | undefined;
  line: number;
}

/** The fenced code blocks of the README, each with the HTML comment on the line before it, if any. */
function blocks(): Block[] {
  const found: Block[] = [];
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const end = lines.indexOf('```', i + 1);
    const previous = lines[i - 1] ?? '';
    found.push({
      lang: open[1] ?? '',
      code: lines.slice(i + 1, end).join('\n'),
      marker: /^<!-- (.+) -->$/.exec(previous)?.[1],
      line: i + 1,
    });
    i = end;
  }
  return found;
}

describe('README', () => {
  const all = blocks();

  it('has code blocks, each of a known kind', () => {
    expect(all.length).to.be.greaterThan(10);
    // text: a sample of a command's output.
    for (const block of all) expect(['ts', 'sh', 'json', 'text'], `block at line ${block.line}`).to.include(block.lang);
  });

  describe('TypeScript blocks are excerpts of examples that specs run', () => {
    for (const block of all.filter((b) => b.lang === 'ts')) {
      it(`the block at line ${block.line} (${block.marker ?? 'no marker'}) appears, line by line in order, in its file`, () => {
        const file = /^excerpt: (examples\/\S+\.ts)$/.exec(block.marker ?? '')?.[1];
        expect(file, 'an <!-- excerpt: examples/... --> marker').to.be.a('string');
        const source = readFileSync(`${ROOT}${file ?? ''}`, 'utf8').split('\n');
        let at = 0;
        for (const line of block.code.split('\n').filter((l) => l.trim() !== '')) {
          const found = source.indexOf(line, at);
          expect(found, `"${line}" (in order) in ${file ?? ''}`).to.be.greaterThan(-1);
          at = found + 1;
        }
      });
    }
  });

  it('shell blocks run only npm scripts and binaries the package defines', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
      name: string;
    };
    for (const block of all.filter((b) => b.lang === 'sh')) {
      for (const line of block.code.split('\n')) {
        for (const command of line
          .replace(/#.*$/, '')
          .split('&&')
          .map((c) => c.trim())) {
          if (command === '' || command === 'npm ci' || command === 'npm test') continue;
          const script = /^npm run (\S+)(?: -- .+)?$/.exec(command)?.[1];
          const bin = /^npx (\S+)/.exec(command)?.[1];
          const install = /^npm install (.+)$/.exec(command)?.[1];
          if (script !== undefined) expect(pkg.scripts, command).to.have.property(script);
          else if (bin !== undefined) expect(pkg.bin, command).to.have.property(bin);
          else if (install !== undefined) expect(install.split(' ')).to.include(pkg.name);
          else expect.fail(`unknown command in README: ${command}`);
        }
      }
    }
  });

  it('the install line names every package the quick start imports', () => {
    const installs = all
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.code.split('\n'))
      .map((line) => /^npm install (.+)$/.exec(line.replace(/#.*$/, '').trim())?.[1])
      .filter((line): line is string => line !== undefined);
    expect(installs).to.have.length.greaterThan(0);
    const installed = installs[0]?.split(' ') ?? [];
    const source = readFileSync(`${ROOT}examples/quick_start.ts`, 'utf8');
    const imported = [...source.matchAll(/^import .* from '([^'.][^']*)';$/gm)].map((m) => m[1] ?? '');
    expect(imported).to.include('express-session');
    for (const name of imported.filter((n) => !n.startsWith('node:'))) {
      expect(installed, name).to.include(name.split('/')[0]);
    }
  });

  it('the emulator config example starts an emulator with the user it lists', async () => {
    const block = all.find((b) => b.lang === 'json' && b.marker === 'config: validated by spec/readme.spec.ts');
    expect(block).to.not.equal(undefined);
    const pem = loadPrivateKey(vectorText('dotnet-test-private.key')).publicKey.pem;
    const config = JSON.parse(
      (block?.code ?? '').replace(/"(ORGANIZATION|SERVICE) PUBLIC KEY PEM"/g, JSON.stringify(pem)),
    ) as Parameters<typeof startEmulator>[0] extends infer O ? (O extends { config?: infer C } ? C : never) : never;
    const emu = await startEmulator({ config, apiPrivateKey: vectorText('python-valid-private-key.pem') });
    try {
      const user = emu.state().users.find((u) => u.identifier === 'alice');
      expect(user?.devices).to.have.length(1);
    } finally {
      await emu.close();
    }
  });
});
