import { z } from 'zod';
import { route, tagged } from '../http/route.js';

const stuckSchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    activityId: z.string(),
    activityType: z.string(),
    local: z.boolean(),
    attempt: z.number().int(),
    lastError: z.string(),
    firstFailedAt: z.string(),
    lastFailedAt: z.string(),
  })
  .meta({ id: 'StuckActivity' });

/** Work that keeps failing and is still being retried: what the installation's admin looks into. */
export const stuckRoutes = tagged('Operations', [
  route('GET /stuck-work', {
    operationId: 'listStuckWork',
    summary: 'List work that keeps failing',
    description:
      'Every activity that has failed three attempts or more and is still being retried (with backoff, up to 5 minutes apart), oldest first, with its last error and its workflow. Data the database refuses is not retried (it fails at once and reaches whoever asked), so what is listed here waits on something else: a dependency down, a bug.',
    access: 'admin',
    responses: { 200: { description: 'The stuck work', schema: z.object({ items: z.array(stuckSchema) }) } },
    async handle({ deps }) {
      const rows = await deps.db.stuckActivity.findMany({ orderBy: { firstFailedAt: 'asc' }, take: 500 });
      return {
        body: {
          items: rows.map((r) => ({
            ...r,
            firstFailedAt: r.firstFailedAt.toISOString(),
            lastFailedAt: r.lastFailedAt.toISOString(),
          })),
        },
      };
    },
  }),
]);
