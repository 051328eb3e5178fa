import { expect } from 'chai';

import { routeOf } from '../../lib/telemetry/api_calls.js';

describe('telemetry routeOf', () => {
  it('keeps every route the clients call as it is', () => {
    for (const path of [
      '/service/v3/auths',
      '/service/v3/sessions',
      '/service/v3/totp',
      '/directory/v3/devices/list',
      '/directory/v3/sessions/list',
      '/organization/v3/directory/sdk-keys/list',
      '/organization/v3/directories',
      '/directory/v3/service/policy/item',
      '/public/v3/public-key',
      '/public/v3/ping',
    ]) {
      expect(routeOf(path), path).to.deep.equal({ template: path });
    }
  });

  it('turns every id into {id}, whether it starts with a letter or a digit, and names the login of a request path', () => {
    for (const id of ['a1b2c3d4-0000-4000-8000-000000000001', '0e1f2a3b-0000-4000-8000-00000000000f']) {
      expect(routeOf(`/service/v3/auths/${id}`)).to.deep.equal({ template: '/service/v3/auths/{id}', loginId: id });
      expect(routeOf(`/service/v3/auths/${id.toUpperCase()}`).loginId).to.equal(id);
    }
    expect(routeOf('/public/v3/public-key/5f:04:de:33:d6:bf:cc:6c:57:da:0a:7d:80:7d:a4:ce')).to.deep.equal({
      template: '/public/v3/public-key/{id}',
    });
    expect(routeOf('/organization/v3/directories/12345/keys')).to.deep.equal({
      template: '/organization/v3/directories/{id}/keys',
    });
  });
});
