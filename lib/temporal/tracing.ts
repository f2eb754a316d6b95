import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import { tracing } from '../tracing.js';

/**
 * What every worker of the workflow bundle (lib/temporal/bundle.ts, which carries Temporal's
 * OpenTelemetry workflow interceptors) needs: the sink its workflow spans leave by, and the activity
 * interceptors that continue the workflow's trace in each activity. Without OTEL_EXPORTER_OTLP_ENDPOINT
 * the spans go nowhere.
 */
export function tracingWorkerOptions(): { sinks: NonNullable<WorkerOptions['sinks']>; activityInterceptors: ActivityInterceptorsFactory } {
  const { processor, resource } = tracing();
  return {
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    activityInterceptors: (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
  };
}
