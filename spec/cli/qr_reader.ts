/**
 * Reads a QR code off the terminal text `launchkey devices link` prints, as a phone camera would
 * read it off the screen: each character is two modules stacked (uqr's compact half blocks: drawn
 * halves are light, blanks are the dark background), painted into an image for jsQR to decode.
 */
// jsqr is CommonJS: ESM's default import is its module.exports, whose `default` is the scanner.
import jsqr from 'jsqr';

/** Light (true) halves of each half-block character: [top, bottom]. */
const HALVES: Record<string, [boolean, boolean]> = {
  '█': [true, true],
  '▀': [true, false],
  '▄': [false, true],
  ' ': [false, false],
};

/** Pixels per module in the painted image. */
const SCALE = 6;
/** Extra light margin, in modules, as a screen would show around the code. */
const MARGIN = 4;

/** The text the QR code lines encode, or `undefined` when jsQR finds no code. */
export function decodeTerminalQr(lines: readonly string[]): string | undefined {
  const modules: boolean[][] = [];
  for (const line of lines) {
    const top: boolean[] = [];
    const bottom: boolean[] = [];
    for (const char of line) {
      const halves = HALVES[char];
      if (halves === undefined) throw new Error(`not a half-block QR character: ${JSON.stringify(char)}`);
      top.push(halves[0]);
      bottom.push(halves[1]);
    }
    modules.push(top, bottom);
  }
  const size = Math.max(...modules.map((row) => row.length)) + 2 * MARGIN;
  const width = size * SCALE;
  const height = (modules.length + 2 * MARGIN) * SCALE;
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255);
  modules.forEach((row, y) => {
    row.forEach((light, x) => {
      if (light) return;
      for (let dy = 0; dy < SCALE; dy++) {
        for (let dx = 0; dx < SCALE; dx++) {
          const i = (((y + MARGIN) * SCALE + dy) * width + (x + MARGIN) * SCALE + dx) * 4;
          pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
        }
      }
    });
  });
  return jsqr.default(pixels, width, height)?.data;
}
