/**
 * Organization endpoints (docs/protocol.md, "Organization endpoints"; subject `org:`): directories, directory
 * keys and SDK keys.
 */
import { randomUUID } from 'node:crypto';

import type { EmulatorContext } from '../context.js';
import { addKey, keyView, removeKey, updateKey } from '../entity_keys.js';
import { ApiFault, forbidden, invalidArgs } from '../fault.js';
import { InvalidP12Error, iosCertificateFingerprint } from '../ios_p12.js';
import type { RouteTable, SignedContext } from '../router.js';
import type { Directory, Organization } from '../state.js';
import { optionalUrl } from './service_admin.js';

export function addOrganizationRoutes(routes: RouteTable, ctx: EmulatorContext): void {
  const { state } = ctx;
  const org = (c: SignedContext) => c.subject as Organization;
  const body = (c: SignedContext) => c.body ?? {};
  const owned = (c: SignedContext, id: unknown): Directory => {
    const dir = typeof id === 'string' ? state.directories.get(id.toLowerCase()) : undefined;
    if (dir?.organizationId !== org(c).id) throw forbidden();
    return dir;
  };
  const view = (d: Directory) => ({
    id: d.id,
    name: d.name,
    active: d.active,
    service_ids: state.servicesOf(d).map((s) => s.id),
    sdk_keys: d.sdkKeys,
    android_key: d.androidKey,
    ios_certificate_fingerprint: d.iosCertificateFingerprint,
    denial_context_inquiry_enabled: d.denialContextInquiryEnabled,
    webhook_url: d.webhookUrl,
    premium: false,
  });
  const mine = (c: SignedContext) => [...state.directories.values()].filter((d) => d.organizationId === org(c).id);
  const ids = (value: unknown, field: string): unknown[] => {
    if (!Array.isArray(value)) throw invalidArgs({ [field]: 'must be a list of UUIDs' });
    return value;
  };

  routes
    .signed('POST', '/organization/v3/directories', 'org', function createDirectory(c) {
      const name = body(c)['name'];
      if (typeof name !== 'string' || name.trim().length === 0) throw invalidArgs({ name: 'is required' });
      if ([...state.directories.values()].some((d) => d.name.toLowerCase() === name.toLowerCase())) {
        throw new ApiFault(400, 'ORG-003', 'Directory name already in use');
      }
      const id = randomUUID();
      state.directories.set(id, {
        kind: 'dir',
        id,
        organizationId: org(c).id,
        name,
        keys: [],
        active: true,
        webhookUrl: null,
        androidKey: null,
        iosCertificateFingerprint: null,
        // The API enabled denial context inquiry on every new directory; the official suite reads
        // it back as true.
        denialContextInquiryEnabled: true,
        sdkKeys: [],
      });
      return { status: 201, body: { id } };
    })
    .signed('GET', '/organization/v3/directories', 'org', function listAllDirectories(c) {
      return { status: 200, body: mine(c).map(view) };
    })
    .signed('POST', '/organization/v3/directories/list', 'org', function listDirectories(c) {
      return { status: 200, body: ids(body(c)['directory_ids'], 'directory_ids').map((id) => view(owned(c, id))) };
    })
    .signed('PATCH', '/organization/v3/directories', 'org', function updateDirectory(c) {
      const b = body(c);
      const dir = owned(c, b['directory_id']);
      // Everything is checked before anything changes: a refused update leaves the directory as it was.
      const changes: Partial<Directory> = {};
      if (b['active'] !== undefined && b['active'] !== null) {
        if (typeof b['active'] !== 'boolean') throw invalidArgs({ active: 'must be a boolean' });
        changes.active = b['active'];
      }
      const dcie = b['denial_context_inquiry_enabled'];
      if (dcie !== undefined && dcie !== null) {
        if (typeof dcie !== 'boolean') throw invalidArgs({ denial_context_inquiry_enabled: 'must be a boolean' });
        changes.denialContextInquiryEnabled = dcie;
      }
      if (b['webhook_url'] !== undefined) changes.webhookUrl = optionalUrl(b['webhook_url'], 'webhook_url');
      const androidKey = b['android_key'];
      if (androidKey !== undefined) {
        if (androidKey !== null && typeof androidKey !== 'string')
          throw invalidArgs({ android_key: 'must be a string' });
        changes.androidKey = androidKey;
      }
      const p12 = b['ios_p12'];
      if (p12 !== undefined) {
        if (p12 !== null && typeof p12 !== 'string') throw invalidArgs({ ios_p12: 'must be base64' });
        try {
          changes.iosCertificateFingerprint = p12 === null ? null : iosCertificateFingerprint(p12);
        } catch (err) {
          if (err instanceof InvalidP12Error) throw invalidArgs({ ios_p12: err.message });
          throw err;
        }
      }
      Object.assign(dir, changes);
      return { status: 204 };
    })
    .signed('POST', '/organization/v3/directory/keys', 'org', function addDirectoryKey(c) {
      return { status: 201, body: addKey(owned(c, body(c)['directory_id']), body(c), state.clock.now()) };
    })
    .signed('POST', '/organization/v3/directory/keys/list', 'org', function listDirectoryKeys(c) {
      return { status: 200, body: owned(c, body(c)['directory_id']).keys.map(keyView) };
    })
    .signed('PATCH', '/organization/v3/directory/keys', 'org', function updateDirectoryKey(c) {
      updateKey(owned(c, body(c)['directory_id']), body(c));
      return { status: 204 };
    })
    .signed('DELETE', '/organization/v3/directory/keys', 'org', function removeDirectoryKey(c) {
      removeKey(owned(c, body(c)['directory_id']), body(c));
      return { status: 204 };
    })
    .signed('POST', '/organization/v3/directory/sdk-keys', 'org', function generateSdkKey(c) {
      const dir = owned(c, body(c)['directory_id']);
      const sdkKey = randomUUID();
      dir.sdkKeys.push(sdkKey);
      return { status: 201, body: { sdk_key: sdkKey } };
    })
    .signed('POST', '/organization/v3/directory/sdk-keys/list', 'org', function listSdkKeys(c) {
      return { status: 200, body: owned(c, body(c)['directory_id']).sdkKeys };
    })
    .signed('DELETE', '/organization/v3/directory/sdk-keys', 'org', function removeSdkKey(c) {
      const dir = owned(c, body(c)['directory_id']);
      const key = body(c)['sdk_key'];
      const index = typeof key === 'string' ? dir.sdkKeys.indexOf(key.toLowerCase()) : -1;
      if (index < 0) throw new ApiFault(400, 'ORG-006', 'The SDK key is not in the directory');
      if (dir.sdkKeys.length <= 1) throw new ApiFault(400, 'ORG-005', 'The last remaining SDK key cannot be removed');
      dir.sdkKeys.splice(index, 1);
      return { status: 204 };
    });
}
