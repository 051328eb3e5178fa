/**
 * The image behind a device link's `qrcode` URL (docs/protocol.md, "Directory endpoints"): a scannable QR
 * code of the linking code itself, the text the user would otherwise type into the authenticator, as a PNG.
 * The matrix comes from uqr (a port of Nayuki's reference QR generator) and the PNG from pngjs, both without
 * dependencies of their own, since they ship with the package.
 */
import { PNG } from 'pngjs';
import { encode } from 'uqr';

/** Longest code the route renders: linking codes are 8 characters; anything much longer is not one. */
export const MAX_QR_TEXT = 64;

/** Pixels per QR module: a 21-module code with its quiet zone is 232 px wide. */
const MODULE_PIXELS = 8;

/**
 * A PNG of a QR code for `text`: error correction M, the standard quiet zone of 4 modules, black on
 * white, 8-bit grayscale.
 */
export function qrPng(text: string): Buffer {
  const qr = encode(text, { ecc: 'M', border: 4 });
  const width = qr.size * MODULE_PIXELS;
  const png = new PNG({ width, height: width });
  for (let y = 0; y < width; y += 1) {
    const row = qr.data[Math.floor(y / MODULE_PIXELS)] ?? [];
    for (let x = 0; x < width; x += 1) {
      const shade = row[Math.floor(x / MODULE_PIXELS)] === true ? 0 : 255;
      const i = (y * width + x) * 4;
      png.data[i] = shade;
      png.data[i + 1] = shade;
      png.data[i + 2] = shade;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}
