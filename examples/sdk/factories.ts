// The credential hierarchy: which factory makes which client.
//
// Prerequisites: a LaunchKey API and credentials. This example runs the embedded emulator with a
// ready demo world (an organization, a directory, a directory service and a user with a phone).
import { createDemoWorld, startEmulator } from 'passport-launchkey/emulator';

const world = await createDemoWorld();
const emulator = await startEmulator({ config: world.config });
const baseUrl = emulator.url; // omit baseUrl to use https://api.launchkey.com
// End of prerequisites

import { DirectoryFactory, OrganizationFactory, ServiceFactory } from 'passport-launchkey/sdk';

// An organization's credentials reach everything below it...
const organization = new OrganizationFactory(world.organizationId, world.organizationKey, { baseUrl });
const orgClient = organization.makeOrganizationClient();
const directories = await orgClient.getAllDirectories();
console.log(`organization sees ${directories.length} directory: ${directories.map((d) => d.name).join(', ')}`);

const directoryViaOrganization = organization.makeDirectoryClient(world.directoryId);
const devices = await directoryViaOrganization.getLinkedDevices(world.username);
console.log(`${world.username} has ${devices.length} linked device (${devices[0]?.name ?? 'none'})`);

// ...a directory's credentials reach the directory and its services...
const directory = new DirectoryFactory(world.directoryId, world.directoryKey, { baseUrl });
const services = await directory.makeDirectoryClient().getAllServices();
console.log(`directory has the service "${services[0]?.name ?? 'none'}"`);

// ...and a service's credentials reach only the service: what a web app holds.
const service = new ServiceFactory(world.serviceId, world.serviceKey, { baseUrl }).makeServiceClient();
const serviceViaDirectory = directory.makeServiceClient(world.serviceId);
const serviceViaOrganization = organization.makeServiceClient(world.serviceId);
for (const [label, client] of Object.entries({ service, serviceViaDirectory, serviceViaOrganization })) {
  await client.sessionEnd(world.username); // succeeds even without a session
  console.log(`${label} acts for svc:${client.serviceId}`);
}

await emulator.close();
