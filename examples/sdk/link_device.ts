// Linking a user's phone: the directory starts a link, the user types the code (or scans the QR
// image) in the authenticator app, the directory learns of the completion.
//
// Prerequisites: the embedded emulator with a demo world; the emulator plays the phone.
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

const world = await createDemoWorld();
const emulator = await startEmulator({ config: world.config });
const baseUrl = emulator.url;
// End of prerequisites

import { DirectoryFactory } from 'passport-launchkey/sdk';

const directory = new DirectoryFactory(world.directoryId, world.directoryKey, { baseUrl }).makeDirectoryClient();

// A new user: linking creates them in the directory.
const link = await directory.linkDevice('new-user@example.com', { ttl: 600 });
console.log(`linking code ${link.code}, QR image at ${link.qrcode}`);
console.log(`devices while pending: ${(await directory.getLinkedDevices('new-user@example.com'))[0]?.status}`);

// The user enters the code on their phone (here: the simulated one).
await emulator.linkDevice({ code: link.code, name: "New user's phone" });

const [device] = await directory.getLinkedDevices('new-user@example.com');
console.log(`device ${device?.name} is ${device?.status}`);

// Later: unlink it.
await directory.unlinkDevice('new-user@example.com', link.deviceId);
console.log(`devices after unlinking: ${(await directory.getLinkedDevices('new-user@example.com')).length}`);

await emulator.close();
