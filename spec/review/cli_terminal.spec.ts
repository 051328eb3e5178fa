/**
 * Review finding (T16-adjacent, the operator CLI): text output prints values the API returns as they
 * are, into the operator's terminal. A device's name is chosen on the phone by the end user (the
 * emulator's device link takes any `name`, as the LaunchKey app lets users name their device); a name
 * holding escape sequences is interpreted by the terminal of whoever runs `launchkey devices list`:
 * it can rewrite what the table shows (hide a device, fake a status), set the window title, or, on
 * terminals that honour OSC 52, write the operator's clipboard. Text output should show control
 * characters escaped (JSON output is already safe: JSON.stringify escapes them).
 */
import { expect } from 'chai';

import { DirectoryFactory } from '../../lib/clients/factories.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { cli, directoryEnv, IDS, KEYS, startWorld } from '../cli/support.js';

/** C0 controls but the newline, DEL and the C1 controls: what a terminal acts on. */
// eslint-disable-next-line no-control-regex -- the control characters are what this spec looks for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('review: the CLI prints no terminal control characters it got from the API', function () {
  this.timeout(15_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startWorld();
  });
  afterEach(async () => {
    await emu.close();
  });

  it('devices list: a device named with escape sequences is shown escaped', async () => {
    const directory = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeDirectoryClient();
    const link = await directory.linkDevice('carol');
    // Clears the screen, sets the title, and writes "pwned" to the clipboard (OSC 52).
    const hostile = 'phone\u001b[2J\u001b]0;owned\u0007\u001b]52;c;cHduZWQ=\u0007\u009b31m';
    await emu.linkDevice({ code: link.code, name: hostile });
    const result = await cli(['devices', 'list', 'carol'], directoryEnv(emu));
    expect(result.code).to.equal(0);
    expect(CONTROL.test(result.stdout), JSON.stringify(result.stdout)).to.equal(false);
  });
});
