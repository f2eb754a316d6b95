import type { z } from 'zod';
import type { PlanningTopic } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import type { CoreDeps } from '../deps.js';
import { recordEvent } from '../events.js';
import { loadPartnership } from '../people/members.js';
import type { Principal } from '../people/principal.js';
import { actorForPlanning, assertKeepsSettingsOf, type SettingsOwner } from '../people/rights.js';
import { planningAnswersBody, planningTemplateBody } from './schemas.js';

/**
 * Planning that asks the questions: "a thorough planning process builds a strong foundation". A
 * partnership in planning has a checklist of questions (the needs it serves, its goals and measures,
 * roles, what each side expects of the other, how results will be assessed, how both will talk),
 * copied from its cohort's template, else its district's, else Tandem's own, when first opened.
 * Each side's leads answer for their side; activation lists what is still unanswered, and someone
 * who manages the partnership may activate anyway (core/partnerships/lifecycle.ts).
 */

type Deps = Pick<CoreDeps, 'db'>;
export type TemplateOwner = SettingsOwner;
export type PlanningQuestionText = { topic: PlanningTopic; text: string };
export type Side = 'district' | 'partner';
export const SIDES: readonly Side[] = ['district', 'partner'];

export const TOPIC_LABELS: Record<PlanningTopic, string> = {
  needs: 'Needs',
  goals: 'Goals and measures',
  roles: 'Roles',
  expectations: 'What each side expects',
  assessment: 'How results are assessed',
  communication: 'Communication',
};

/** Tandem's own questions, for a partnership whose cohort and district keep none. */
export const DEFAULT_PLANNING_QUESTIONS: readonly PlanningQuestionText[] = [
  { topic: 'needs', text: 'What need of students or staff does this partnership address, and how do we know it is a need?' },
  { topic: 'goals', text: 'What will success look like at the end, and which measures will show it?' },
  { topic: 'roles', text: 'Who leads on each side, and who decides what?' },
  { topic: 'expectations', text: 'What does each side expect of the other: time, access to schools and data, staff, resources?' },
  { topic: 'assessment', text: 'How and when will results be assessed, and from which sources of evidence?' },
  { topic: 'communication', text: 'How often will we meet and write, and who is told when something slips?' },
];

// ---- Templates: a district's or a cohort's questions ----

const whereOwner = (owner: TemplateOwner) => ('cohortId' in owner ? { cohortId: owner.cohortId } : { districtId: owner.districtId });

/** The questions an owner asks (Tandem's own when it keeps none), for those who may change them. */
export async function planningTemplateOf(deps: Deps, p: Principal, owner: TemplateOwner) {
  await assertKeepsSettingsOf(deps.db, p, owner);
  const row = await deps.db.planningTemplate.findUnique({ where: whereOwner(owner) });
  return row
    ? { questions: row.questions as PlanningQuestionText[], own: true, updatedAt: row.updatedAt, updatedBy: row.updatedBy }
    : { questions: [...DEFAULT_PLANNING_QUESTIONS], own: false, updatedAt: null, updatedBy: null };
}

/** Replaces an owner's questions; checklists already opened keep theirs. */
export async function setPlanningTemplate(deps: Deps, p: Principal, owner: TemplateOwner, raw: z.input<typeof planningTemplateBody>) {
  const body = parseOrThrow(planningTemplateBody, raw, 'template');
  await assertKeepsSettingsOf(deps.db, p, owner);
  const data = { questions: body.questions, updatedAt: new Date(), updatedBy: p.name };
  await deps.db.planningTemplate.upsert({ where: whereOwner(owner), create: { ...owner, ...data }, update: data });
  return planningTemplateOf(deps, p, owner);
}

// ---- A partnership's checklist ----

/** The template a partnership is asked: its cohort's, else its district's, else Tandem's own. */
async function templateFor(db: Db, partnership: { cohortId: string | null; districtId: string }): Promise<PlanningQuestionText[]> {
  const own = await db.planningTemplate.findMany({
    where: { OR: [...(partnership.cohortId ? [{ cohortId: partnership.cohortId }] : []), { districtId: partnership.districtId }] },
  });
  const chosen = own.find((t) => t.cohortId !== null) ?? own[0];
  return chosen ? (chosen.questions as PlanningQuestionText[]) : [...DEFAULT_PLANNING_QUESTIONS];
}

/**
 * Copies the template into a partnership in planning the first time its checklist is opened. Two
 * openings at once copy it once: positions are unique, the second's rows are skipped.
 */
async function ensureChecklist(db: Db, partnership: { id: string; status: string; cohortId: string | null; districtId: string }) {
  if (partnership.status !== 'planning') return;
  if ((await db.planningQuestion.count({ where: { partnershipId: partnership.id } })) > 0) return;
  const questions = await templateFor(db, partnership);
  await db.planningQuestion.createMany({
    data: questions.map((q, position) => ({ partnershipId: partnership.id, position, topic: q.topic, text: q.text })),
    skipDuplicates: true,
  });
}

