/**
 * Spans through OpenTelemetry's API, when there is one (otel.ts): a small handle that sets the
 * attributes known at the end and never throws. Attributes are what the caller passes, so the
 * callers own the privacy rule (docs/security.md, "Audit events"): no token, key, body or session
 * id is ever given to a span.
 */
import type { Span, SpanKind } from '@opentelemetry/api';

import { instruments, type OtelApi } from './otel.js';

/** Span and metric attributes; `undefined` values are left out. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** An open span. */
export interface SpanHandle {
  /** Ends the span with `attributes` added; `failed` sets its status to error. Once; never throws. */
  end(attributes: Attributes, failed: boolean): void;
}

type Kind = 'client' | 'server' | 'internal';

/** The attributes without their `undefined` values. */
export function defined(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) out[name] = value;
  return out;
}

const NO_SPAN: SpanHandle = { end: () => undefined };

function kindOf(api: OtelApi, kind: Kind): SpanKind {
  return kind === 'client' ? api.SpanKind.CLIENT : kind === 'server' ? api.SpanKind.SERVER : api.SpanKind.INTERNAL;
}

function handle(api: OtelApi, span: Span): SpanHandle {
  let ended = false;
  return {
    end(attributes, failed) {
      if (ended) return;
      ended = true;
      try {
        span.setAttributes(defined(attributes));
        if (failed) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      } catch {
        // A failing SDK loses the span, nothing else.
      }
    },
  };
}

/** Starts a span (a child of the active one); a no-op handle without the API. */
export function startSpan(name: string, kind: Kind, attributes: Attributes): SpanHandle {
  const i = instruments();
  if (i === undefined) return NO_SPAN;
  try {
    return handle(i.api, i.tracer.startSpan(name, { kind: kindOf(i.api, kind), attributes: defined(attributes) }));
  } catch {
    return NO_SPAN;
  }
}

/**
 * Runs `work` inside a new span, made the active one while it runs (so the spans of an HTTP
 * instrumentation, when the application has one, nest under it). The span is ended by `work`'s
 * caller through the handle.
 */
export function withSpan<T>(
  name: string,
  kind: Kind,
  attributes: Attributes,
  work: (span: SpanHandle) => Promise<T>,
): Promise<T> {
  const i = instruments();
  if (i === undefined) return work(NO_SPAN);
  let span: Span;
  try {
    span = i.tracer.startSpan(name, { kind: kindOf(i.api, kind), attributes: defined(attributes) });
  } catch {
    return work(NO_SPAN);
  }
  const open = handle(i.api, span);
  let active;
  try {
    active = i.api.trace.setSpan(i.api.context.active(), span);
  } catch {
    return work(open);
  }
  return i.api.context.with(active, () => work(open));
}
