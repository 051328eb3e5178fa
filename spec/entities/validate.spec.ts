import { expect } from 'chai';

import {
  nullableBoolean,
  nullableString,
  optionalString,
  parseJsonObject,
  requireBoolean,
  requireNumber,
  requireObject,
  requireString,
  requireStringArray,
  requireUuid,
} from '../../lib/entities/validate.js';
import { PayloadValidationError } from '../../lib/errors.js';

function fieldOf(action: () => unknown): string {
  try {
    action();
  } catch (err) {
    expect(err).to.be.instanceOf(PayloadValidationError);
    if (!(err instanceof PayloadValidationError)) throw new Error('unreachable', { cause: err });
    expect(err.code).to.equal('ERR_LK_PAYLOAD_INVALID');
    return err.field;
  }
  return expect.fail('expected a PayloadValidationError');
}

describe('entities/validate', () => {
  it('names the field when a value has the wrong JSON type', () => {
    expect(fieldOf(() => requireObject([], 'a'))).to.equal('a');
    expect(fieldOf(() => requireObject(null, 'a'))).to.equal('a');
    expect(fieldOf(() => requireString(1, 'b'))).to.equal('b');
    expect(fieldOf(() => requireString('', 'b'))).to.equal('b');
    expect(fieldOf(() => requireString('abc', 'b', { maxLength: 2 }))).to.equal('b');
    expect(fieldOf(() => requireBoolean('true', 'c'))).to.equal('c');
    expect(fieldOf(() => requireNumber('2', 'd'))).to.equal('d');
    expect(fieldOf(() => requireNumber(Number.NaN, 'd'))).to.equal('d');
    expect(fieldOf(() => requireStringArray(['x', 2], 'e'))).to.equal('e[1]');
    expect(fieldOf(() => requireStringArray('x', 'e'))).to.equal('e');
    expect(fieldOf(() => requireUuid('Yrkt', 'f'))).to.equal('f');
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

  it('parses a JSON object and refuses non-JSON, non-objects, oversized text and prototype keys', () => {
    expect(parseJsonObject('{"a":1}', 'p')).to.deep.equal({ a: 1 });
    expect(fieldOf(() => parseJsonObject('{', 'p'))).to.equal('p');
    expect(fieldOf(() => parseJsonObject('[]', 'p'))).to.equal('p');
    expect(fieldOf(() => parseJsonObject('{"a":"xx"}', 'p', 5))).to.equal('p');
    expect(fieldOf(() => parseJsonObject('{"a":{"__proto__":{"x":1}}}', 'p'))).to.equal('p');
    expect(fieldOf(() => parseJsonObject('{"constructor":{"prototype":{"x":1}}}', 'p'))).to.equal('p');
    expect(parseJsonObject('{"constructor":"fine"}', 'p')).to.deep.equal({ constructor: 'fine' });
    expect(fieldOf(() => parseJsonObject(`${'['.repeat(20000)}${']'.repeat(20000)}`, 'p', 1e6))).to.equal('p');
  });
});
