/**
 * The options of `POST /service/v3/auths` (docs/protocol.md, "Creating an authorization request"), validated
 * before anything is sent, so a mistake is an {@link InvalidArgumentError} naming the option, not an
 * `ARG-001` after a push-less round trip.
 */
import { InvalidArgumentError } from '../errors.js';
import { AuthPolicy } from '../entities/auth_policy.js';

/** A reason the user may give when denying (Directory Services with denial context inquiry only). */
export interface DenialReason {
  /** Returned as the response's `denialReason` when the user picks it. */
  id: string;
  /** Text shown to the user. */
  reason: string;
  /** Whether picking it reports fraud. */
  fraud: boolean;
}

/** Options of an authorization request. */
export interface AuthorizationRequestOptions {
  /** Shown on the device, e.g. "Sign in to Example from Firefox on Linux"; at most 400 characters. */
  context?: string;
  /** Title of the request on the device; at most 200 characters. */
  title?: string;
  /** Seconds the request stays open; default the API's (300). */
  ttl?: number;
  /** Title of the push notification. */
  pushTitle?: string;
  /** Body of the push notification. */
  pushBody?: string;
  /** A dynamic policy: can only make the service's policy stricter. */
  policy?: AuthPolicy;
  /** At least two reasons, at least one with `fraud: true` and one with `fraud: false`, unique ids. */
  denialReasons?: readonly DenialReason[];
}

/** The names of {@link AuthorizationRequestOptions}, for code that passes them on one by one. */
export const AUTHORIZATION_REQUEST_OPTION_NAMES = [
  'policy',
  'context',
  'title',
  'ttl',
  'pushTitle',
  'pushBody',
  'denialReasons',
] as const satisfies readonly (keyof AuthorizationRequestOptions)[];

/** Limits the API enforces on the request's texts. */
export const CONTEXT_MAX_LENGTH = 400;
export const TITLE_MAX_LENGTH = 200;
/** Longest ttl accepted locally, in seconds (one day): longer waits are never what a login wants. */
export const TTL_MAX = 86_400;

function text(value: unknown, argument: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new InvalidArgumentError(argument, `${argument} must be a string of 1 to ${maxLength} characters`);
  }
  return value;
}

function denialReasons(value: readonly DenialReason[]): { id: string; reason: string; fraud: boolean }[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidArgumentError('denialReasons', 'denialReasons must list at least two reasons');
  }
  const reasons = value.map((r: unknown, i) => {
    const item = (r ?? {}) as Partial<DenialReason>;
    if (typeof item.fraud !== 'boolean') {
      throw new InvalidArgumentError(`denialReasons[${i}].fraud`, 'fraud must be a boolean');
    }
    return {
      id: text(item.id, `denialReasons[${i}].id`, 100),
      reason: text(item.reason, `denialReasons[${i}].reason`, 200),
      fraud: item.fraud,
    };
  });
  if (!reasons.some((r) => r.fraud) || !reasons.some((r) => !r.fraud)) {
    throw new InvalidArgumentError('denialReasons', 'denialReasons need at least one fraud and one non-fraud reason');
  }
  if (new Set(reasons.map((r) => r.id)).size !== reasons.length) {
    throw new InvalidArgumentError('denialReasons', 'denialReasons ids must be unique');
  }
  return reasons;
}

/** The wire fields of the options (everything but `username`), validated. */
export function validateAuthorizationRequest(options: AuthorizationRequestOptions): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  if (options.context !== undefined) wire['context'] = text(options.context, 'context', CONTEXT_MAX_LENGTH);
  if (options.title !== undefined) wire['title'] = text(options.title, 'title', TITLE_MAX_LENGTH);
  if (options.ttl !== undefined) {
    if (!Number.isSafeInteger(options.ttl) || options.ttl < 1 || options.ttl > TTL_MAX) {
      throw new InvalidArgumentError('ttl', `ttl must be a whole number of seconds from 1 to ${TTL_MAX}`);
    }
    wire['ttl'] = options.ttl;
  }
  if (options.pushTitle !== undefined) wire['push_title'] = text(options.pushTitle, 'pushTitle', 200);
  if (options.pushBody !== undefined) wire['push_body'] = text(options.pushBody, 'pushBody', 400);
  if (options.policy !== undefined) {
    if (!(options.policy instanceof AuthPolicy)) {
      throw new InvalidArgumentError('policy', 'policy must be an AuthPolicy');
    }
    wire['policy'] = options.policy.toJSON();
  }
  if (options.denialReasons !== undefined) wire['denial_reasons'] = denialReasons(options.denialReasons);
  return wire;
}
