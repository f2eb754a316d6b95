import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = path.resolve(import.meta.dirname, '../histories');

/**
 * With RECORD_HISTORIES=1 (`npm run histories:record`), saves the workflow's history under
 * test/histories/<workflow type>/<name>.json, for the replay test to hold every later version of
 * the workflow code to. An existing file is never overwritten: give a new behaviour a new name.
 * (historyToJSON needs @temporalio/common and @temporalio/proto to share one protobufjs copy; the
 * root devDependency on protobufjs 8 is there to make npm hoist it.)
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const { type } = await handle.describe();
  const dir = path.join(HISTORIES_DIR, type);
  await mkdir(dir, { recursive: true });
  // 'wx' fails on an existing file: a recorded history is what running workflows have, and
  // overwriting it with the current code's behaviour would make the replay test prove nothing.
  await writeFile(path.join(dir, `${name}.json`), `${historyToJSON(await handle.fetchHistory())}\n`, { flag: 'wx' }).catch(
    (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    },
  );
}

export async function loadHistories(): Promise<{ workflowId: string; file: string; history: ReturnType<typeof historyFromJSON> }[]> {
  const out = [];
  for (const type of (await readdir(HISTORIES_DIR, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const file of (await readdir(path.join(HISTORIES_DIR, type.name))).filter((f) => f.endsWith('.json')).sort()) {
      const json = JSON.parse(await readFile(path.join(HISTORIES_DIR, type.name, file), 'utf8'));
      out.push({ workflowId: `${type.name}/${file}`, file: `${type.name}/${file}`, history: historyFromJSON(json) });
    }
  }
  return out;
}
