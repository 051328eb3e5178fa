import { expect } from 'chai';
import * as axiosStatic from 'axios';

// Guards .mocharc.json's `import=tsx/esm`: with plain `import=tsx`, mocha require()s specs and tsx
// turns them into CommonJS, so static and dynamic imports get two copies of a dependency (and
// instanceof across them fails) and the specs test axios' CommonJS build, not the one users get.
describe('spec runtime', () => {
  it('runs specs as ES modules, with one instance of each dependency', async () => {
    const axiosDynamic = await import('axios');
    expect(axiosDynamic.default).to.equal(axiosStatic.default);
    expect(typeof require).to.equal('undefined');
  });
});
