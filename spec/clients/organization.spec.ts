import { expect } from 'chai';

import { DirectoryFactory, OrganizationFactory } from '../../lib/clients/factories.js';
import type { OrganizationClient } from '../../lib/clients/organization.js';
import { loadPrivateKey } from '../../lib/crypto/keys.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import {
  ConditionalGeoFencePolicy,
  FactorsPolicy,
  GeoCircleFence,
  LegacyPolicy,
  MethodAmountPolicy,
  TerritoryFence,
  TimeFence,
} from '../../lib/entities/policy.js';
import {
  DirectoryNameInUseError,
  ForbiddenError,
  InvalidPolicyError,
  InvalidSDKKeyError,
  LastRemainingKeyError,
  LastRemainingSDKKeyError,
  PublicKeyAlreadyInUseError,
  PublicKeyDoesNotExistError,
  ServiceNameTakenError,
  ServiceNotFoundError,
} from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';
import { vectorText } from '../support/vectors.js';

const UNKNOWN = '6f1c1b55-1c0e-4a3b-9b0a-1d2e3f405162';
const extraKey = loadPrivateKey(vectorText('dotnet-webclienttransport-private-key.pem')).publicKey.pem;
const otherKey = loadPrivateKey(vectorText('python-valid-private-key.pem')).publicKey.pem;

