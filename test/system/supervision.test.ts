import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from '../../boot/system.js';
import { type Config, loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { embeddedSettings } from '../support/embedded.js';
import { waitFor } from '../support/mailbox.js';

/**
 * `npm start` keeps its embedded services running: PostgreSQL or the Temporal dev server killed
 * outright (SIGKILL, as the OOM killer or a stray `kill -9` would) is started again by itself, and
 * Tandem recovers without anyone restarting it: meanwhile it answers 503, after it works.
 */
describe('the embedded services, killed under npm start', () => {
  let dataDir: string;
  let config: Config;
  let system: RunningSystem;
  const warnings: string[] = [];
  const logger = createLogger('silent', 'tandem-test');
  const api = (p: string, init?: RequestInit) =>
    fetch(`${system.apiUrl}${p}`, { ...init, headers: { authorization: `Bearer ${system.adminKey}`, ...init?.headers } });
  let n = 0;
  const create = () => {
    n += 1;
    return api('/partnerships', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `Kept running ${n}`,
        district: { name: 'Kept USD' },
        partner: { name: 'Kept Partners' },
        timeZone: 'America/Chicago',
        firstReviewAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        members: [{ name: 'Ana Diaz', email: `ana.${n}@kept.example`, role: 'district_lead' }],
      }),
    });
  };
  const pidIn = async (file: string) => Number((await readFile(file, 'utf8')).split('\n')[0]);

  beforeAll(async () => {
    const settings = await embeddedSettings('tandem-supervised-');
    dataDir = settings.DATA_DIR as string;
    config = loadConfig(settings);
    logger.warn = ((m: unknown) => void warnings.push(String(m))) as never;
    system = await startSystem(config, logger, () => {});
  });
  afterAll(async () => {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** After a crash: a partnership can be created again, and its workflow plans its review. */
  async function carriesOn() {
    const res = await waitFor('a partnership to be created again', async () => {
      const r = await create();
      return r.status === 201 ? r : undefined;
    });
    const { id } = (await res.json()) as { id: string };
    await waitFor('its workflow to plan the review', async () => {
      const live = await api(`/partnerships/${id}/live`);
      return live.status === 200 && ((await live.json()) as { currentReview: unknown }).currentReview !== null;
    });
  }

  it('starts PostgreSQL again when it dies, and the API and worker carry on', async () => {
    expect((await create()).status).toBe(201);
    process.kill(await pidIn(path.join(dataDir, 'postgres', 'postmaster.pid')), 'SIGKILL');
    await waitFor('PostgreSQL to be started again', async () => warnings.some((w) => /PostgreSQL is running again/.test(w)));
    await carriesOn();
  });

  it('starts the Temporal dev server again when it dies, and the API and worker carry on', async () => {
    process.kill(await pidIn(path.join(dataDir, 'temporal', 'temporal.db.pid')), 'SIGKILL');
    await waitFor('the dev server to be started again', async () => warnings.some((w) => /Temporal dev server is running again/.test(w)));
    await carriesOn();
    const health = (await (await api('/health')).json()) as { status: string };
    expect(health.status).toBe('up');
  });
});
