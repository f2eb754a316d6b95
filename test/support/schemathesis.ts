import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * The schemathesis CLI (`st`), a test tool from PyPI, in a virtualenv of its own under `toolsDir`;
 * installed on first use. Python only installs it: nothing of Tandem runs on Python.
 */
export async function resolveSchemathesis(toolsDir: string, say: (m: string) => void): Promise<string> {
  const venv = path.join(toolsDir, `schemathesis-${SCHEMATHESIS_VERSION}`);
  const st = path.join(venv, 'bin', 'st');
  if (existsSync(st)) return st;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv}`);
  await run('python3', ['-m', 'venv', venv]);
  await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return st;
}

export interface FuzzSummary {
  /** Requests schemathesis sent. */
  requests: number;
  /** How many answered with each status. */
  statuses: Record<number, number>;
  /** The 5xx answers: method, path, status. */
  serverErrors: string[];
  /** Where the requests went (scheme, host and port). */
  origins: string[];
}

/** What a run's NDJSON report says was sent and answered. */
export function summarize(ndjson: string): FuzzSummary {
  const summary: FuzzSummary = { requests: 0, statuses: {}, serverErrors: [], origins: [] };
  const origins = new Set<string>();
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as {
      ScenarioFinished?: {
        recorder: { interactions: Record<string, { request: { method: string; uri: string }; response?: { status_code: number } | null }> };
      };
    };
    for (const i of Object.values(event.ScenarioFinished?.recorder.interactions ?? {})) {
      if (!i.response) continue;
      summary.requests++;
      origins.add(new URL(i.request.uri).origin);
      const status = i.response.status_code;
      summary.statuses[status] = (summary.statuses[status] ?? 0) + 1;
      if (status >= 500) summary.serverErrors.push(`${i.request.method} ${new URL(i.request.uri).pathname}: ${status}`);
    }
  }
  summary.origins = [...origins];
  return summary;
}
