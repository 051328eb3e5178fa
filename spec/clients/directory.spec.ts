import { expect } from 'chai';

import type { DirectoryClient } from '../../lib/clients/directory.js';
import { DirectoryFactory, OrganizationFactory } from '../../lib/clients/factories.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { EntityNotFoundError, InvalidArgumentError, JwtVerificationError } from '../../lib/errors.js';
import { rejection } from '../support/assertions.js';
import { IDS, KEYS, baseConfig } from '../support/emulator_client.js';
import { startReceiver, type Receiver } from '../support/webhook_receiver.js';

describe('DirectoryClient against the emulator', () => {
  let emu: Emulator;
  let directory: DirectoryClient;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    const webhookUrl = `${receiver.url}/launchkey/webhook`;
    emu = await startEmulator({ config: baseConfig({ webhookUrl }), apiPrivateKey: KEYS.api });
  });
  after(async () => {
    await emu.close();
    await receiver.close();
  });
  beforeEach(() => {
    directory = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeDirectoryClient();
    receiver.deliveries.length = 0;
  });

  it('links a device for a new user: code, QR URL, a pending device, then a linked one after the phone enters the code', async () => {
    const link = await directory.linkDevice('carol', { ttl: 600 });
    expect(link.code).to.have.length.of.at.least(7);
    expect(link.qrcode).to.match(/^https?:\/\//);
    const pending = await directory.getLinkedDevices('carol');
    expect(pending).to.have.length(1);
    expect(pending[0]).to.include({ id: link.deviceId, status: 'LINK_PENDING', active: false });

    await emu.linkDevice({ code: link.code, name: 'Carol phone' });
    await emu.webhooksSettled();
    const linked = await directory.getLinkedDevices('carol');
    expect(linked[0]).to.include({ id: link.deviceId, status: 'LINKED', active: true, name: 'Carol phone' });

    // The device-link webhook decodes with the directory's own client.
    const hook = receiver.deliveries.find((r) => r.path === '/launchkey/webhook');
    expect(hook, 'device link webhook').to.not.equal(undefined);
    const event = await directory.handleWebhook({
      method: hook!.method,
      path: hook!.path,
      headers: hook!.headers,
      body: hook!.body,
    });
    expect(event).to.include({ kind: 'device-link-completion', deviceId: link.deviceId });
    expect(event.devicePublicKeyId).to.match(/^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);

    // The same delivery again is a replay.
    const replay = await rejection(
      directory.handleWebhook({ method: hook!.method, path: hook!.path, headers: hook!.headers, body: hook!.body }),
    );
    expect(replay).to.be.instanceOf(JwtVerificationError);
    expect(replay.code).to.equal('ERR_LK_JWT_REPLAY');
  });

  it('lists no devices for an unknown user', async () => {
    expect(await directory.getLinkedDevices('nobody-here')).to.deep.equal([]);
  });

  it('unlinks a device, and refuses an unknown device or user with EntityNotFound', async () => {
    const link = await directory.linkDevice('dave');
    await directory.unlinkDevice('dave', link.deviceId);
    expect(await directory.getLinkedDevices('dave')).to.deep.equal([]);
    expect(await rejection(directory.unlinkDevice('dave', link.deviceId))).to.be.instanceOf(EntityNotFoundError);
    expect(await rejection(directory.unlinkDevice('nobody-here', link.deviceId))).to.be.instanceOf(EntityNotFoundError);
  });

  it('lists and ends the service sessions of a user', async () => {
    const service = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeServiceClient(IDS.dirSvc);
    const id = await service.authorize('alice');
    await emu.respond(id, 'approve');
    await service.sessionStart('alice', id);
    const sessions = await directory.getAllServiceSessions('alice');
    expect(sessions.map((s) => s.serviceId)).to.include(IDS.dirSvc);
    const session = sessions.find((s) => s.serviceId === IDS.dirSvc);
    expect(session).to.include({ authRequest: id, serviceName: 'Dir service' });
    expect(session?.created).to.be.instanceOf(Date);
    await directory.endAllServiceSessions('alice');
    expect(await directory.getAllServiceSessions('alice')).to.deep.equal([]);
  });

  it('refuses sessions calls for an unknown user with EntityNotFound', async () => {
    expect(await rejection(directory.getAllServiceSessions('nobody-here'))).to.be.instanceOf(EntityNotFoundError);
    expect(await rejection(directory.endAllServiceSessions('nobody-here'))).to.be.instanceOf(EntityNotFoundError);
  });

  it('generates a TOTP secret that the service verifies, and removes it', async () => {
    const totp = await directory.generateUserTotp('alice');
    expect(totp).to.include({ algorithm: 'SHA1', period: 30, digits: 6 });
    expect(totp.secret).to.match(/^[A-Z2-7]{32}$/);
    const service = new DirectoryFactory(IDS.dir, KEYS.dir, { baseUrl: emu.url }).makeServiceClient(IDS.dirSvc);
    const code = totpCode(totp.secret, Math.floor(emu.now() / 30));
    expect(await service.verifyTotp('alice', code)).to.be.true;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await service.verifyTotp('alice', wrong)).to.be.false;
    await directory.removeUserTotp('alice');
    expect(await rejection(service.verifyTotp('alice', code))).to.be.instanceOf(EntityNotFoundError);
  });

  it('validates arguments before sending', async () => {
    expect(await rejection(directory.linkDevice(''))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejection(directory.linkDevice('x', { ttl: -1 }))).to.include({ argument: 'ttl' });
    expect(await rejection(directory.unlinkDevice('x', ''))).to.include({ argument: 'deviceId' });
  });

  it('is made by the organization factory as well', async () => {
    const viaOrg = new OrganizationFactory(IDS.org, KEYS.org, { baseUrl: emu.url }).makeDirectoryClient(IDS.dir);
    expect(await viaOrg.getLinkedDevices('alice')).to.have.length(1);
  });
});

/** RFC 6238 TOTP (SHA-1, 6 digits) for a base32 secret at time step `counter`. */
function totpCode(secret: string, counter: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secret) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmacSha1(key, message);
  const offset = (hmac[hmac.length - 1] ?? 0) & 0xf;
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

import { createHmac } from 'node:crypto';
function createHmacSha1(key: Buffer, message: Buffer): Buffer {
  return createHmac('sha1', key).update(message).digest();
}
