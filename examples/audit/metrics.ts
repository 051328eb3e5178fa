// The OpenTelemetry SDK's metrics for examples/audit: a meter provider registered globally, which the
// strategy's metrics (launchkey.events, launchkey.login.approve_to_login.duration,
// launchkey.api.request.duration) reach through @opentelemetry/api, read every `intervalMs` and
// written as JSON lines by the app's logger. In production the exporter is the one your collector
// takes (OTLPMetricExporter from @opentelemetry/exporter-metrics-otlp-http, or a Prometheus reader);
// the rest stays as it is.
import { metrics } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';

/**
 * One JSON line per data point: the metric, its attributes and its value (a histogram's count and
 * sum). The SDK's ConsoleMetricExporter prints multi-line objects, which would break the JSON lines
 * the audit events are written as on the same stdout.
 */
class LoggerMetricExporter implements PushMetricExporter {
  constructor(private readonly logger: Logger) {}

  export(batch: ResourceMetrics, done: (result: ExportResult) => void): void {
    for (const scope of batch.scopeMetrics) {
      for (const metric of scope.metrics) {
        const { name, unit } = metric.descriptor;
        const points =
          metric.dataPointType === DataPointType.HISTOGRAM
            ? metric.dataPoints.map((p) => ({
                attributes: p.attributes,
                value: { count: p.value.count, sum: p.value.sum },
              }))
            : metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM
              ? metric.dataPoints.map((p) => ({
                  attributes: p.attributes,
                  value: { count: p.value.count, sum: p.value.sum },
                }))
              : metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }));
        for (const { attributes, value } of points)
          this.logger.info({ metric: name, unit, attributes, value }, 'metric');
      }
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Registers the SDK's meter provider globally; `shutdown()` exports a last time. */
export function startMetrics(logger: Logger, intervalMs: number): MeterProvider {
  const provider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new LoggerMetricExporter(logger),
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: Math.min(intervalMs, 30_000),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(provider);
  return provider;
}
