import { expect } from 'chai';

import { terminalQr } from '../../lib/cli/terminal_qr.js';
import { decodeTerminalQr } from './qr_reader.js';

describe('terminalQr', () => {
  it('draws a QR code of half blocks that scans back to the text', () => {
    for (const text of ['ABCD2345', 'ZZZZZZZZ', 'a longer linking code, 1234567890']) {
      const lines = terminalQr(text);
      for (const line of lines) expect(line).to.match(/^[█▀▄ ]+$/);
      expect(decodeTerminalQr(lines)).to.equal(text);
    }
  });

  it('keeps a light quiet zone of two modules around the code', () => {
    const lines = terminalQr('ABCD2345');
    // The first line draws the top two border rows: fully light.
    expect(lines[0]).to.match(/^█+$/);
    for (const line of lines.slice(0, -1)) expect(line.startsWith('██') && line.endsWith('██')).to.equal(true);
  });
});
