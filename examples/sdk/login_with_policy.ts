// Logging a user in with a dynamic policy, learning the answer by polling.
//
// Prerequisites: the embedded emulator with a demo world; the emulator plays the phone.
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

const world = await createDemoWorld();
const emulator = await startEmulator({ config: world.config });
const baseUrl = emulator.url;
// End of prerequisites

import { AuthPolicy, ServiceFactory } from 'passport-launchkey/sdk';

const service = new ServiceFactory(world.serviceId, world.serviceKey, { baseUrl }).makeServiceClient();

// Two factors, no jailbroken phones, and only from around Portland.
const policy = new AuthPolicy({ any: 2, jailbreakProtection: true }).addGeofence({
  latitude: 45.5152,
  longitude: -122.6784,
  radius: 27_500,
  name: 'Portland',
});

const { authorizationRequestId } = await service.authorizationRequest(world.username, {
  policy,
  title: 'Sign in to Example',
  context: 'Firefox on Linux, Portland',
  ttl: 120,
});
console.log(`push sent: ${authorizationRequestId}`);

// The user approves on the phone (here: the simulated one, a moment later).
setTimeout(() => void emulator.respond(authorizationRequestId, 'approve'), 500);

// Poll until the answer arrives: null means still pending.
let response = await service.getAdvancedAuthorizationResponse(authorizationRequestId);
while (response === null) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  response = await service.getAdvancedAuthorizationResponse(authorizationRequestId);
}
console.log(`authorized: ${response.authorized} (${response.type}/${response.reason})`);
console.log(`policy the device enforced: ${JSON.stringify(response.policy)}`);

if (response.authorized) {
  // Tell LaunchKey the user's session started: the phone shows it, and can end it.
  await service.sessionStart(world.username, authorizationRequestId);
  console.log(`session started for service user ${response.serviceUserHash}`);
}

await emulator.close();
