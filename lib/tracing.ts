import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';

/**
 * OpenTelemetry traces: from an HTTP request through the workflow it starts or updates and the
 * activities that workflow runs, to the SMTP send (Temporal's OpenTelemetry interceptors carry the
 * context in the workflow's and activities' headers). Exported by OTLP over HTTP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the standard OTEL_* variables itself);
 * otherwise spans are not recorded at all. Once a process, before the first request or worker.
 */
export interface Tracing {
  /** Where the worker's workflow spans go (they are made inside the workflow sandbox and handed out by a sink). */
  processor: SpanProcessor;
  resource: Resource;
  enabled: boolean;
  /** Sends what is still buffered. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

const untraced = (serviceName: string): Tracing => ({
  processor: new NoopSpanProcessor(),
  resource: new Resource({ 'service.name': serviceName }),
  enabled: false,
  shutdown: async () => {},
});

export function startTracing(serviceName: string, endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT): Tracing {
  if (current) return current;
  if (!endpoint) {
    current = untraced(serviceName);
    return current;
  }
  const resource = new Resource({ 'service.name': serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager and W3C trace context propagation (traceparent).
  provider.register();
  current = { processor, resource, enabled: true, shutdown: () => provider.shutdown() };
  return current;
}

const notStarted = untraced('tandem');
/**
 * The tracing of this process: what startTracing made, or nothing recorded. Asking before
 * startTracing does not settle it: a later startTracing still turns tracing on.
 */
export const tracing = (): Tracing => current ?? notStarted;

export const tracer = () => trace.getTracer('tandem');

/** The current trace and span, for log lines (lib/logger.ts). */
export function traceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
}

/**
 * A server span for each request, continuing the caller's trace (traceparent), named by the route's
 * pattern once it is known. Hand-written: OpenTelemetry's http and express instrumentations patch
 * modules as they load, which for ES modules takes a loader flag on every start.
 */
export const traceRequests: RequestHandler = (req, res, next) => {
  if (!current?.enabled) return next();
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer().startSpan(
    req.method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
    parent,
  );
  res.on('finish', () => {
    const route = typeof req.route?.path === 'string' ? `${req.baseUrl}${req.route.path}` : undefined;
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};

/** Runs `fn` in a span of its own (a child of the current one), ended when it settles. */
export function inSpan<T>(name: string, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      throw e;
    } finally {
      span.end();
    }
  });
}