export type Checklist = Awaited<ReturnType<typeof checklistRows>>;

async function checklistRows(db: Db, partnershipId: string) {
  const rows = await db.planningQuestion.findMany({ where: { partnershipId }, include: { answers: true }, orderBy: { position: 'asc' } });
  const questions = rows.map((q) => ({
    id: q.id,
    topic: q.topic,
    text: q.text,
    answers: Object.fromEntries(
      SIDES.map((side) => {
        const a = q.answers.find((x) => x.side === side);
        return [side, a ? { answer: a.answer, by: a.onBehalfOfName ?? a.actorName, at: a.answeredAt } : null];
      }),
    ) as Record<Side, { answer: string; by: string | null; at: Date } | null>,
  }));
  const unanswered = questions.flatMap((q) =>
    SIDES.filter((side) => !q.answers[side]).map((side) => ({ questionId: q.id, text: q.text, side })),
  );
  return { questions, unanswered, answered: questions.length * SIDES.length - unanswered.length };
}

/** A partnership's checklist, with each side's answers and what is unanswered. */
export async function checklistOf(deps: Deps, p: Principal, partnershipId: string) {
  const partnership = await loadPartnership(deps.db, p, partnershipId);
  await ensureChecklist(deps.db, partnership);
  return { partnership, ...(await checklistRows(deps.db, partnership.id)) };
}

/** What activation must show: the checklist's unanswered questions (none once it is no longer in planning). */
export async function unansweredPlanning(db: Db, partnership: { id: string; status: string; cohortId: string | null; districtId: string }) {
  await ensureChecklist(db, partnership);
  return (await checklistRows(db, partnership.id)).unanswered;
}

/** "the district's to 2 questions, the partner's to 1": who still owes answers. */
export function describeUnanswered(unanswered: { side: Side }[]): string {
  return SIDES.flatMap((side) => {
    const n = unanswered.filter((u) => u.side === side).length;
    return n ? [`the ${side}'s to ${n} ${n === 1 ? 'question' : 'questions'}`] : [];
  }).join(', ');
}

/**
 * A lead's answers for their side, while the partnership is in planning: each replaces the side's
 * previous answer, an empty one takes it back. Questions of another partnership are a 400.
 */
export async function answerPlanning(deps: Deps, p: Principal, partnershipId: string, raw: z.input<typeof planningAnswersBody>) {
  const body = parseOrThrow(planningAnswersBody, raw, 'answers');
  const partnership = await loadPartnership(deps.db, p, partnershipId);
  const { actor, side } = await actorForPlanning(deps.db, p, partnership, body.onBehalfOf);
  if (partnership.status !== 'planning')
    throw new ConflictError(`The partnership is ${partnership.status}: its planning checklist is closed`);
  await ensureChecklist(deps.db, partnership);
  const ids = new Set(
    (await deps.db.planningQuestion.findMany({ where: { partnershipId: partnership.id }, select: { id: true } })).map((q) => q.id),
  );
  const foreign = body.answers.flatMap((a, i) =>
    ids.has(a.questionId) ? [] : [{ path: `answers.${i}.questionId`, message: 'is not a question of this checklist' }],
  );
  if (foreign.length) throw new ValidationError('Answer the questions of this partnership’s checklist', foreign);
  const by = { actor: actor.kind, actorId: actor.id, actorName: actor.name, onBehalfOfName: actor.onBehalfOf?.name ?? null };
  const now = new Date();
  await deps.db.$transaction(async (tx) => {
    // Still in planning when written: an activation meanwhile closes the checklist.
    const open = await tx.partnership.count({ where: { id: partnership.id, status: 'planning' } });
    if (open === 0) throw new ConflictError('The partnership was activated meanwhile: its planning checklist is closed');
    for (const a of body.answers) {
      const key = { questionId_side: { questionId: a.questionId, side } };
      if (a.answer === '') await tx.planningAnswer.deleteMany({ where: { questionId: a.questionId, side } });
      else
        await tx.planningAnswer.upsert({
          where: key,
          create: { questionId: a.questionId, side, answer: a.answer, answeredAt: now, ...by },
          update: { answer: a.answer, answeredAt: now, ...by },
        });
    }
  });
  const checklist = await checklistRows(deps.db, partnership.id);
  await recordEvent(
    deps.db,
    partnership.id,
    `planning:${side}:${now.getTime()}`,
    'planning.answered',
    { side, answered: checklist.answered, unanswered: checklist.unanswered.length },
    actor,
  );
  return { partnership, ...checklist };
}
