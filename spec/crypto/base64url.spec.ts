import { expect } from 'chai';
import fc from 'fast-check';

import { isCanonicalBase64url } from '../../lib/crypto/base64url.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

describe('crypto/base64url', () => {
  it('isCanonicalBase64url agrees with a decode and re-encode round trip for any base64url text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        const roundTrip = Buffer.from(text, 'base64url').toString('base64url') === text;
        expect(isCanonicalBase64url(text)).to.equal(roundTrip);
      }),
      { numRuns: 2000 },
    );
  });

  it('isCanonicalBase64url accepts the encoding of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(isCanonicalBase64url(Buffer.from(bytes).toString('base64url'))).to.equal(true);
      }),
    );
  });

  it('isCanonicalBase64url refuses padding, the standard alphabet and white space', () => {
    for (const text of ['YQ==', 'a+b/', 'YW Jj', 'YWJj\n']) expect(isCanonicalBase64url(text)).to.equal(false);
  });
});
