/**
 * Text output shows the control characters of API-supplied values escaped (docs/security.md, "Hostile
 * input"). A device's name is chosen on the phone by the end user (the emulator's device link takes any
 * `name`, as the LaunchKey app lets users name their device); escape sequences in it would be acted on by
 * the terminal of whoever runs `launchkey devices list`: rewrite the table (hide a device, fake a
 * status), set the window title, or, where OSC 52 is honoured, write the operator's clipboard. JSON
 * output needs no escaping of ours: JSON.stringify escapes control characters.
 */
import { expect } from 'chai';

import { Output } from '../../lib/cli/output.js';
import { escapeControls } from '../../lib/cli/terminal_text.js';
import { DirectoryFactory } from '../../lib/clients/factories.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { cli, directoryEnv, IDS, KEYS, startWorld } from './support.js';

/** C0 controls but the newline, DEL and the C1 controls: what a terminal acts on. */
// eslint-disable-next-line no-control-regex -- the control characters are what this spec looks for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Clears the screen, sets the title, writes "pwned" to the clipboard (OSC 52), and a C1 CSI. */
const HOSTILE = 'phone\u001b[2J\u001b]0;owned\u0007\u001b]52;c;cHduZWQ=\u0007\u009b31m';

describe('launchkey text output and terminal control characters', function () {
  this.timeout(15_000);

  describe('against the emulator', () => {
    let emu: Emulator;
    beforeEach(async () => {
      emu = await startWorld();
    });
    afterEach(async () => {
      await emu.close();
    });

    async function linkNamed(name: string): Promise<void> {
      const directory = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeDirectoryClient();
      const link = await directory.linkDevice('carol');
      await emu.linkDevice({ code: link.code, name });
    }

    it('devices list shows a device named with escape sequences escaped, in its own aligned row', async () => {
      await linkNamed(HOSTILE);
      const result = await cli(['devices', 'list', 'carol'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      expect(CONTROL.test(result.stdout), JSON.stringify(result.stdout)).to.equal(false);
      const [header = '', row = ''] = result.stdout.trimEnd().split('\n');
      expect(row).to.include('phone\\x1b[2J\\x1b]0;owned\\x07\\x1b]52;c;cHduZWQ=\\x07\\x9b31m');
      expect(row.indexOf('LINKED')).to.equal(header.indexOf('STATUS'));
    });

    it('devices list: a line break in a device name cannot forge a row of the table', async () => {
      await linkNamed('phone\nffffffff-0000-0000-0000-000000000000  spare  LINKED');
      const result = await cli(['devices', 'list', 'carol'], directoryEnv(emu));
      expect(result.stdout.trimEnd().split('\n')).to.have.length(2);
      expect(result.stdout).to.include('phone\\x0affffffff');
    });

    it('--json keeps the name as it is, with every control character written as a JSON escape', async () => {
      await linkNamed(HOSTILE);
      const result = await cli(['devices', 'list', 'carol', '--json'], directoryEnv(emu));
      expect(CONTROL.test(result.stdout)).to.equal(false);
      const [line] = result.json();
      expect((line?.devices as { name: string }[])[0]?.name).to.equal(HOSTILE);
    });
  });

  it('every text path of the output (result, note, error) escapes them, one line per line given', () => {
    let stdout = '';
    let stderr = '';
    const out = new Output(
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        env: {},
      },
      false,
    );
    out.result(['a\u001b[31m', 'b\r\u007f'], {});
    out.result('one\ntwo', {});
    out.note('\u009b2J');
    out.error(new InvalidArgumentError('device', 'no such device: \u001b]0;x\u0007'));
    expect(stdout).to.equal('a\\x1b[31m\nb\\x0d\\x7f\none\\x0atwo\n');
    expect(stderr).to.equal('\\x9b2J\nlaunchkey: no such device: \\x1b]0;x\\x07 (ERR_LK_INVALID_ARGUMENT)\n');
  });

  it('escapeControls leaves printable text, Unicode included, as it is', () => {
    expect(escapeControls('Alice’s Pixel 8 · ünïcødé 📱')).to.equal('Alice’s Pixel 8 · ünïcødé 📱');
    expect(escapeControls('\u0000\t\u001f\u007f\u0080\u009f\u00a0')).to.equal('\\x00\\x09\\x1f\\x7f\\x80\\x9f\u00a0');
  });
});
