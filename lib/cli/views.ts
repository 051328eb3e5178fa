/**
 * How SDK entities look in the CLI's output: their `--json` shapes (stable: README "The operator
 * CLI" documents them; add fields, never rename or remove) and the text tables people read.
 * Dates are ISO 8601 in UTC, or `null`.
 */
import type { Device, ServiceSession } from '../entities/directory.js';
import type { PublicKeyInfo } from '../entities/service.js';
import { formatIsoTime } from '../iso_time.js';
import { escapeControls } from './terminal_text.js';

/** A device in `--json` output. */
export interface DeviceJson {
  id: string;
  name: string;
  /** `LINK_PENDING`, `LINKED`, `UNLINK_PENDING` or `OTHER`. */
  status: string;
  /** Whether the device can answer pushes. */
  active: boolean;
  type: string;
  created: string | null;
  updated: string | null;
}

/** A service session in `--json` output. */
export interface SessionJson {
  serviceId: string;
  serviceName: string;
  serviceIcon: string | null;
  authorizationRequestId: string | null;
  created: string;
}

/** A public key in `--json` output. */
export interface PublicKeyJson {
  id: string;
  /** `BOTH`, `ENCRYPTION`, `SIGNATURE` or `OTHER`. */
  keyType: string;
  active: boolean;
  created: string;
  expires: string | null;
  /** The public key, PEM. */
  publicKey: string;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function deviceJson(device: Device): DeviceJson {
  return {
    id: device.id,
    name: device.name,
    status: device.status,
    active: device.active,
    type: device.type,
    created: iso(device.created),
    updated: iso(device.updated),
  };
}

export function sessionJson(session: ServiceSession): SessionJson {
  return {
    serviceId: session.serviceId,
    serviceName: session.serviceName,
    serviceIcon: session.serviceIcon,
    authorizationRequestId: session.authRequest,
    created: session.created.toISOString(),
  };
}

export function publicKeyJson(key: PublicKeyInfo): PublicKeyJson {
  return {
    id: key.id,
    keyType: key.keyType,
    active: key.active,
    created: key.created.toISOString(),
    expires: iso(key.expires),
    publicKey: key.publicKey,
  };
}

/**
 * Rows as columns padded to their widest cell, the header first. Cells are escaped here already (output
 * escapes again, which changes nothing), so the widths are those of what the terminal shows.
 */
export function table(header: readonly string[], cells: readonly (readonly string[])[]): string[] {
  const rows = cells.map((row) => row.map(escapeControls));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A date for a table: ISO 8601 to the second, or a dash. */
export function shortDate(date: Date | null, none = '-'): string {
  return date === null ? none : formatIsoTime(date);
}

/** A duration for people: tenths under ten seconds (a short `--timeout` must not read "0 s"). */
export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
