import { personZone } from '../../core/people/zone.js';
import { ForbiddenError } from '../../lib/errors.js';
import { localTime } from '../http/format.js';
import type { Outcome, PageContext } from '../http/pages.js';

/** The installation admin's list of work that keeps failing (the same rows as GET /stuck-work). */
export async function stuckPage({ deps, me }: PageContext): Promise<Outcome> {
  if (!me.isAdmin) throw new ForbiddenError("Only the installation's admin sees the work that keeps failing");
  const zone = await personZone(deps.db, me.id);
  const rows = await deps.db.stuckActivity.findMany({ orderBy: { firstFailedAt: 'asc' }, take: 500 });
  return {
    title: 'Stuck work',
    body: (
      <>
        <h1>Work that keeps failing</h1>
        <p>
          Each step below has failed three attempts or more and is still being retried, up to five minutes apart. Data the database refuses
          is never retried: it fails at once and its sender is told. What is listed here waits on something else, such as a dependency that
          is down.
        </p>
        {rows.length === 0 ? (
          <p>Nothing is stuck.</p>
        ) : (
          <div class="table-scroll">
            <table>
              <caption>{rows.length} stuck</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Workflow</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Failing since</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.workflowId}/${r.activityId}`}>
                    <td>{r.activityType}</td>
                    <td>
                      <code>{r.workflowId}</code>
                    </td>
                    <td>{r.attempt}</td>
                    <td>{localTime(r.firstFailedAt, zone)}</td>
                    <td>{r.lastError}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
  };
}
