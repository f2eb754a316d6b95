// One autocannon run, in a process of its own so that the load it makes does not share an event loop
// with the server it measures. Called by bench/load.ts with a JSON job on stdin; prints the
// result as one JSON line.
import { text } from 'node:stream/consumers';
import autocannon from 'autocannon';

interface Job {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  /** Paths taken in turn, one per request. */
  paths?: string[];
  /**
   * A body per request, with `{{n}}` replaced by the request's number, `{{k}}` by the number of its
   * path in `paths`, and `{{spread}}` by a whole number going from `spread.from` (first request) to
   * `spread.to` (last), e.g. seconds before a review at which to remind.
   */
  body?: string;
  spread?: { from: number; to: number };
  /** Exactly this many requests, then stop. */
  amount?: number;
  /** Seconds of the same requests first, not counted (autocannon's warm-up). */
  warmup?: number;
}

const job = JSON.parse(await text(process.stdin)) as Job;
let n = 0;
/** The first refusal, to say why a run failed. */
let firstRefusal: string | undefined;
const result = await autocannon({
  url: job.url,
  // autocannon refuses more connections than requests (a small BENCH_PARTNERSHIPS).
  connections: Math.min(job.connections, job.amount ?? job.connections),
  ...(job.amount ? { amount: job.amount } : { duration: job.duration }),
  ...(job.warmup && { warmup: { connections: job.connections, duration: job.warmup } }),
  headers: job.headers,
  method: job.method ?? 'GET',
  requests: [
    {
      setupRequest: (req) => {
        const i = n++;
        const path = job.paths ? job.paths[i % job.paths.length] : req.path;
        const total = job.amount ?? job.paths?.length ?? 1;
        const spread = job.spread ? Math.round(job.spread.from + ((job.spread.to - job.spread.from) * i) / total) : 0;
        const body = job.body
          ?.replaceAll('{{n}}', String(i))
          .replaceAll('{{k}}', String(i % (job.paths?.length ?? 1)))
          .replaceAll('{{spread}}', String(spread));
        return { ...req, path, ...(body !== undefined && { body }) };
      },
      onResponse: (status, body) => {
        if (status >= 300 && firstRefusal === undefined) firstRefusal = `${status} ${String(body).slice(0, 300)}`;
      },
    },
  ],
});
console.log(
  JSON.stringify({
    requests: result.requests.total,
    perSecond: result.requests.total / (result.duration || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    firstRefusal,
  }),
);
