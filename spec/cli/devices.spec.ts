import { expect } from 'chai';

import type { Emulator } from '../../lib/emulator/index.js';
import { decodeTerminalQr } from './qr_reader.js';
import { FAST, IDS, cli, directoryEnv, organizationEnv, startWorld } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/;

describe('launchkey devices', function () {
  this.timeout(15_000);
  let emu: Emulator;

  beforeEach(async () => {
    emu = await startWorld();
  });

  afterEach(async () => {
    await emu.close();
  });

  describe('list', () => {
    it("prints the user's devices as a table", async () => {
      const result = await cli(['devices', 'list', 'alice'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      const [header, row, ...more] = result.stdout.trim().split('\n');
      expect(more).to.deep.equal([]);
      expect(header).to.match(/^ID {36}NAME {3}STATUS {2}TYPE {5}CREATED$/);
      expect(row).to.match(/^[0-9a-f-]{36} {2}phone {2}LINKED {2}\S+ +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(result.stderr).to.equal('');
    });

    it('prints {user, devices} with --json', async () => {
      const result = await cli(['devices', 'list', 'alice', '--json'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      const [listing] = result.json();
      expect(listing?.['user']).to.equal('alice');
      const devices = listing?.['devices'] as Record<string, unknown>[];
      expect(devices).to.have.lengthOf(1);
      const [device] = devices;
      expect(Object.keys(device ?? {})).to.deep.equal(['id', 'name', 'status', 'active', 'type', 'created', 'updated']);
      expect(device).to.deep.include({ name: 'phone', status: 'LINKED', active: true });
      expect(device?.['id']).to.match(UUID);
      expect(device?.['created']).to.match(DATE);
    });

    it('says an unknown user has no devices', async () => {
      const result = await cli(['devices', 'list', 'stranger'], directoryEnv(emu));
      expect([result.code, result.stdout]).to.deep.equal([0, 'stranger has no devices.\n']);
    });

    it("acts through the organization's key with LAUNCHKEY_DIRECTORY_ID", async () => {
      const env = { ...organizationEnv(emu), LAUNCHKEY_DIRECTORY_ID: IDS.dir };
      const result = await cli(['devices', 'list', 'alice', '--json'], env);
      expect(result.code).to.equal(0);
      expect(result.json()[0]?.['devices']).to.have.lengthOf(1);
    });
  });

  describe('link', () => {
    it('prints the linking code, a QR code that scans to it, the QR image URL and the pending device', async () => {
      const result = await cli(['devices', 'link', 'carol'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      const lines = result.stdout.split('\n');
      const code = /^Linking code for carol: (\S+)$/.exec(lines[0] ?? '')?.[1] ?? '';
      expect(code).to.match(/^[A-Z2-9]{8}$/);
      expect(decodeTerminalQr(lines.filter((l) => /^[█▀▄ ]+$/.test(l) && l.includes('█')))).to.equal(code);
      expect(result.stdout).to.include(`\nQR image: ${emu.url}/emulator/qrcode/${code}\n`);
      const deviceId = /\nPending device: (\S+)\n$/.exec(result.stdout)?.[1];
      expect(deviceId).to.match(UUID);
      const [device] = (await cli(['devices', 'list', 'carol', '--json'], directoryEnv(emu))).json()[0]?.[
        'devices'
      ] as Record<string, unknown>[];
      expect(device).to.deep.include({ id: deviceId, status: 'LINK_PENDING', active: false });
    });

    it('prints one link-started object with --json, and no QR code with --no-qr', async () => {
      const result = await cli(['devices', 'link', 'carol', '--json', '--ttl', '60'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      const [started, ...more] = result.json();
      expect(more).to.deep.equal([]);
      expect(Object.keys(started ?? {})).to.deep.equal(['event', 'user', 'code', 'qrCodeUrl', 'deviceId']);
      expect(started).to.deep.include({ event: 'link-started', user: 'carol' });
      expect(started?.['qrCodeUrl']).to.equal(`${emu.url}/emulator/qrcode/${String(started?.['code'])}`);
      const plain = await cli(['devices', 'link', 'dave', '--no-qr'], directoryEnv(emu));
      expect(plain.stdout).to.match(/^Linking code for dave: \S+\nQR image: \S+\nPending device: \S+\n$/);
    });

    it('with --wait, exits 0 once the phone completes the link, printing the linked device', async () => {
      const result = await cli(['devices', 'link', 'carol', '--wait', ...FAST, '--json'], directoryEnv(emu), {
        onLine: (line) => {
          const started = JSON.parse(line) as { event: string; code: string };
          if (started.event === 'link-started') void emu.linkDevice({ code: started.code, name: "Carol's phone" });
        },
      });
      expect(result.code).to.equal(0);
      const [started, linked] = result.json();
      expect(linked).to.deep.include({ event: 'linked', user: 'carol' });
      expect(linked?.['device']).to.deep.include({
        id: started?.['deviceId'],
        name: "Carol's phone",
        status: 'LINKED',
        active: true,
      });
    });

    it('with --wait, says so on stderr while waiting, and prints the device in text', async () => {
      const result = await cli(['devices', 'link', 'carol', '--wait', '--no-qr', ...FAST], directoryEnv(emu), {
        onLine: (line) => {
          const code = /^Linking code for carol: (\S+)$/.exec(line)?.[1];
          if (code !== undefined) void emu.linkDevice({ code, name: 'Pixel' });
        },
      });
      expect(result.code).to.equal(0);
      expect(result.stdout).to.match(/\nLinked: Pixel \([0-9a-f-]{36}\) is LINKED\.\n$/);
      expect(result.stderr).to.equal('Waiting for the device to be linked (up to 300 s; Ctrl-C stops)...\n');
    });

    it('with --wait, exits 4 when the device is not linked within --timeout', async () => {
      const result = await cli(['devices', 'link', 'carol', '--wait', ...FAST, '--timeout', '0.2'], directoryEnv(emu));
      expect(result.code).to.equal(4);
      expect(result.stderr).to.match(/launchkey: the device was not linked within 0\.\d s \(ERR_LK_WAIT_TIMEOUT\)\n$/);
    });

    it('with --wait, exits 3 when the pending device is removed before it is linked', async () => {
      const result = await cli(['devices', 'link', 'carol', '--wait', ...FAST, '--json'], directoryEnv(emu), {
        onLine: (line) => {
          const started = JSON.parse(line) as { event: string; deviceId: string };
          if (started.event === 'link-started') {
            void cli(['devices', 'unlink', 'carol', started.deviceId], directoryEnv(emu));
          }
        },
      });
      expect(result.code).to.equal(3);
      expect(result.json()[1]).to.deep.include({ event: 'link-removed', user: 'carol' });
    });

    it('with --wait, exits 130 when interrupted', async () => {
      const controller = new AbortController();
      const result = await cli(['devices', 'link', 'carol', '--wait', ...FAST], directoryEnv(emu), {
        signal: controller.signal,
        onLine: () => {
          controller.abort();
        },
      });
      expect(result.code).to.equal(130);
      expect(result.stderr).to.match(/Interrupted; the linking code stays valid until it expires\.\n$/);
    });

    it('refuses --timeout and --poll-interval without --wait, and a bad --ttl, with exit 1', async () => {
      for (const args of [
        ['--timeout', '5'],
        ['--poll-interval', '1'],
        ['--ttl', 'soon'],
      ]) {
        const result = await cli(['devices', 'link', 'carol', ...args], directoryEnv(emu));
        expect(result.code, args.join(' ')).to.equal(1);
        expect(result.stderr).to.match(/\(ERR_LK_USAGE\)\nRun "launchkey devices link --help" for usage\.\n$/);
      }
      expect(emu.state().users.some((u) => u.identifier === 'carol')).to.equal(false);
    });
  });

  describe('unlink', () => {
    it('unlinks the device; devices list then shows none', async () => {
      const [listing] = (await cli(['devices', 'list', 'alice', '--json'], directoryEnv(emu))).json();
      const [device] = listing?.['devices'] as { id: string }[];
      const result = await cli(['devices', 'unlink', 'alice', device?.id ?? '', '--json'], directoryEnv(emu));
      expect(result.code).to.equal(0);
      expect(result.json()).to.deep.equal([{ user: 'alice', deviceId: device?.id, unlinked: true }]);
      const text = await cli(['devices', 'list', 'alice'], directoryEnv(emu));
      expect(text.stdout).to.equal('alice has no devices.\n');
    });

    it('exits 2 for an unknown device or user, saying what a 404 means here', async () => {
      const result = await cli(
        ['devices', 'unlink', 'alice', '0a1b2c3d-0000-4000-8000-00000000ffff'],
        directoryEnv(emu),
      );
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal(
        'launchkey: Entity not found (ERR_LK_ENTITY_NOT_FOUND)\n' +
          'No such user, or no such device of theirs: see "launchkey devices list USER".\n',
      );
    });

    it('needs both USER and DEVICE_ID (exit 1)', async () => {
      const result = await cli(['devices', 'unlink', 'alice'], directoryEnv(emu));
      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(
        'launchkey: expected USER DEVICE_ID, got 1 argument(s) (ERR_LK_USAGE)\n' +
          'Run "launchkey devices unlink --help" for usage.\n',
      );
    });
  });
});
