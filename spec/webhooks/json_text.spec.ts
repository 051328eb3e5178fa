import { expect } from 'chai';

import { parseJsonObject } from '../../lib/webhooks/json_text.js';
import { payloadField } from '../support/assertions.js';

describe('webhooks/json_text', () => {
  it('parses a JSON object and refuses non-JSON, non-objects, oversized text and prototype keys', () => {
    expect(parseJsonObject('{"a":1}', 'p')).to.deep.equal({ a: 1 });
    expect(payloadField(() => parseJsonObject('{', 'p'))).to.equal('p');
    expect(payloadField(() => parseJsonObject('[]', 'p'))).to.equal('p');
    expect(payloadField(() => parseJsonObject('{"a":"xx"}', 'p', 5))).to.equal('p');
    expect(payloadField(() => parseJsonObject('{"a":{"__proto__":{"x":1}}}', 'p'))).to.equal('p');
    expect(payloadField(() => parseJsonObject('{"constructor":{"prototype":{"x":1}}}', 'p'))).to.equal('p');
    expect(parseJsonObject('{"constructor":"fine"}', 'p')).to.deep.equal({ constructor: 'fine' });
    expect(payloadField(() => parseJsonObject(`${'['.repeat(20000)}${']'.repeat(20000)}`, 'p', 1e6))).to.equal('p');
  });
});
