// The demo's user record: what an approved LaunchKey login tells the app. A real app would find or
// create its own user by `serviceUserHash` here; the demo keeps the record in the session.
import type { LaunchKeyResult } from 'passport-launchkey';

export interface DemoUser {
  username: string;
  serviceUserHash: string;
  deviceId: string;
  /** The policy the device reports it enforced, in words. */
  policy: string;
  /** The authentication methods the device reports it used. */
  authMethods: string[];
  /** ISO time of the login. */
  loginAt: string;
}

/** The strategy's `verify`: the demo accepts every approved login. */
export function userFromResult(result: LaunchKeyResult): DemoUser {
  return {
    username: result.username,
    serviceUserHash: result.serviceUserHash,
    deviceId: result.deviceId,
    policy: describePolicy(result.policy),
    authMethods: (result.authMethods ?? [])
      .filter((m) => m.passed === true || (m.active && m.set === true))
      .map((m) => `${m.method.toLowerCase().replaceAll('_', ' ')}${m.passed === true ? ' (passed)' : ''}`),
    loginAt: new Date().toISOString(),
  };
}

function describePolicy(policy: LaunchKeyResult['policy']): string {
  if (policy === null) return 'none reported';
  const parts: string[] = [];
  if (policy.requirement === 'AMOUNT' && policy.amount !== null) {
    parts.push(`any ${policy.amount} factor${policy.amount === 1 ? '' : 's'}`);
  } else if (policy.requirement === 'TYPES') {
    parts.push(`factors: ${policy.types.map((t) => t.toLowerCase()).join(', ')}`);
  } else if (policy.requirement !== null) {
    parts.push(policy.requirement.toLowerCase());
  }
  if (policy.geofences.length > 0) parts.push(`${policy.geofences.length} geofence(s)`);
  return parts.length === 0 ? 'no requirement' : parts.join('; ');
}

/** `req.user` as the demo's user, when someone is logged in. */
export function demoUser(user: Express.User | undefined): DemoUser | undefined {
  const u = user as Partial<DemoUser> | undefined;
  return typeof u?.username === 'string' && typeof u.serviceUserHash === 'string' ? (u as DemoUser) : undefined;
}
