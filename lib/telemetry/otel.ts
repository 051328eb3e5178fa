/**
 * OpenTelemetry's API, when the application has it (docs/architecture.md, "Telemetry").
 *
 * `@opentelemetry/api` is an optional peer dependency: an application that installed it (and
 * registered an SDK) gets this package's metrics and spans; one that did not loses nothing. So it is
 * never imported statically: it is required once, on first use, through `createRequire` in a
 * try/catch. That is synchronous (the strategy is constructed synchronously, and the first use can
 * be inside it) and it resolves the application's own copy, whose globals its SDK registered on.
 * Without an SDK the API answers with its no-op meter and tracer, which cost next to nothing.
 *
 * Meters are not proxies in the API: one taken before the SDK was registered stays a no-op. So
 * instruments are made per meter provider and made again when the global provider changes (an SDK
 * registered after the strategy was built, or a test that swapped it).
 */
import { createRequire } from 'node:module';

import type * as Api from '@opentelemetry/api';

import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';

/** The API module, as this package uses it. */
export type OtelApi = typeof Api;

let loaded: OtelApi | null | undefined;

/** The application's `@opentelemetry/api`, or `undefined` when it is not installed. */
export function otelApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** The instruments of one meter provider, and the tracer. */
export interface Instruments {
  api: OtelApi;
  tracer: Api.Tracer;
  /** Every audit event, by name and a few bounded attributes. */
  events: Api.Counter;
  /** From the device's answer being recorded to the completion that logged the user in, in seconds. */
  approveToLogin: Api.Histogram;
  /** One signed API call, end to end (clock, key, seal, send, verify, decrypt), in seconds. */
  apiDuration: Api.Histogram;
  /** Audit listener failures (the first is also reported to `onError`). */
  auditFailures: Api.Counter;
}

/**
 * Bucket bounds for durations in seconds, from 5 ms to 10 s: OpenTelemetry's recommendation for
 * HTTP durations (the SDK's default bounds are made for milliseconds).
 */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

let cached:
  { meterProvider: Api.MeterProvider; tracerProvider: Api.TracerProvider; instruments: Instruments } | undefined;

/**
 * The instruments for the current global providers, or `undefined` without the API. Never throws:
 * a failing SDK must not fail a login, so it only loses its telemetry.
 */
export function instruments(): Instruments | undefined {
  const api = otelApi();
  if (api === undefined) return undefined;
  try {
    const meterProvider = api.metrics.getMeterProvider();
    const tracerProvider = api.trace.getTracerProvider();
    if (cached?.meterProvider === meterProvider && cached.tracerProvider === tracerProvider) return cached.instruments;
    const meter = meterProvider.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
    const instruments: Instruments = {
      api,
      tracer: tracerProvider.getTracer(PACKAGE_NAME, PACKAGE_VERSION),
      events: meter.createCounter('launchkey.events', {
        description: 'Audit events of passport-launchkey, by event name (launchkey.event)',
        unit: '{event}',
      }),
      approveToLogin: meter.createHistogram('launchkey.login.approve_to_login.duration', {
        description: "Time from the device's answer being recorded to the completion that logged the user in",
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
      apiDuration: meter.createHistogram('launchkey.api.request.duration', {
        description: 'Duration of one signed LaunchKey API call (clock, key, seal, send, verify, decrypt)',
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
      auditFailures: meter.createCounter('launchkey.audit.listener_failures', {
        description: 'Audit events the application listener failed on (threw, rejected, or too many pending)',
        unit: '{event}',
      }),
    };
    cached = { meterProvider, tracerProvider, instruments };
    return instruments;
  } catch {
    return undefined;
  }
}

/** Runs `use` with the instruments, if any; whatever it throws is dropped (telemetry never fails a login). */
export function record(use: (i: Instruments) => void): void {
  const i = instruments();
  if (i === undefined) return;
  try {
    use(i);
  } catch {
    // A failing SDK loses its telemetry, nothing else.
  }
}
