// Receiving webhooks: the API posts the authorization response, and later the session end when
// the user logs out from the phone. Each is verified (signature, audience, method, path, body
// hash, time, replay) before any private-key work, then decrypted.
//
// Prerequisites: the embedded emulator with a demo world whose service posts to this server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/launchkey/webhook`;
const world = await createDemoWorld({ callbackUrl });
const emulator = await startEmulator({ config: world.config });
const baseUrl = emulator.url;
// End of prerequisites

import { ServiceFactory, type WebhookEvent } from 'passport-launchkey/sdk';

const service = new ServiceFactory(world.serviceId, world.serviceKey, { baseUrl }).makeServiceClient();
const events: WebhookEvent[] = [];

server.on('request', (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    service
      .handleAdvancedWebhook({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '', // the path, undecoded, without the query
        headers: req.headers,
        body: Buffer.concat(chunks), // the raw bytes: the token signs their hash
      })
      .then((event) => {
        events.push(event);
        res.writeHead(204).end();
      })
      .catch((err: unknown) => {
        console.error('refused webhook:', err instanceof Error ? err.message : err);
        res.writeHead(401).end();
      });
  });
});

const id = await service.authorize(world.username, { context: 'Webhook demo' });
await emulator.respond(id, 'approve');
await emulator.webhooksSettled();
const answer = events.find((e) => e.kind === 'authorization-response');
if (answer?.kind === 'authorization-response') {
  console.log(`webhook: ${answer.response.authorizationRequestId} authorized=${answer.response.authorized}`);
  await service.sessionStart(world.username, id);
}

// The user logs out from the phone.
emulator.endSession(world.serviceId, world.username);
await emulator.webhooksSettled();
const end = events.find((e) => e.kind === 'session-end');
if (end?.kind === 'session-end') {
  console.log(`webhook: session ended for ${end.serviceUserHash} at ${end.logoutRequested.toISOString()}`);
}

await emulator.close();
server.close();
