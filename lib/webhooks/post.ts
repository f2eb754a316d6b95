import https from 'node:https';
import tls from 'node:tls';
import { RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface PostOptions {
  /** How long to wait for the whole answer. */
  timeoutMs: number;
  /**
   * Let requests reach private and loopback addresses (a district's endpoint on its own network,
   * or a test's receiver). Off by default: a subscriber must not make Tandem call inside its own
   * network (SSRF); the address is checked after DNS, so a name that resolves inside is refused too.
   */
  allowPrivateAddresses: boolean;
  /** Extra certificate authorities (PEM) to trust besides the system's. */
  ca?: string | undefined;
}

export interface PostAnswer {
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  /** The answer's body (its first 1,000 characters), or why there was none. */
  body: string;
  durationMs: number;
}

const MAX_BODY = 1000;

/** One agent per set of options: connections to a subscriber's endpoint are kept alive between deliveries. */
export function createPoster(opts: PostOptions) {
  const agent = new RequestFilteringHttpsAgent({
    keepAlive: true,
    allowPrivateIPAddress: opts.allowPrivateAddresses,
    // A `ca` replaces the system's authorities, so they are given with it.
    ...(opts.ca && { ca: [...tls.rootCertificates, opts.ca] }),
  });
  /** POSTs a JSON body over HTTPS; never throws (an error is an answer without a status). */
  return function post(url: string, body: string, headers: Record<string, string>): Promise<PostAnswer> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (a: Omit<PostAnswer, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...a, durationMs: took() });
      };
      let req: ReturnType<typeof https.request>;
      try {
        req = https.request(url, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'user-agent': 'Tandem-Webhooks/1', ...headers },
          timeout: opts.timeoutMs,
        });
      } catch (e) {
        settle({ status: null, body: (e as Error).message });
        return;
      }
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', (e) => {
        clearTimeout(timer);
        settle({ status: null, body: e.message });
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          // Only the start is kept; the rest is read and dropped so the connection can be reused.
          if (text.length < MAX_BODY) text += chunk;
        });
        res.on('end', () => {
          clearTimeout(timer);
          settle({ status: res.statusCode ?? null, body: text.slice(0, MAX_BODY) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          settle({ status: null, body: e.message });
        });
      });
      req.end(body);
    });
  };
}

export type Post = ReturnType<typeof createPoster>;
