/**
 * Service endpoints (docs/protocol.md, "Service endpoints"; subject `svc:`): auth requests, poll, cancel,
 * sessions, TOTP.
 */
import { authCore, createAuth } from '../auth_flow.js';
import type { EmulatorContext } from '../context.js';
import { ApiFault, invalidArgs, notFound } from '../fault.js';
import type { RouteTable, SignedContext } from '../router.js';
import type { Service, User } from '../state.js';
import { verifyTotp } from '../totp.js';

function requireString(body: Record<string, unknown> | undefined, field: string): string {
  const value = body?.[field];
  if (typeof value !== 'string' || value.length === 0) throw invalidArgs({ [field]: 'is required' });
  return value;
}

export function addServiceRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  const { state } = ctx;
  const service = (c: SignedContext) => c.subject as Service;
  const user = (c: SignedContext, field: string): User => {
    const found = state.findUser(service(c), requireString(c.body, field));
    if (found === undefined) throw notFound();
    return found;
  };

  routes
    .signed('POST', '/service/v3/auths', 'svc', function createAuthRequest(c) {
      return {
        status: 201,
        body: createAuth(ctx, service(c), { id: c.issuerId, keyId: c.signingKeyId }, c.body ?? {}),
      };
    })
    .signed('GET', '/service/v3/auths/:id', 'svc', async function pollAuthRequest(c) {
      const auth = state.auths.get(c.params['id'] ?? '');
      // An unknown id is indistinguishable from a pending one (docs/protocol.md, "The emulator's request
      // lifecycle").
      if (auth?.serviceId !== service(c).id) return { status: 204 };
      switch (state.authStatus(auth)) {
        case 'pending':
          return { status: 204 };
        case 'expired':
          return { status: 408 };
        case 'canceled':
          throw new ApiFault(400, 'SVC-007', 'The authorization request has been canceled');
        default:
          return { status: 200, body: await authCore(ctx, auth) };
      }
    })
    .signed('DELETE', '/service/v3/auths/:id', 'svc', function cancelAuthRequest(c) {
      const auth = state.auths.get(c.params['id'] ?? '');
      if (auth?.serviceId !== service(c).id) throw notFound();
      const status = state.authStatus(auth);
      if (status === 'canceled') throw new ApiFault(400, 'SVC-007', 'The authorization request has been canceled');
      if (status !== 'pending')
        throw new ApiFault(400, 'SVC-006', 'The authorization request has already been responded to');
      state.auths.cancel(auth);
      return { status: 204 };
    })
    .signed('POST', '/service/v3/sessions', 'svc', function startSession(c) {
      const found = user(c, 'username');
      const authRequest = c.body?.['auth_request'];
      if (authRequest !== undefined && authRequest !== null && typeof authRequest !== 'string') {
        throw invalidArgs({ auth_request: 'must be a UUID string' });
      }
      found.sessions.set(service(c).id, {
        serviceId: service(c).id,
        authRequest: authRequest ?? null,
        created: state.clock.now(),
        initiator: c.issuerId,
      });
      return { status: 204 };
    })
    .signed('DELETE', '/service/v3/sessions', 'svc', function endSession(c) {
      user(c, 'username').sessions.delete(service(c).id);
      return { status: 204 };
    })
    .signed('POST', '/service/v3/totp', 'svc', function verifyTotpCode(c) {
      const found = user(c, 'identifier');
      const otp = requireString(c.body, 'otp');
      if (found.totp === null) throw notFound();
      return { status: 200, body: { valid: verifyTotp(found.totp.secret, otp, state.clock.now()) } };
    });
}
