import { expect } from 'chai';

import {
  nullableBoolean,
  nullableString,
  optionalString,
  requireBoolean,
  requireNumber,
  requireObject,
  requireString,
  requireStringArray,
  requireUuid,
} from '../../lib/entities/validate.js';
import { payloadField } from '../support/assertions.js';

describe('entities/validate', () => {
  it('names the field when a value has the wrong JSON type', () => {
    expect(payloadField(() => requireObject([], 'a'))).to.equal('a');
    expect(payloadField(() => requireObject(null, 'a'))).to.equal('a');
    expect(payloadField(() => requireString(1, 'b'))).to.equal('b');
    expect(payloadField(() => requireString('', 'b'))).to.equal('b');
    expect(payloadField(() => requireString('abc', 'b', { maxLength: 2 }))).to.equal('b');
    expect(payloadField(() => requireBoolean('true', 'c'))).to.equal('c');
    expect(payloadField(() => requireNumber('2', 'd'))).to.equal('d');
    expect(payloadField(() => requireNumber(Number.NaN, 'd'))).to.equal('d');
    expect(payloadField(() => requireStringArray(['x', 2], 'e'))).to.equal('e[1]');
    expect(payloadField(() => requireStringArray('x', 'e'))).to.equal('e');
    expect(payloadField(() => requireUuid('Yrkt', 'f'))).to.equal('f');
  });

  it('maps absent and null to undefined or null for the optional and nullable helpers', () => {
    expect(optionalString(undefined, 'a')).to.equal(undefined);
    expect(optionalString(null, 'a')).to.equal(undefined);
    expect(nullableString(undefined, 'a')).to.equal(null);
    expect(nullableBoolean(null, 'a')).to.equal(null);
    expect(nullableBoolean(false, 'a')).to.equal(false);
    expect(requireStringArray(['', 'x'], 'a')).to.deep.equal(['', 'x']);
    expect(requireUuid('04CA395B-1721-4876-BACC-4C914B0E4971', 'a')).to.equal('04CA395B-1721-4876-BACC-4C914B0E4971');
  });
});
