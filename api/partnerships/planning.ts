import { uuidParam } from '../../core/fields.js';
import {
  answerPlanning,
  type Checklist,
  checklistOf,
  planningTemplateOf,
  setPlanningTemplate,
  type TemplateOwner,
} from '../../core/partnerships/planning.js';
import { planningAnswersBody, planningTemplateBody } from '../../core/partnerships/schemas.js';
import { route, tagged } from '../http/route.js';

/** Planning checklists over HTTP; the rules are in core/partnerships/planning.ts. */

const checklistJson = (status: string, c: Checklist) => ({
  open: status === 'planning',
  questions: c.questions.map((q) => ({
    id: q.id,
    topic: q.topic,
    text: q.text,
    answers: Object.fromEntries(
      Object.entries(q.answers).map(([side, a]) => [side, a && { answer: a.answer, by: a.by, at: a.at.toISOString() }]),
    ),
  })),
  answered: c.answered,
  unanswered: c.unanswered,
});

type Template = Awaited<ReturnType<typeof planningTemplateOf>>;
const templateJson = (t: Template) => ({
  questions: t.questions,
  own: t.own,
  updatedAt: t.updatedAt?.toISOString() ?? null,
  updatedBy: t.updatedBy,
});

const OWNERS = [
  { name: 'District', path: '/organizations/:id', owner: (id: string): TemplateOwner => ({ districtId: id }) },
  { name: 'Cohort', path: '/cohorts/:id', owner: (id: string): TemplateOwner => ({ cohortId: id }) },
] as const;

const templateRoutes = OWNERS.flatMap((o) => [
  route(`GET ${o.path}/planning-template`, {
    operationId: `get${o.name}PlanningTemplate`,
    summary: `The planning questions a ${o.name.toLowerCase()} asks`,
    description: `Tandem's own questions (\`own\`: false) until the ${o.name.toLowerCase()} keeps its own. For those who may change them.`,
    access: 'manager',
    params: uuidParam,
    errors: [404],
    responses: { 200: { description: 'The questions, in the order they are asked' } },
    handle: async ({ params, caller, deps }) => ({ body: templateJson(await planningTemplateOf(deps, caller, o.owner(params.id))) }),
  }),
  route(`PUT ${o.path}/planning-template`, {
    operationId: `set${o.name}PlanningTemplate`,
    summary: `Set the planning questions a ${o.name.toLowerCase()} asks`,
    description:
      o.name === 'Cohort'
        ? "Asked of the cohort's partnerships in planning (before their district's); checklists already opened keep their questions. Admin and the cohort's coordinators."
        : "Asked of the district's partnerships in planning that no cohort's template covers; checklists already opened keep their questions.",
    access: 'manager',
    params: uuidParam,
    body: planningTemplateBody,
    errors: [404],
    responses: { 200: { description: 'The questions as now kept' } },
    handle: async ({ params, body, caller, deps }) => ({
      body: templateJson(await setPlanningTemplate(deps, caller, o.owner(params.id), body)),
    }),
  }),
]);

export const planningRoutes = tagged('Planning', [
  route('GET /partnerships/:id/planning', {
    operationId: 'getPlanningChecklist',
    summary: "A partnership's planning checklist",
    description:
      "Its questions with each side's answers and what is unanswered. Opened first while the partnership is in planning, it is copied from its cohort's template, else its district's, else Tandem's own.",
    access: 'member',
    errors: [404],
    responses: { 200: { description: 'The checklist' } },
    handle: async ({ params, caller, deps }) => {
      const c = await checklistOf(deps, caller, params.id);
      return { body: checklistJson(c.partnership.status, c) };
    },
  }),
  route('PUT /partnerships/:id/planning', {
    operationId: 'answerPlanningChecklist',
    summary: "Answer planning questions for one's side",
    description:
      "A district or partner lead answers for their side (a key names the lead in `onBehalfOf`); each answer replaces that side's previous one, an empty answer takes it back. Only while the partnership is in planning (409 after).",
    access: 'member',
    body: planningAnswersBody,
    errors: [403, 404, 409],
    responses: { 200: { description: 'The checklist with the answers' } },
    handle: async ({ params, body, caller, deps }) => {
      const c = await answerPlanning(deps, caller, params.id, body);
      return { body: checklistJson(c.partnership.status, c) };
    },
  }),
  ...templateRoutes,
]);
