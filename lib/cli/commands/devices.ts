/**
 * `launchkey devices link|list|unlink`: a directory user's authenticator devices.
 */
import { UsageError, WaitTimeoutError } from '../../errors.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit_codes.js';
import { durationMs, wholeSeconds } from '../options.js';
import { pollUntil } from '../poll.js';
import { terminalQr } from '../terminal_qr.js';
import { deviceJson, seconds, shortDate, table } from '../views.js';

/** Seconds a linking code lives when `--ttl` is not given: the API's default. */
const DEFAULT_LINK_TTL = 300;
/** Longest `--ttl` of a linking code: a day. */
const MAX_LINK_TTL = 86_400;
const DEFAULT_POLL_MS = 1000;

export const devicesLink: Command = {
  name: 'devices link',
  summary: 'link a device: print the linking code and a QR code; optionally wait',
  args: ['USER'],
  description: [
    'Starts linking an authenticator device for USER (a new USER is created in the directory) and',
    'prints the linking code, a QR code of it to scan, and the id of the pending device. With --wait,',
    'waits until the device is linked.',
  ],
  options: {
    ttl: { type: 'string', value: 'SECONDS', description: `how long the code is valid (default the API's, 300)` },
    wait: { type: 'boolean', description: 'wait until the device is linked' },
    timeout: {
      type: 'string',
      value: 'SECONDS',
      description: 'with --wait: give up after this long (default the code lifetime)',
    },
    'poll-interval': { type: 'string', value: 'SECONDS', description: 'with --wait: time between checks (default 1)' },
    'no-qr': { type: 'boolean', description: 'do not print the QR code' },
  },
  credentials: 'directory',
  exits: [
    [EXIT.OK, 'linking started (with --wait: the device is linked)'],
    [EXIT.NOT_APPROVED, 'with --wait: the pending device was removed before it was linked'],
    [EXIT.TIMEOUT, 'with --wait: not linked within --timeout'],
    [EXIT.INTERRUPTED, 'interrupted while waiting'],
  ],
  json: [
    '{"event":"link-started","user","code","qrCodeUrl","deviceId"}; with --wait, then',
    '{"event":"linked","user","device":DEVICE} or {"event":"link-removed","user","deviceId"}',
    'DEVICE: {"id","name","status","active","type","created","updated"}',
  ],
  async run({ args, options, out, credentials, signal }) {
    const [user = ''] = args;
    const ttlText = options.string('ttl');
    const ttl = ttlText === undefined ? undefined : wholeSeconds(ttlText, '--ttl', 1, MAX_LINK_TTL);
    const wait = options.flag('wait');
    const timeoutText = options.string('timeout');
    const intervalText = options.string('poll-interval');
    if (!wait && (timeoutText !== undefined || intervalText !== undefined)) {
      throw new UsageError('--timeout and --poll-interval need --wait', { argument: '--wait' });
    }
    const timeoutMs =
      timeoutText === undefined ? (ttl ?? DEFAULT_LINK_TTL) * 1000 : durationMs(timeoutText, '--timeout');
    const intervalMs = intervalText === undefined ? DEFAULT_POLL_MS : durationMs(intervalText, '--poll-interval');
    const directory = credentials.directoryClient();

    const link = await directory.linkDevice(user, ttl === undefined ? {} : { ttl });
    const qr = options.flag('no-qr') ? [] : ['', ...terminalQr(link.code), ''];
    out.result(
      [`Linking code for ${user}: ${link.code}`, ...qr, `QR image: ${link.qrcode}`, `Pending device: ${link.deviceId}`],
      { event: 'link-started', user, code: link.code, qrCodeUrl: link.qrcode, deviceId: link.deviceId },
    );
    if (!wait) return EXIT.OK;

    out.note(`Waiting for the device to be linked (up to ${seconds(timeoutMs)}; Ctrl-C stops)...`);
    const result = await pollUntil(
      async () => {
        const device = (await directory.getLinkedDevices(user)).find((d) => d.id === link.deviceId);
        if (device === undefined) return { gone: true as const };
        return device.status === 'LINK_PENDING' ? undefined : { gone: false as const, device };
      },
      { intervalMs, timeoutMs, signal },
    );
    switch (result.kind) {
      case 'interrupted':
        out.note('Interrupted; the linking code stays valid until it expires.');
        return EXIT.INTERRUPTED;
      case 'timeout':
        throw new WaitTimeoutError(`the device was not linked within ${seconds(result.waitedMs)}`, result.waitedMs);
      case 'done':
        break;
    }
    if (result.value.gone) {
      out.result(`The pending device ${link.deviceId} was removed before it was linked.`, {
        event: 'link-removed',
        user,
        deviceId: link.deviceId,
      });
      return EXIT.NOT_APPROVED;
    }
    const { device } = result.value;
    out.result(`Linked: ${device.name} (${device.id}) is ${device.status}.`, {
      event: 'linked',
      user,
      device: deviceJson(device),
    });
    return EXIT.OK;
  },
};

export const devicesList: Command = {
  name: 'devices list',
  summary: "list a user's devices",
  args: ['USER'],
  description: ["Lists USER's devices, pending links included. An unknown USER has none."],
  options: {},
  credentials: 'directory',
  exits: [[EXIT.OK, 'listed']],
  json: ['{"user","devices":[DEVICE]}', 'DEVICE: {"id","name","status","active","type","created","updated"}'],
  async run({ args, out, credentials }) {
    const [user = ''] = args;
    const devices = await credentials.directoryClient().getLinkedDevices(user);
    const text =
      devices.length === 0
        ? `${user} has no devices.`
        : table(
            ['ID', 'NAME', 'STATUS', 'TYPE', 'CREATED'],
            devices.map((d) => [d.id, d.name, d.status, d.type, shortDate(d.created)]),
          );
    out.result(text, { user, devices: devices.map(deviceJson) });
    return EXIT.OK;
  },
};

export const devicesUnlink: Command = {
  name: 'devices unlink',
  summary: "unlink one of a user's devices",
  args: ['USER', 'DEVICE_ID'],
  description: ['Unlinks the device DEVICE_ID of USER (see "launchkey devices list USER" for the ids).'],
  options: {},
  credentials: 'directory',
  notFound: 'No such user, or no such device of theirs: see "launchkey devices list USER".',
  exits: [[EXIT.OK, 'unlinked']],
  json: ['{"user","deviceId","unlinked":true}'],
  async run({ args, out, credentials }) {
    const [user = '', deviceId = ''] = args;
    await credentials.directoryClient().unlinkDevice(user, deviceId);
    out.result(`Unlinked device ${deviceId} of ${user}.`, { user, deviceId, unlinked: true });
    return EXIT.OK;
  },
};