describe('OrganizationClient against the emulator', () => {
  let emu: Emulator;
  let org: OrganizationClient;

  before(async () => {
    emu = await startEmulator({ config: baseConfig(), apiPrivateKey: KEYS.api });
  });
  after(async () => {
    await emu.close();
  });
  beforeEach(() => {
    org = new OrganizationFactory(IDS.org, KEYS.org, { baseUrl: emu.url }).makeOrganizationClient();
  });

  describe('directories', () => {
    it('creates, lists, gets and updates a directory', async () => {
      const id = await org.createDirectory('Customers');
      const all = await org.getAllDirectories();
      expect(all.map((d) => d.id)).to.include.members([id, IDS.dir]);
      const created = await org.getDirectory(id);
      expect(created).to.include({ id, name: 'Customers', active: true, webhookUrl: null });
      await org.updateDirectory(id, {
        webhookUrl: 'https://app.example.test/launchkey/directory',
        denialContextInquiryEnabled: true,
        active: false,
      });
      expect(await org.getDirectory(id)).to.include({
        webhookUrl: 'https://app.example.test/launchkey/directory',
        denialContextInquiryEnabled: true,
        active: false,
      });
      await org.updateDirectory(id, { webhookUrl: null });
      expect((await org.getDirectory(id)).webhookUrl).to.equal(null);
      expect((await org.getDirectories([id, IDS.dir])).map((d) => d.id)).to.have.members([id, IDS.dir]);
    });

    it('refuses a taken directory name with DirectoryNameInUse', async () => {
      await org.createDirectory('Staff');
      await rejection(org.createDirectory('Staff'), DirectoryNameInUseError);
    });

    it('is forbidden to read or change a directory it does not own', async () => {
      await rejection(org.getDirectory(IDS.otherDir), ForbiddenError);
      await rejection(org.getDirectory(UNKNOWN), ForbiddenError);
      await rejection(org.updateDirectory(UNKNOWN, { active: false }), ForbiddenError);
      await rejection(org.getDirectoryPublicKeys(UNKNOWN), ForbiddenError);
      await rejection(org.getAllDirectorySdkKeys(UNKNOWN), ForbiddenError);
    });

    it('manages directory keys: add, list, update, remove, with the key rules', async () => {
      const id = await org.createDirectory('Keys test');
      const first = await org.addDirectoryPublicKey(id, extraKey, { keyType: 'SIGNATURE' });
      expect(first).to.equal(loadPrivateKey(vectorText('dotnet-webclienttransport-private-key.pem')).kid);
      await rejection(org.addDirectoryPublicKey(id, extraKey), PublicKeyAlreadyInUseError);
      const expires = new Date('2030-01-01T00:00:00Z');
      const second = await org.addDirectoryPublicKey(id, otherKey, { expires, active: true });
      const keys = await org.getDirectoryPublicKeys(id);
      expect(keys.find((k) => k.id === first)).to.include({ keyType: 'SIGNATURE', active: true, expires: null });
      expect(keys.find((k) => k.id === second)?.expires?.toISOString()).to.equal(expires.toISOString());
      await org.updateDirectoryPublicKey(id, second, { active: false, expires: null });
      expect((await org.getDirectoryPublicKeys(id)).find((k) => k.id === second)).to.include({
        active: false,
        expires: null,
      });
      await org.removeDirectoryPublicKey(id, second);
      await rejection(org.removeDirectoryPublicKey(id, second), PublicKeyDoesNotExistError);
      await rejection(org.removeDirectoryPublicKey(id, first), LastRemainingKeyError);
    });

    it('refuses a public key that is not a key with InvalidPublicKey or InvalidParameters', async () => {
      const id = await org.createDirectory('Bad key');
      const err = await rejection(org.addDirectoryPublicKey(id, 'not a pem'));
      expect(err.code).to.be.oneOf(['ERR_LK_INVALID_PUBLIC_KEY', 'ERR_LK_INVALID_PARAMETERS']);
    });

    it('manages SDK keys: generate, list, remove, never the last, never a stranger', async () => {
      const id = await org.createDirectory('SDK keys');
      const a = await org.generateAndAddDirectorySdkKey(id);
      const b = await org.generateAndAddDirectorySdkKey(id);
      expect(await org.getAllDirectorySdkKeys(id)).to.include.members([a, b]);
      await org.removeDirectorySdkKey(id, a);
      await rejection(org.removeDirectorySdkKey(id, UNKNOWN), InvalidSDKKeyError);
      const remaining = await org.getAllDirectorySdkKeys(id);
      for (const key of remaining.slice(0, -1)) await org.removeDirectorySdkKey(id, key);
      await rejection(org.removeDirectorySdkKey(id, remaining.at(-1) ?? b), LastRemainingSDKKeyError);
    });
  });

  describe('services', () => {
    it('creates, lists, gets and updates an organization service', async () => {
      const id = await org.createService('Payroll', {
        description: 'Pay slips',
        icon: 'https://app.example.test/icon.png',
        callbackUrl: 'https://app.example.test/launchkey/webhook',
      });
      const service = await org.getService(id);
      expect(service).to.deep.equal({
        id,
        name: 'Payroll',
        description: 'Pay slips',
        icon: 'https://app.example.test/icon.png',
        callbackUrl: 'https://app.example.test/launchkey/webhook',
        active: true,
      });
      await org.updateService(id, { name: 'Payroll 2', description: null, active: false });
      expect(await org.getService(id)).to.include({ name: 'Payroll 2', description: null, active: false });
      expect((await org.getAllServices()).map((s) => s.id)).to.include.members([id, IDS.orgSvc]);
      expect((await org.getServices([id])).map((s) => s.name)).to.deep.equal(['Payroll 2']);
    });

    it('refuses a taken service name with ServiceNameTaken', async () => {
      await org.createService('Unique name');
      await rejection(org.createService('Unique name'), ServiceNameTakenError);
    });

    it('is forbidden to touch a service it does not own', async () => {
      await rejection(org.getService(UNKNOWN), ForbiddenError);
      await rejection(org.updateService(UNKNOWN, { name: 'x' }), ForbiddenError);
      await rejection(org.getServicePublicKeys(UNKNOWN), ForbiddenError);
    });

    it('manages service keys with key types and the last-key rule', async () => {
      const id = await org.createService('Keyed');
      const kid = await org.addServicePublicKey(id, extraKey, { keyType: 'ENCRYPTION' });
      expect((await org.getServicePublicKeys(id))[0]).to.include({ id: kid, keyType: 'ENCRYPTION' });
      await org.updateServicePublicKey(id, kid, { active: false });
      expect((await org.getServicePublicKeys(id))[0]).to.include({ active: false });
      await rejection(
        org.updateServicePublicKey(id, '00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00', {}),
        PublicKeyDoesNotExistError,
      );
      await rejection(org.removeServicePublicKey(id, kid), LastRemainingKeyError);
    });

    it('manages directory services through the directory client as well', async () => {
      const directory = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeDirectoryClient();
      const id = await directory.createService('Directory app');
      expect((await directory.getAllServices()).map((s) => s.id)).to.include(id);
      expect((await org.getDirectory(IDS.dir)).serviceIds).to.include(id);
    });
  });

  describe('service policies', () => {
    let serviceId: string;
    before(async () => {
      serviceId = await new OrganizationFactory(IDS.org, KEYS.org, { baseUrl: emu.url })
        .makeOrganizationClient()
        .createService('Policy target');
    });

    it('starts with a blank legacy policy', async () => {
      const policy = await org.getServicePolicy(serviceId);
      expect(policy).to.be.instanceOf(LegacyPolicy);
      expect(policy.toJSON()).to.deep.equal(new LegacyPolicy().toJSON());
    });

    const policies = {
      'a method amount policy with fences': () =>
        new MethodAmountPolicy({
          amount: 2,
          fences: [new GeoCircleFence({ name: 'HQ', latitude: 45.5, longitude: -122.6, radius: 500 })],
          denyRootedJailbroken: true,
        }),
      'a factors policy': () =>
        new FactorsPolicy({
          factors: ['POSSESSION', 'INHERENCE'],
          fences: [new TerritoryFence({ name: 'Oregon', country: 'US', administrativeArea: 'US-OR' })],
        }),
      'a conditional geofence policy': () =>
        new ConditionalGeoFencePolicy({
          fences: [new TerritoryFence({ name: 'US', country: 'US' })],
          inside: new MethodAmountPolicy({ amount: 1 }),
          outside: new FactorsPolicy({ factors: ['KNOWLEDGE', 'POSSESSION'] }),
          denyEmulatorSimulator: true,
        }),
      'a legacy policy with a time fence': () =>
        new LegacyPolicy({
          any: 2,
          jailbreakProtection: true,
          timeFences: [
            new TimeFence({
              name: 'Week days',
              days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
              startHour: 8,
              startMinute: 0,
              endHour: 18,
              endMinute: 0,
              timezone: 'America/Los_Angeles',
            }),
          ],
        }),
    };
    for (const [title, build] of Object.entries(policies)) {
      it(`sets and reads back ${title}`, async () => {
        const policy = build();
        await org.setAdvancedServicePolicy(serviceId, policy);
        const read = await org.getAdvancedServicePolicy(serviceId);
        expect(read.constructor).to.equal(policy.constructor);
        expect(read.toJSON()).to.deep.equal(policy.toJSON());
      });
    }

    it('refuses the legacy getter for an advanced policy, and removes the policy', async () => {
      await org.setAdvancedServicePolicy(serviceId, new MethodAmountPolicy({ amount: 1 }));
      await rejection(org.getServicePolicy(serviceId), InvalidPolicyError);
      await org.removeServicePolicy(serviceId);
      expect(await org.getServicePolicy(serviceId)).to.be.instanceOf(LegacyPolicy);
    });

    it('sets a legacy policy through setServicePolicy', async () => {
      const policy = new LegacyPolicy({ knowledge: true, possession: true });
      await org.setServicePolicy(serviceId, policy);
      expect((await org.getServicePolicy(serviceId)).toJSON()).to.deep.equal(policy.toJSON());
    });

    it('answers ServiceNotFound for the policy of an unknown service', async () => {
      await rejection(org.getAdvancedServicePolicy(UNKNOWN), ServiceNotFoundError);
      await rejection(
        org.setAdvancedServicePolicy(UNKNOWN, new MethodAmountPolicy({ amount: 1 })),
        ServiceNotFoundError,
      );
      await rejection(org.removeServicePolicy(UNKNOWN), ServiceNotFoundError);
    });

    it('refuses something that is not a policy before sending', async () => {
      const err = await rejection(org.setAdvancedServicePolicy(serviceId, { toJSON: () => ({}) } as never));
      expect(err.code).to.equal('ERR_LK_INVALID_ARGUMENT');
    });
  });
});
