import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/auth/api-keys.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { waitFor } from '../support/mailbox.js';

/** A cohort's partnerships from one CSV file, through the API on the real stack: all or none, every mistake named. */
const stack: ApiStack = useApiStack('tandem-import');
const fixture = (name: string) => readFile(path.resolve(import.meta.dirname, '../fixtures', name), 'utf8');

interface Problem {
  detail: string;
  errors: { path: string; message: string }[];
}

describe('creating a cohort from a CSV file', () => {
  let cohortId: string;
  let coordinator: string;
  beforeAll(async () => {
    cohortId = (await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Front Range cohort' })).json.id;
    coordinator = (await createApiKey(stack.database.db, { name: 'coordinator', role: 'coordinator', cohortId })).secret;
  });

  it('names every mistake of a bad file by line and column, and writes nothing', async () => {
    const res = await stack.call<Problem>(coordinator, 'POST', `/cohorts/${cohortId}/partnership-imports`, {
      csv: await fixture('cohort-partnerships-bad.csv'),
    });
    expect(res.status, res.text).toBe(400);
    expect(res.json.detail).toMatch(/nothing was created/);
    const where = res.json.errors.map((e) => e.path);
    expect(where).toEqual(
      expect.arrayContaining([
        'line 2, time_zone',
        'line 3, first_review_at',
        'line 4, engagement_pathway',
        'line 4, district_lead',
        'line 4, recurrence_rule',
      ]),
    );
    expect(res.json.errors.find((e) => e.path === 'line 3, first_review_at')?.message).toBe('must be in the future');
    expect(await stack.database.db.partnership.count({ where: { cohortId } })).toBe(0);
    expect(await stack.database.db.organization.count({ where: { name: { in: ['Cedar USD', 'Dune USD', 'Elm USD'] } } })).toBe(0);

    const header = await stack.call<Problem>(coordinator, 'POST', `/cohorts/${cohortId}/partnership-imports`, {
      csv: 'name,district,partner,time_zone,colour\nA,B,C,UTC,red\n',
    });
    expect(header.status).toBe(400);
    expect(header.json.errors[0]).toEqual({ path: 'line 1, colour', message: expect.stringMatching(/is not a column Tandem knows/) });
  });

  it('checks a good file without writing (dry run), then creates every partnership with its workflow', async () => {
    const csv = await fixture('cohort-partnerships.csv');
    const dry = await stack.call<{ dryRun: boolean; partnerships: { line: number; name: string; firstReview: string; members: number }[] }>(
      coordinator,
      'POST',
      `/cohorts/${cohortId}/partnership-imports`,
      { csv, dryRun: true },
    );
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json.partnerships.map((p) => [p.line, p.name, p.members])).toEqual([
      [2, 'Aspen literacy', 5],
      [3, 'Basin math', 3],
    ]);
    expect(dry.json.partnerships[0]?.firstReview).toMatch(/^\d{4}-\d\d-\d\d 15:30 M[SD]T$/);
    expect(await stack.database.db.partnership.count({ where: { cohortId } })).toBe(0);

    // Another cohort's coordinator may not; a partner key may not.
    const other = (await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Other cohort' })).json.id;
    const stranger = (await createApiKey(stack.database.db, { name: 'other', role: 'coordinator', cohortId: other })).secret;
    expect((await stack.call(stranger, 'POST', `/cohorts/${cohortId}/partnership-imports`, { csv })).status).toBe(404);

    const created = await stack.call<{ partnerships: { id: string; name: string }[] }>(
      coordinator,
      'POST',
      `/cohorts/${cohortId}/partnership-imports`,
      { csv },
    );
    expect(created.status, created.text).toBe(201);
    const rows = await stack.database.db.partnership.findMany({
      where: { cohortId },
      include: { members: { include: { person: true } }, district: true },
      orderBy: { name: 'asc' },
    });
    expect(rows.map((p) => [p.name, p.district.name, p.engagementPathway, p.evidenceRubric, p.members.length])).toEqual([
      ['Aspen literacy', 'Aspen USD', 'whole_school', ['Names the grade and the date', 'Shows student work'], 5],
      ['Basin math', 'Basin SD', 'pilot', [], 3],
    ]);
    expect(rows[0]?.members.find((m) => m.person.email === 'dee@aspen.example')?.role).toBe('participant');
    for (const p of created.json.partnerships) {
      await waitFor(`${p.name}'s workflow to plan its first review`, async () => {
        const live = await stack.call<{ nextReviewAt: string | null }>(coordinator, 'GET', `/partnerships/${p.id}/live`);
        return live.status === 200 && live.json.nextReviewAt;
      });
    }
  });
});
