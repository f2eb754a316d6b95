// `npm run build`: compiles everything to dist/ and prebuilds the workflow bundle, so that
// production runs `node dist/scripts/tandem.js api|worker|migrate` without TypeScript or webpack.
import { spawnSync } from 'node:child_process';
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundle } from '../lib/temporal/bundle.js';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const started = Date.now();
const say = (m: string) => console.log(`[build] ${m} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

try {
  await rm(dist, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error(`tsc failed (exit ${tsc.status})`);
  say('compiled TypeScript to dist/');

  // lib/db/migrate.ts finds the migrations relative to itself, web/app.tsx its assets.
  await cp(path.join(root, 'prisma/migrations'), path.join(dist, 'prisma/migrations'), { recursive: true });
  await cp(path.join(root, 'web/assets'), path.join(dist, 'web/assets'), { recursive: true });
  say('copied prisma/migrations and web/assets');

  // Bundled from the compiled workflows, so the bundle is exactly the JavaScript that ships.
  const { code } = await bundle(path.join(dist, 'workflows/index.js'));
  await writeFile(path.join(dist, 'workflow-bundle.js'), code);
  say(`bundled the workflows (${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB)`);
} catch (e) {
  console.error(`[build] failed: ${(e as Error).message}`);
  process.exit(1);
}
