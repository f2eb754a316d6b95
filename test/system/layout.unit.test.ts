import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');
const config = path.join(root, '.dependency-cruiser.cjs');

function cruise(cwd: string, ...paths: string[]) {
  const run = spawnSync(depcruise, ['--config', config, '--output-type', 'err', ...paths], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the layout rules that npm run lint checks', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  async function tree(files: Record<string, string>) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-layout-'));
    dirs.push(dir);
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    );
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    return dir;
  }

  it('hold for the project as it is', () => {
    const run = cruise(root, 'lib', 'workflows', 'core', 'activities', 'api', 'web', 'boot', 'scripts', 'bench');
    expect(run.output).not.toMatch(/error/);
    expect(run.status).toBe(0);
  });

  it('refuse an import cycle', async () => {
    const dir = await tree({
      'api/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'api/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    const run = cruise(dir, 'api');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/no-circular/);
  });

  it('refuse folders that loop, though no file imports itself back: a type-only import counts', async () => {
    const dir = await tree({
      'core/reviews/plan.ts': "import { due } from '../deadlines/due.js';\nexport const plan = () => due;\n",
      'core/deadlines/due.ts': 'export const due = 1;\n',
      'core/deadlines/create.ts': "import type { Plan } from '../reviews/types.js';\nexport const create = (p: Plan) => p;\n",
      'core/reviews/types.ts': 'export type Plan = number;\n',
    });
    const run = cruise(dir, 'core');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/no-folder-cycles/);
    expect(run.output).not.toMatch(/no-circular:/);
  });

  it('refuse a page calling into the API, while each keeps its own files', async () => {
    const dir = await tree({
      'api/reviews/import.ts': "import { parse } from './parse.js';\nexport const importRoute = parse;\n",
      'api/reviews/parse.ts': 'export const parse = 1;\n',
      'web/reviews/import.tsx': "import { importRoute } from '../../api/reviews/import.js';\nexport const page = importRoute;\n",
    });
    const run = cruise(dir, 'api', 'web');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/pages-and-routes-are-siblings: web\/reviews\/import\.tsx → api\/reviews\/import\.ts/);
    expect(run.output).not.toMatch(/api\/reviews\/import\.ts → api\/reviews\/parse\.ts/);
  });

  it('refuse lib/ importing from a layer above it, and workflows importing activity code', async () => {
    const dir = await tree({
      'lib/config.ts': "import { route } from '../api/route.js';\nexport const c = route;\n",
      'api/route.ts': 'export const route = 1;\n',
      'activities/send.ts': 'export const send = () => 1;\n',
      'workflows/flow.ts': "import { send } from '../activities/send.js';\nexport const flow = send;\n",
    });
    const run = cruise(dir, 'lib', 'api', 'activities', 'workflows');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/lib-is-infrastructure/);
    expect(run.output).toMatch(/workflows-declare-their-activities/);
  });
});
