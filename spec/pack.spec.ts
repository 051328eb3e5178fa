/**
 * What the published package holds (`npm pack --dry-run`): the built code with its types, the CLI
 * shims, the README, the licence and the changelog; no sources, specs, examples, benchmarks or docs
 * images. Installing the tarball runs no script, and the exports name only what ships.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

interface Pkg {
  exports: Record<string, string | Record<string, string>>;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
  license: string;
}

describe('the published package (npm pack --dry-run)', function () {
  this.timeout(120_000);
  let files: string[];
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as Pkg;

  before(async () => {
    // The tarball ships dist/: build it when this checkout has not, or has an older build (npm ci
    // no longer builds).
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    if (!targets.every((t) => existsSync(`${ROOT}${t}`))) await run('npm', ['run', 'build'], { cwd: ROOT });
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
  });

  it('ships the built code with its types, the CLI shims, README, LICENSE and CHANGELOG, and nothing else', () => {
    for (const required of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
    ]) {
      expect(files, required).to.include(required);
    }
    const unexpected = files.filter(
      (f) =>
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f) &&
        !/^dist\/.+\.(js|d\.ts)$/.test(f) &&
        !/^bin\/[\w-]+\.js$/.test(f),
    );
    expect(unexpected).to.deep.equal([]);
    expect(files.some((f) => f.startsWith('lib/') || f.startsWith('spec/') || f.endsWith('.map'))).to.equal(false);
  });

  it('exports only built files, with the types and default conditions alone (no development condition)', () => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        expect(files, entry).to.include(target.replace(/^\.\//, ''));
        continue;
      }
      expect(Object.keys(target), entry).to.deep.equal(['types', 'default']);
      for (const path of Object.values(target)) expect(files, `${entry} ${path}`).to.include(path.replace(/^\.\//, ''));
    }
    for (const [name, path] of Object.entries(pkg.bin)) expect(files, name).to.include(path.replace(/^\.\//, ''));
  });

  it('runs no script when the tarball is installed, and says where it lives', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
      expect(pkg.scripts, hook).to.not.have.property(hook);
    }
    expect(pkg.license).to.equal('MIT');
    expect(pkg.repository).to.be.an('object');
    expect(pkg.homepage).to.match(/^https:\/\//);
    expect(pkg.bugs).to.be.an('object');
  });
});
