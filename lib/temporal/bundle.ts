import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

// Compiled (dist/), this module is .js and the workflows next to it too; from source it is .ts.
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const WORKFLOWS_PATH = fileURLToPath(new URL(`../../workflows/index.${extension}`, import.meta.url));
/** Where `npm run build` writes the bundle: dist/workflow-bundle.js. */
const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));

let cached: Promise<WorkflowBundleOption> | undefined;

/**
 * The compiled build runs the bundle made at build time, so a production worker starts in a second
 * and runs exactly the code that was shipped; from source it is built once per process and shared by
 * every worker in it (bundling takes seconds).
 */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  cached ??=
    extension === 'js'
      ? Promise.resolve().then(() => {
          if (!existsSync(PREBUILT_BUNDLE_PATH)) throw new Error(`no workflow bundle at ${PREBUILT_BUNDLE_PATH}; run npm run build`);
          return { codePath: PREBUILT_BUNDLE_PATH };
        })
      : bundle();
  return cached;
}

/** Temporal's OpenTelemetry workflow interceptors: a workflow's spans continue the trace of the request that started or updated it. */
const TRACING_INTERCEPTORS = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export function bundle(workflowsPath = WORKFLOWS_PATH) {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [TRACING_INTERCEPTORS], logger: quietBundlerLogger });
}

const noop = () => {};
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
