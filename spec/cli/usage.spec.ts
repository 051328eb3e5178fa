import { expect } from 'chai';
import { readFileSync } from 'node:fs';

import { COMMANDS, EXIT } from '../../lib/cli/index.js';
import { PACKAGE_VERSION } from '../../lib/version.js';
import { KEYS, cli } from './support.js';

/** An environment full of credentials: help and usage errors must show none of them. */
const ENV = {
  LAUNCHKEY_BASE_URL: 'http://127.0.0.1:1',
  LAUNCHKEY_SERVICE_ID: '0a1b2c3d-0000-4000-8000-000000000003',
  LAUNCHKEY_SERVICE_KEY: KEYS.svc,
  LAUNCHKEY_DIRECTORY_ID: '0a1b2c3d-0000-4000-8000-000000000002',
  LAUNCHKEY_DIRECTORY_KEY: KEYS.dir,
  LAUNCHKEY_ORGANIZATION_ID: '0a1b2c3d-0000-4000-8000-000000000001',
  LAUNCHKEY_ORGANIZATION_KEY: KEYS.org,
};

describe('launchkey usage', () => {
  it('help, --help and -h print the commands, credentials and exit statuses on stdout and exit 0', async () => {
    const outputs = new Set<string>();
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const result = await cli(argv, ENV);
      expect([result.code, result.stderr], argv.join(' ')).to.deep.equal([0, '']);
      outputs.add(result.stdout);
    }
    expect(outputs.size).to.equal(1);
    const [help = ''] = outputs;
    expect(help).to.match(/^launchkey: operator commands for the LaunchKey Platform API v3 \(passport-launchkey /);
    for (const command of COMMANDS) expect(help).to.include(`\n  ${[command.name, ...command.args].join(' ')}`);
    for (const name of ['LAUNCHKEY_SERVICE_KEY', 'LAUNCHKEY_DIRECTORY_KEY', 'LAUNCHKEY_ORGANIZATION_KEY']) {
      expect(help).to.include(name);
    }
    expect(help).to.not.include(ENV.LAUNCHKEY_SERVICE_ID);
    expect(help).to.include('\nExit status:\n  0    success; for push, approved\n  1    usage error');
    expect(help).to.include('\n  130  interrupted');
  });

  it('without arguments, prints the help on stderr and exits 1', async () => {
    const result = await cli([], ENV);
    expect([result.code, result.stdout]).to.deep.equal([1, '']);
    expect(result.stderr).to.match(/^launchkey: operator commands/);
  });

  it('--version prints the package version', async () => {
    const result = await cli(['--version'], ENV);
    expect([result.code, result.stdout]).to.deep.equal([0, `launchkey (passport-launchkey) ${PACKAGE_VERSION}\n`]);
  });

  for (const command of COMMANDS) {
    it(`${command.name} --help lists its options, credentials, JSON output and exit statuses, and sends nothing`, async () => {
      const result = await cli([...command.name.split(' '), '--help'], ENV);
      expect([result.code, result.stderr]).to.deep.equal([0, '']);
      const help = result.stdout;
      expect(help.split('\n')[0]).to.equal(`Usage: launchkey ${[command.name, ...command.args].join(' ')} [OPTIONS]`);
      for (const option of [...Object.keys(command.options), 'json', 'help', 'base-url']) {
        expect(help, option).to.include(`--${option}`);
      }
      expect(help).to.match(/\nCredentials \(an option wins over its variable\):\n/);
      expect(help).to.include('\nJSON output (--json), one object per line:\n  {');
      expect(help).to.include('\nExit status:\n  0    ');
      for (const [code] of command.exits) expect(help).to.include(`\n  ${String(code).padEnd(5)}`);
      expect(help).to.include('\n  1    usage error');
      expect(help).to.include('\n  2    the API refused');
      expect(help).to.not.include(ENV.LAUNCHKEY_DIRECTORY_ID);
      // `help COMMAND` and `-h` say the same, even with other arguments around.
      expect((await cli(['help', ...command.name.split(' ')], ENV)).stdout).to.equal(help);
      expect((await cli([...command.name.split(' '), 'someone', '-h', '--bogus'], ENV)).stdout).to.equal(help);
    });
  }

  it('GROUP --help and help GROUP list the commands of the group', async () => {
    const result = await cli(['devices', '--help'], ENV);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^Usage: launchkey devices COMMAND \[ARGS\] \[OPTIONS\]\n/);
    expect(result.stdout).to.include('\n  devices link USER ');
    expect(result.stdout).to.include('\n  devices unlink USER DEVICE_ID');
    expect(result.stdout).to.not.include('sessions');
    expect((await cli(['help', 'devices'], ENV)).stdout).to.equal(result.stdout);
  });

  it('exits 1 with ERR_LK_USAGE and a pointer to the right help for each kind of mistake', async () => {
    const cases: [string[], string, string][] = [
      [['frobnicate'], 'unknown command frobnicate', 'launchkey help'],
      [['--base-url', 'x', 'push'], 'the command comes first: launchkey COMMAND [ARGS] [OPTIONS]', 'launchkey help'],
      [['devices'], 'devices needs a command: link, list, unlink', 'launchkey devices --help'],
      [['keys', 'remove'], 'unknown keys command remove: list, add', 'launchkey keys --help'],
      [['push'], 'expected USER, got 0 argument(s)', 'launchkey push --help'],
      [['push', 'alice', 'bob'], 'expected USER, got 2 argument(s)', 'launchkey push --help'],
      [['push', ' '], 'USER must not be empty', 'launchkey push --help'],
      [['keys', 'list', 'extra'], 'expected no arguments, got 1 argument(s)', 'launchkey keys list --help'],
      [['push', 'alice', '--verbose'], 'unknown option --verbose', 'launchkey push --help'],
      [['push', 'alice', '-x'], 'unknown option -x', 'launchkey push --help'],
      [['push', 'alice', '--ttl'], "Option '--ttl <value>' argument missing", 'launchkey push --help'],
      [['push', 'alice', '--json=yes'], "Option '--json' does not take an argument", 'launchkey push --help'],
      [['help', 'frobnicate'], 'no help: unknown command frobnicate', 'launchkey help'],
    ];
    for (const [argv, message, topic] of cases) {
      const result = await cli(argv, ENV);
      expect(result.code, argv.join(' ')).to.equal(1);
      expect(result.stdout, argv.join(' ')).to.equal('');
      expect(result.stderr, argv.join(' ')).to.equal(
        `launchkey: ${message} (ERR_LK_USAGE)\nRun "${topic}" for usage.\n`,
      );
    }
  });

  it('a command word that could be anything pasted is not repeated', async () => {
    const result = await cli(['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'], ENV);
    expect(result.stderr).to.equal('launchkey: unknown command (ERR_LK_USAGE)\nRun "launchkey help" for usage.\n');
  });

  it('with --json, a usage error is one JSON object on stderr and stdout stays empty', async () => {
    const result = await cli(['push', 'alice', '--factors', 'many', '--json'], ENV);
    expect([result.code, result.stdout]).to.deep.equal([1, '']);
    expect(result.error()).to.deep.equal({
      code: 'ERR_LK_USAGE',
      message: '--factors must be 1, 2 or 3',
      exitCode: 1,
      retryable: false,
      argument: '--factors',
    });
  });

  it('arguments after -- are arguments, even when they look like options', async () => {
    const result = await cli(['devices', 'list', '--', '--help'], { LAUNCHKEY_BASE_URL: 'http://127.0.0.1:1' });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^launchkey: no credentials: /);
  });

  it('the README section documents every command, its JSON shape and every exit status', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## The operator CLI'), readme.indexOf('## Errors'));
    expect(section).to.not.equal('');
    for (const command of COMMANDS) {
      expect(section, command.name).to.include(`npx launchkey ${command.name}`);
      expect(section, command.name).to.include(`| \`${command.name}\` | \`{`);
    }
    for (const code of Object.values(EXIT)) expect(section).to.include(`\n| ${code} | `);
  });
});
