/**
 * What the audit and telemetry specs observe: an audit listener that records every event and lets
 * a spec wait for one (on its arrival, never on a clock), and OpenTelemetry's in-memory exporters
 * registered as the global providers for the length of a suite.
 */
import { metrics, trace } from '@opentelemetry/api';
import {
  InMemoryMetricExporter,
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

import type { AuditEvent, AuditEventName } from '../../lib/passport/index.js';

type Waiter = { match: (event: AuditEvent) => boolean; resolve: (event: AuditEvent) => void };

/** An audit listener that keeps every event it is given. */
export class AuditRecorder {
  readonly events: AuditEvent[] = [];
  private _waiters: Waiter[] = [];

  /** The listener to give as the strategy's `audit` option. */
  readonly listener = (event: AuditEvent): void => {
    this.events.push(event);
    this._waiters = this._waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  /**
   * The first event named `name` (matching `where`), already recorded or still to come. Events reach
   * the listener on a later turn of the event loop than the answer, so a spec waits for them.
   */
  next(name: AuditEventName, where: (event: AuditEvent) => boolean = () => true): Promise<AuditEvent> {
    const match = (event: AuditEvent): boolean => event.event === name && where(event);
    const found = this.events.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this._waiters.push({ match, resolve }));
  }

  /** The names of the recorded events, in order. */
  names(): string[] {
    return this.events.map((e) => e.event);
  }
}

/** The global OpenTelemetry providers of a suite, with in-memory exporters. */
export interface Telemetry {
  /** Collects the metrics recorded so far (cumulative). */
  metrics(): Promise<MetricData[]>;
  /** The spans ended so far. */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  resetSpans(): void;
  /** Unregisters the providers. */
  close(): Promise<void>;
}

/** Registers a meter and a tracer provider with in-memory exporters as the global ones. */
export function registerTelemetry(): Telemetry {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when asked (forceFlush); the interval is there because the reader requires one.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    async metrics() {
      metricExporter.reset();
      await reader.forceFlush();
      return metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    },
    spans: () => spanExporter.getFinishedSpans(),
    resetSpans: () => {
      spanExporter.reset();
    },
    async close() {
      metrics.disable();
      trace.disable();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** The data points of the metric named `name` (none when it was never recorded). */
export function pointsOf(all: MetricData[], name: string): DataPoint<number | Histogram>[] {
  return all.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]);
}

/** The sum of a counter's points whose attributes include `attributes`. */
export function counted(all: MetricData[], name: string, attributes: Record<string, unknown>): number {
  return pointsOf(all, name)
    .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (p.value as number), 0);
}
