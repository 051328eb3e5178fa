/**
 * A tiny method + path route table (pillarjs/router in miniature): literal segments and `:name`
 * parameters, named handler functions, first match wins.
 */
import type { IncomingMessage } from 'node:http';

import type { Entity, EntityKind } from './state.js';

/** What a signed (IOV-JWT) handler receives once the envelope has verified the request. */
export interface SignedContext {
  /** The `iss` claim as sent, e.g. `org:<uuid>`. */
  issuerId: string;
  issuer: Entity;
  /** Id of the issuer's key that signed the request (see EmulatorState.responseKey). */
  signingKeyId: string;
  subject: Entity;
  params: Record<string, string>;
  /** The decrypted JSON body, or undefined when the request had none. */
  body: Record<string, unknown> | undefined;
}

/** What a signed handler answers; a non-undefined body is encrypted to the issuer. */
export interface SignedResult {
  status: number;
  body?: unknown;
}

export type SignedHandler = (ctx: SignedContext) => SignedResult | Promise<SignedResult>;

/** What a plain (public or control) handler receives. */
export interface PlainContext {
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  rawBody: Buffer;
}

/** A plain answer: JSON (`json`), text (`text`) or bytes (`body`, with its Content-Type) and optional headers. */
export interface PlainResult {
  status: number;
  json?: unknown;
  text?: string;
  body?: Buffer;
  headers?: Record<string, string>;
}

export type PlainHandler = (ctx: PlainContext) => PlainResult | Promise<PlainResult>;

export type RouteHandler =
  { kind: 'signed'; subjectKind: EntityKind; handler: SignedHandler } | { kind: 'plain'; handler: PlainHandler };

interface Route {
  method: string;
  segments: string[];
  name: string;
  target: RouteHandler;
}

export interface RouteMatch {
  name: string;
  target: RouteHandler;
  params: Record<string, string>;
}

function split(path: string): string[] {
  return path.split('/').slice(1);
}

export class RouteTable {
  private readonly routes: Route[] = [];

  /** A route answered by a handler behind the IOV-JWT envelope, for subjects of one kind. */
  signed(method: string, pattern: string, subjectKind: EntityKind, handler: SignedHandler): this {
    return this.add(method, pattern, { kind: 'signed', subjectKind, handler }, handler.name);
  }

  /** A route answered in plain HTTP (public endpoints, control API, phone page). */
  plain(method: string, pattern: string, handler: PlainHandler): this {
    return this.add(method, pattern, { kind: 'plain', handler }, handler.name);
  }

  private add(method: string, pattern: string, target: RouteHandler, name: string): this {
    this.routes.push({ method, segments: split(pattern), name: name || pattern, target });
    return this;
  }

  /** The route for a method and raw path (no query), or undefined. */
  match(method: string, path: string): RouteMatch | undefined {
    const actual = split(path);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== actual.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((segment, i) => {
        const value = actual[i] ?? '';
        if (!segment.startsWith(':')) return segment === value;
        if (value.length === 0) return false;
        try {
          params[segment.slice(1)] = decodeURIComponent(value);
        } catch {
          return false;
        }
        return true;
      });
      if (ok) return { name: route.name, target: route.target, params };
    }
    return undefined;
  }
}
