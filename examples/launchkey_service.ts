// The LaunchKey service the framework examples (examples/fastify, examples/koa, examples/nestjs) sign
// in with: LAUNCHKEY_SERVICE_ID, LAUNCHKEY_SERVICE_KEY (PEM) and LAUNCHKEY_BASE_URL from the
// environment, as the quick start reads them; without them, a demo service on an embedded emulator,
// whose phone page approves the pushes, so `npm run example:fastify` (or :koa, :nestjs) runs as is.
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

export interface LaunchKeyService {
  serviceId: string;
  privateKey: string;
  baseUrl: string;
  /** Said once the app listens. */
  describe(): string;
  close(): Promise<void>;
}

/** The service, its webhook (callback) URL being `callbackUrl` when an emulator is started here. */
export async function launchkeyService(callbackUrl: string): Promise<LaunchKeyService> {
  const env = process.env;
  const serviceId = env['LAUNCHKEY_SERVICE_ID'];
  const privateKey = env['LAUNCHKEY_SERVICE_KEY'];
  if (serviceId !== undefined && privateKey !== undefined) {
    const baseUrl = env['LAUNCHKEY_BASE_URL'] ?? 'https://api.launchkey.com';
    return { serviceId, privateKey, baseUrl, describe: () => `LaunchKey: ${baseUrl}`, close: async () => undefined };
  }
  const world = await createDemoWorld({ callbackUrl });
  const emulator = await startEmulator({ config: world.config });
  return {
    serviceId: world.serviceId,
    privateKey: world.serviceKey,
    baseUrl: emulator.url,
    describe: () => `Phone page: ${emulator.url}/emulator/ (sign in as ${world.username})`,
    close: () => emulator.close(),
  };
}

/**
 * The waiting page: it listens to /login/status and goes to /login/complete once the phone answered.
 * Its cancel button closes the stream first, so the stream's own "canceled" cannot race the form.
 */
export const waitingPage = `<p>Approve the request on your phone.</p>
<form method="post" action="/login/cancel"><button>Cancel</button></form><script>
  const events = new EventSource('/login/status');
  events.addEventListener('status', (event) => {
    if (JSON.parse(event.data).status !== 'pending') location.assign('/login/complete');
  });
  document.forms[0].addEventListener('submit', () => events.close());</script>`;

/** The login form. */
export const loginPage = `<form method="post" action="/login"><input name="username" autofocus> <button>Sign in</button></form>`;
