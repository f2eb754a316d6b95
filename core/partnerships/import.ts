import { createHash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { z } from 'zod';
import { isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { partnershipWorkflowId } from '../../workflows/ids.js';
import type { CoreDeps } from '../deps.js';
import { ianaTimeZone } from '../fields.js';
import type { Principal } from '../people/principal.js';
import { assertCoordinates, organizationScope, visibleCohortId } from '../people/rights.js';
import { firstReviewOf } from '../reviews/schedule.js';
import { checkNewPartnership, writePartnership } from './create.js';
import { type CreatePartnershipBody, createPartnershipBody } from './schemas.js';

/**
 * A cohort's partnerships created from one CSV file (one row each), all or none: every row is
 * checked first, and any mistake is named by line and column with nothing written; a dry run stops
 * there. The rows then go in one transaction, each starting its workflow; if one cannot, the
 * transaction rolls back and the workflows already started are terminated.
 */

/** A cohort is tens of partnerships; the request body is at most 256 KiB. */
export const IMPORT_MAX_ROWS = 500;
export const IMPORT_MAX_CHARS = 250_000;

/** The columns, as the README documents them; member cells hold `Name <email>`, several separated by `;`. */
export const IMPORT_COLUMNS = {
  name: 'The partnership’s name (required)',
  district: 'The district’s name, created if new (required)',
  partner: 'The partner organization’s name, created if new (required)',
  time_zone: 'IANA zone, e.g. America/Chicago (required)',
  first_review_at: 'Local date and time of the first review, e.g. 2027-01-12 15:30',
  recurrence_rule: 'RFC 5545 RRULE, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=TU;BYSETPOS=2',
  recurrence_start: 'Local date and time the recurrence starts from',
  reminder_offsets: 'ISO 8601 durations before each review, separated by ; (default P14D;P2D)',
  goals: 'What the partnership sets out to achieve',
  shared_framework: 'The framework both sides work from',
  engagement_pathway: 'introductory, pilot, whole_school or systemic',
  evidence_rubric: 'What submitted evidence is checked against: up to 8 criteria, separated by ;',
  planned_start: 'Local date (and time): it stays in planning until then',
  planned_end: 'Local date (and time): it completes by itself then',
  executive_sponsor: 'Name <email>',
  district_lead: 'Name <email> (at least one lead, district or partner)',
  partner_lead: 'Name <email>',
  district_participants: 'Name <email>; Name <email>',
  partner_participants: 'Name <email>; Name <email>',
} as const;

type Column = keyof typeof IMPORT_COLUMNS;
export type ImportRow = Partial<Record<Column, string>>;
type Row = ImportRow;

const MEMBER_COLUMNS = [
  ['executive_sponsor', 'executive_sponsor', undefined],
  ['district_lead', 'district_lead', undefined],
  ['partner_lead', 'partner_lead', undefined],
  ['district_participants', 'participant', 'district'],
  ['partner_participants', 'participant', 'partner'],
] as const;

/** Where a field of the request body comes from in the file. */
const COLUMN_OF: Record<string, Column> = {
  name: 'name',
  district: 'district',
  partner: 'partner',
  timeZone: 'time_zone',
  firstReviewAt: 'first_review_at',
  recurrence: 'recurrence_rule',
  reminderOffsets: 'reminder_offsets',
  goals: 'goals',
  sharedFramework: 'shared_framework',
  engagementPathway: 'engagement_pathway',
  evidenceRubric: 'evidence_rubric',
  plannedStart: 'planned_start',
  plannedEnd: 'planned_end',
};

export interface ImportIssue {
  line: number;
  column: string;
  message: string;
}

export interface ImportPlan {
  line: number;
  name: string;
  /** When the first review is, in the partnership's zone. */
  firstReview: string;
  members: number;
}

/** A local date or date-time in `zone` (or an instant with an offset) as an ISO instant. */
function localInstant(value: string, zone: string): string | null {
  const v = value.trim().replace(' ', 'T');
  const t = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? DateTime.fromISO(v, { setZone: true }) : DateTime.fromISO(v, { zone });
  return t.isValid ? (t.toUTC().toISO() as string) : null;
}

/** "Name <email>; Name <email>" */
function people(cell: string): { name: string; email: string }[] | null {
  const out = [];
  for (const part of cell
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(.+?)\s*<([^<>\s]+)>$/.exec(part);
    if (!m) return null;
    out.push({ name: (m[1] as string).trim(), email: m[2] as string });
  }
  return out;
}

/**
 * One row as the body of POST /partnerships, or the mistakes that keep it from being one (named by
 * column). The web's setup form uses the same columns; `extra` adds what a row has no column for.
 */
export function rowToPartnership(
  row: Row,
  line: number,
  cohortId: string | undefined,
  extra: { blackouts?: { start: string; end: string; label?: string }[] } = {},
): { body?: CreatePartnershipBody; issues: ImportIssue[]; memberColumn: Column[] } {
  const issues: ImportIssue[] = [];
  const zone = row.time_zone?.trim() || 'UTC';
  const instant = (column: Column) => {
    const value = row[column]?.trim();
    if (!value) return undefined;
    const at = localInstant(value, zone);
    if (!at) issues.push({ line, column, message: `"${value}" is not a date and time (e.g. 2027-01-12 15:30)` });
    return at ?? undefined;
  };
  const members: { name: string; email: string; role: string; side?: string }[] = [];
  const memberColumn: Column[] = [];
  for (const [column, role, side] of MEMBER_COLUMNS) {
    const cell = row[column]?.trim();
    if (!cell) continue;
    const found = people(cell);
    if (!found) {
      issues.push({ line, column, message: 'write each person as Name <email>, separated by ;' });
      continue;
    }
    for (const p of found) {
      members.push({ ...p, role, ...(side && { side }) });
      memberColumn.push(column);
    }
  }
  const noLead = !members.some((m) => m.role === 'district_lead' || m.role === 'partner_lead');
  if (noLead) issues.push({ line, column: 'district_lead', message: 'name at least one lead, district or partner' });
  const input = {
    name: row.name?.trim(),
    district: { name: row.district?.trim() },
    partner: { name: row.partner?.trim() },
    ...(cohortId && { cohortId }),
    timeZone: row.time_zone?.trim(),
    ...(row.first_review_at?.trim() && { firstReviewAt: instant('first_review_at') }),
    ...(row.recurrence_rule?.trim() && {
      recurrence: { rrule: row.recurrence_rule.trim(), start: row.recurrence_start?.trim().replace(' ', 'T') },
    }),
    ...(row.reminder_offsets?.trim() && { reminderOffsets: row.reminder_offsets.split(';').map((o) => o.trim()) }),
    ...(row.goals?.trim() && { goals: row.goals.trim() }),
    ...(row.shared_framework?.trim() && { sharedFramework: row.shared_framework.trim() }),
    ...(row.engagement_pathway?.trim() && { engagementPathway: row.engagement_pathway.trim() }),
    ...(row.evidence_rubric?.trim() && {
      evidenceRubric: row.evidence_rubric
        .split(';')
        .map((c) => c.trim())
        .filter(Boolean),
    }),
    ...(row.planned_start?.trim() && { plannedStart: instant('planned_start') }),
    ...(row.planned_end?.trim() && { plannedEnd: instant('planned_end') }),
    members,
    ...extra,
  };
  const parsed = createPartnershipBody.safeParse(input);
  // With nobody named, the schema's own complaint ("members: must have at least 1 items") names no
  // column or field a person could find: the missing lead above says it.
  if (!parsed.success) issues.push(...fieldIssues(parsed.error, line, memberColumn).filter((i) => !(noLead && i.column === 'members')));
  return { body: parsed.success && issues.length === 0 ? parsed.data : undefined, issues, memberColumn };
}

function fieldIssues(error: z.ZodError, line: number, memberColumn: Column[]): ImportIssue[] {
  return error.issues.map((i) => {
    const [head, index, field] = i.path;
    if (head === 'recurrence' && index === 'start') return { line, column: 'recurrence_start', message: i.message };
    if (head === 'members' && typeof index === 'number') {
      return { line, column: memberColumn[index] ?? 'members', message: `${String(field ?? 'member')}: ${i.message}` };
    }
    const column = COLUMN_OF[String(head)];
    return { line, column: column ?? String(head ?? '(row)'), message: column ? i.message : `${i.path.join('.')}: ${i.message}` };
  });
}

function recurrenceIssues(row: Row, line: number, now: number): ImportIssue[] {
  const rrule = row.recurrence_rule?.trim();
  const start = row.recurrence_start?.trim().replace(' ', 'T');
  const timeZone = row.time_zone?.trim();
  if (!rrule || !start || !timeZone || !ianaTimeZone.safeParse(timeZone).success) return [];
  try {
    firstReviewOf({ rrule, start, timeZone, blackouts: [] }, now);
    return [];
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return issueOf(e, line);
  }
}

const issueOf = (e: ValidationError, line: number): ImportIssue[] =>
  (e.issues.length ? e.issues : [{ path: '(row)', message: e.message }]).map((i) => ({
    line,
    column: COLUMN_OF[i.path.split('.')[0] as string] ?? i.path,
    message: i.message,
  }));

/** Rows of the file, with the line each starts on; a file that is no CSV, or has unknown columns, is one issue. */
function readRows(csv: string): { rows: { line: number; row: Row }[]; issues: ImportIssue[] } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, { columns: true, bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    return { rows: [], issues: [{ line: Number((e as CsvError & { lines?: number }).lines ?? 1), column: '(file)', message: e.message }] };
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknown = header.filter((h) => !(h in IMPORT_COLUMNS));
  const missing = (['name', 'district', 'partner', 'time_zone'] as const).filter((c) => records.length && !header.includes(c));
  const issues: ImportIssue[] = [
    ...unknown.map((c) => ({ line: 1, column: c, message: `is not a column Tandem knows (${Object.keys(IMPORT_COLUMNS).join(', ')})` })),
    ...missing.map((c) => ({ line: 1, column: c, message: 'is a required column' })),
  ];
  if (records.length === 0) issues.push({ line: 1, column: '(file)', message: 'has no rows under its header' });
  if (records.length > IMPORT_MAX_ROWS) issues.push({ line: 1, column: '(file)', message: `has more than ${IMPORT_MAX_ROWS} rows` });
  // info.lines is the line a record ends on; a record spans one line unless a quoted cell breaks.
  return { rows: records.map((r) => ({ line: r.info.lines, row: r.record as Row })), issues };
}

type Deps = Pick<CoreDeps, 'db' | 'temporal' | 'taskQueue' | 'logger'>;

/**
 * Checks every row (and, without `dryRun`, creates them all); throws a ValidationError naming every
 * mistake by line and column, with nothing written.
 */
export async function importPartnerships(
  deps: Deps,
  caller: Principal,
  cohortId: string,
  csv: string,
  dryRun: boolean,
): Promise<{ dryRun: boolean; alreadyImportedAt?: string; partnerships: (ImportPlan & { id?: string | undefined })[] }> {
  await visibleCohortId(deps.db, caller, cohortId);
  assertCoordinates(caller, cohortId);
  if (csv.length > IMPORT_MAX_CHARS) {
    throw new ValidationError('The file is too large', [{ path: 'file', message: `is larger than ${IMPORT_MAX_CHARS / 1000} kB` }]);
  }
  const { rows, issues } = readRows(csv);
  const now = Date.now();
  const checked: { line: number; body: CreatePartnershipBody; check: Awaited<ReturnType<typeof checkNewPartnership>> }[] = [];
  const visible = organizationScope(caller);
  const names = new Map<string, number>();
  for (const { line, row } of issues.length ? [] : rows) {
    // Each row's schedule is worked out on the event loop: other requests go between rows.
    await new Promise((r) => setImmediate(r));
    const { body, issues: rowIssues } = rowToPartnership(row, line, cohortId);
    issues.push(...rowIssues);
    if (!body) {
      // Its other fields aside, is its recurrence one? So that one pass names every mistake.
      issues.push(...recurrenceIssues(row, line, now).filter((i) => !rowIssues.some((r) => r.column === i.column)));
      continue;
    }
    const seen = names.get(body.name);
    if (seen) issues.push({ line, column: 'name', message: `repeats line ${seen}` });
    names.set(body.name, line);
    try {
      const check = await checkNewPartnership(deps.db, caller, body, now);
      // An organization that exists outside the caller's scope would be refused when written.
      for (const kind of ['district', 'partner'] as const) {
        const ref = body[kind] as { name: string };
        const existing = await deps.db.organization.findUnique({ where: { kind_name: { kind, name: ref.name } }, select: { id: true } });
        if (existing && !(await deps.db.organization.findFirst({ where: { AND: [{ id: existing.id }, visible] }, select: { id: true } }))) {
          issues.push({ line, column: kind, message: `this ${kind} name cannot be used here; use another, or ask an admin` });
        }
      }
      checked.push({ line, body, check });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      issues.push(...issueOf(e, line));
    }
  }
  if (issues.length) {
    throw new ValidationError(
      `The file has ${issues.length} mistake${issues.length === 1 ? '' : 's'}; nothing was created`,
      issues.map((i) => ({ path: `line ${i.line}, ${i.column}`, message: i.message })),
    );
  }
  const plans = checked.map(({ line, body, check }) => ({
    line,
    name: body.name,
    firstReview: DateTime.fromMillis(check.nextReviewAt, { zone: body.timeZone }).toFormat('yyyy-LL-dd HH:mm ZZZZ'),
    members: body.members.length,
  }));
  if (dryRun) return { dryRun, partnerships: plans };
  // A file is imported once: the same file again (a second click, a second tab, a retry) answers with
  // what the first created, and two at once create one set.
  const fileHash = createHash('sha256').update(csv).digest('hex');
  const claim = { cohortId_fileHash: { cohortId, fileHash } };
  try {
    await deps.db.partnershipImport.create({ data: { cohortId, fileHash, importedBy: caller.name } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await deps.db.partnershipImport.findUnique({ where: claim });
    if (!first?.finishedAt) throw new ConflictError('This file is being imported right now; look at the cohort’s partnerships in a moment');
    return {
      dryRun,
      alreadyImportedAt: first.finishedAt.toISOString(),
      partnerships: plans.map((p, i) => ({ ...p, id: first.partnershipIds[i] })),
    };
  }
  const started: string[] = [];
  try {
    const ids = await deps.db.$transaction(
      async (tx) => {
        const out: string[] = [];
        for (const { body, check } of checked) {
          const { partnership } = await writePartnership(tx, deps, caller, body, check);
          started.push(partnership.id);
          out.push(partnership.id);
        }
        return out;
      },
      { timeout: 30_000 + checked.length * 1_000 },
    );
    await deps.db.partnershipImport.update({ where: claim, data: { finishedAt: new Date(), partnershipIds: ids } });
    return { dryRun, partnerships: plans.map((p, i) => ({ ...p, id: ids[i] })) };
  } catch (e) {
    await deps.db.partnershipImport.delete({ where: claim }).catch(() => {});
    // The rows are rolled back: their workflows, started inside the transaction, go too.
    await Promise.allSettled(
      started.map((id) => deps.temporal.workflow.getHandle(partnershipWorkflowId(id)).terminate('its import was rolled back')),
    );
    throw e;
  }
}
