import { expect } from 'chai';

import { HASH_FUNCS, digestHex, digestMatches, isHashFunc, type HashFunc } from '../../lib/crypto/digest.js';

/** INDEX.md §5. */
const VECTORS: Record<string, Record<HashFunc, string>> = {
  Testing: {
    S256: 'e806a291cfc3e61f83b98d344ee57e3e8933cccece4fb45e1481f1f560e70eb1',
    S384: '2ca8b7b913d970a884fdb61daf74f6b4f868bc2ac20ea7583009259f382b14a04be97ea64ba0bab703ca7ea75a932bd5',
    S512: '64f02697ccd1c0ae741d9e226f957127da7a614d6a18f55f9f2726d2027faac1e95e619dac5417eb4898fd6a9fb8aeb9cdd005e913c80e57454cae4b6fc6e5d6',
  },
  'Hello crazy world': {
    S256: '2907d7ba4e806c96a8ab89b03be1745b5beb5568a109af9287acd71707e79f2d',
    S384: '00d025cd5118e8b21b7b01142e59d37cbeac7db6e75a3ae41795f07bbb4f8dfd0bce48f81a0b0b3df50c8b6e05c37eea',
    S512: '9f9ddccd74997c8fe237d5fb20b92b57503f17a7d26c5a7dac50fe51c4f78f85a83dc9db9f0ddc02e46434ff2c645feae646102e01dbb65833189a8ba1e3e5df',
  },
};

const TESTING_S256 = VECTORS['Testing']!.S256;

describe('crypto/digest', () => {
  for (const [input, digests] of Object.entries(VECTORS)) {
    for (const func of HASH_FUNCS) {
      const hex = digests[func];
      it(`digestHex ${func} of '${input}' is the INDEX.md §5 vector`, () => {
        expect(digestHex(func, input)).to.equal(hex);
      });

      it(`digestHex ${func} hashes bytes and the equal string alike for '${input}'`, () => {
        expect(digestHex(func, new TextEncoder().encode(input))).to.equal(hex);
      });

      it(`digestMatches accepts the ${func} vector of '${input}'`, () => {
        expect(digestMatches(func, input, hex)).to.equal(true);
      });
    }
  }

  it('digestHex hashes strings as UTF-8', () => {
    expect(digestHex('S256', 'é')).to.equal(digestHex('S256', Buffer.from([0xc3, 0xa9])));
  });

  it('digestMatches refuses uppercase hex of the right digest', () => {
    expect(digestMatches('S256', 'Testing', TESTING_S256.toUpperCase())).to.equal(false);
  });

  it('digestMatches refuses a digest of the wrong length for its function', () => {
    expect(digestMatches('S384', 'Testing', TESTING_S256)).to.equal(false);
    expect(digestMatches('S256', 'Testing', TESTING_S256.slice(0, 62))).to.equal(false);
    expect(digestMatches('S256', 'Testing', `${TESTING_S256}00`)).to.equal(false);
    expect(digestMatches('S256', 'Testing', '')).to.equal(false);
  });

  it("digestMatches refuses 'zz' followed by the hex that Buffer.from would otherwise truncate", () => {
    // Buffer.from('zz…', 'hex') is empty; the length check alone would not catch a same-length variant.
    expect(digestMatches('S256', 'Testing', `zz${TESTING_S256.slice(2)}`)).to.equal(false);
    expect(digestMatches('S256', 'Testing', `${TESTING_S256.slice(0, 62)}zz`)).to.equal(false);
  });

  it('digestMatches refuses a body changed by one byte', () => {
    expect(digestMatches('S256', 'Testinh', TESTING_S256)).to.equal(false);
    expect(digestMatches('S256', 'Testing ', TESTING_S256)).to.equal(false);
  });

  it('digestMatches refuses a digest changed in one hex digit', () => {
    const flipped = `${TESTING_S256.slice(0, -1)}${TESTING_S256.endsWith('0') ? '1' : '0'}`;
    expect(digestMatches('S256', 'Testing', flipped)).to.equal(false);
  });

  it('isHashFunc accepts exactly S256, S384 and S512', () => {
    expect(HASH_FUNCS).to.deep.equal(['S256', 'S384', 'S512']);
    for (const func of HASH_FUNCS) expect(isHashFunc(func)).to.equal(true);
    for (const other of ['s256', 'SHA256', 'S1', 'MD5', '', undefined, null, 256, ['S256']]) {
      expect(isHashFunc(other), String(other)).to.equal(false);
    }
  });
});
