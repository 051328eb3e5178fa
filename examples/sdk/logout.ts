// Logout on both sides: ending the LaunchKey session when the user logs out of the app, and
// listing and ending a user's sessions from the directory.
//
// Prerequisites: the embedded emulator with a demo world; the emulator plays the phone.
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

const world = await createDemoWorld();
const emulator = await startEmulator({ config: world.config });
const baseUrl = emulator.url;
// End of prerequisites

import { DirectoryFactory, ServiceFactory } from 'passport-launchkey/sdk';

const service = new ServiceFactory(world.serviceId, world.serviceKey, { baseUrl }).makeServiceClient();
const directory = new DirectoryFactory(world.directoryId, world.directoryKey, { baseUrl }).makeDirectoryClient();

// Log in and start the session.
const id = await service.authorize(world.username);
await emulator.respond(id, 'approve');
await service.sessionStart(world.username, id);
console.log(`sessions after login: ${(await directory.getAllServiceSessions(world.username)).length}`);

// The user logs out of the app: end the LaunchKey session too.
await service.sessionEnd(world.username);
console.log(`sessions after logout: ${(await directory.getAllServiceSessions(world.username)).length}`);

// A directory can end all of a user's sessions, e.g. when their phone is lost.
await service.sessionStart(world.username, id);
await directory.endAllServiceSessions(world.username);
console.log(`sessions after ending all: ${(await directory.getAllServiceSessions(world.username)).length}`);

await emulator.close();
