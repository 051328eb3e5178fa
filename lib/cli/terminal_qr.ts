/**
 * The linking code as a QR code a phone can scan off the terminal. The emulator's `qrcode` image encodes the
 * code itself (docs/protocol.md, "Directory endpoints"), so the terminal shows the same QR code without
 * fetching the image. uqr draws two modules per character with half blocks: light modules are drawn, dark
 * ones are the terminal's background, which suits the usual light-on-dark terminal.
 */
import { renderUnicodeCompact } from 'uqr';

/** Quiet zone around the code, in modules: scanners want some; 2 keeps it small on screen. */
const BORDER = 2;

/** `text` as QR code lines (error correction M, as the emulator's image). */
export function terminalQr(text: string): string[] {
  return renderUnicodeCompact(text, { ecc: 'M', border: BORDER }).split('\n');
}
