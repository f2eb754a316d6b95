import { z } from 'zod';
import { DECISIONS, INQUIRY_PHASES } from '../../workflows/inquiry/messages.js';
import { onBehalfOf } from '../deadlines/schemas.js';
import { email, instant, line, text as textOf } from '../fields.js';

const text = textOf(4000);
const role = z.enum(['executive_sponsor', 'district_lead', 'partner_lead', 'participant']);

/** Each phase's owner (a member, by address or by role: the first member with it) and due time. */
const phase = z
  .object({ ownerEmail: email.optional(), ownerRole: role.optional(), dueAt: instant })
  .strict()
  .refine((p) => Boolean(p.ownerEmail) !== Boolean(p.ownerRole), {
    message: 'give ownerEmail or ownerRole (one of them)',
    path: ['ownerEmail'],
  });

const phases = <T extends z.ZodType>(one: T) =>
  z
    .object({ plan: one, do: one, study: one, act: one, reflect: one })
    .strict()
    .meta({ description: 'Plan, do, study, act, and the reflection that closes the cycle; due in that order.' });

export const startCycleBody = z.object({ question: text, phases: phases(phase) }).strict();

/** For a cohort, owners are named by role: each partnership's member with that role owns the phase. */
export const startCohortCyclesBody = z
  .object({ question: text, phases: phases(z.object({ ownerRole: role, dueAt: instant }).strict()) })
  .strict();

export type PhasePlan = { ownerEmail?: string | undefined; ownerRole?: z.infer<typeof role> | undefined; dueAt: string };

/** What each phase records; fields of other phases are refused. */
export const PHASE_RECORDS = {
  plan: z
    .object({
      question: text.optional().meta({ description: 'The question, sharpened; leave out to keep it.' }),
      changeIdea: text,
      prediction: text,
      measures: z.array(line(500)).min(1).max(20),
      onBehalfOf,
    })
    .strict(),
  do: z.object({ notes: text, onBehalfOf }).strict(),
  study: z.object({ findings: text, onBehalfOf }).strict(),
  act: z.object({ decision: z.enum(DECISIONS), notes: text.optional(), onBehalfOf }).strict(),
  reflect: z.object({ worked: text, didNot: text, improve: text, onBehalfOf }).strict(),
} as const;

/** The union of every phase's fields, for the route's documentation; the phase's own schema decides. */
export const recordPhaseBody = z
  .object({
    question: z.string().optional(),
    changeIdea: z.string().optional(),
    prediction: z.string().optional(),
    measures: z.array(z.string()).optional(),
    notes: z.string().optional(),
    findings: z.string().optional(),
    decision: z.enum(DECISIONS).optional(),
    worked: z.string().optional(),
    didNot: z.string().optional(),
    improve: z.string().optional(),
    onBehalfOf,
  })
  .strict()
  .meta({
    description:
      'plan: changeIdea, prediction, measures (and optionally question); do: notes; study: findings; act: decision (adopt, adapt, abandon) and optionally notes; reflect: worked, didNot, improve.',
  });

export const cycleParams = z.object({ id: z.uuid(), cycleId: z.uuid() });
export const phaseParams = cycleParams.extend({ phase: z.enum(INQUIRY_PHASES) });

/** A closed cycle's lesson, in the words the cohort will read. */
export const lessonBody = z
  .object({
    title: line(200),
    theme: line(60).meta({ description: 'A short theme the cohort groups lessons by, e.g. "coaching".' }),
    tried: text.meta({ description: 'What we tried.' }),
    saw: text.meta({ description: 'What we saw.' }),
    next: text.meta({ description: "What we'll do next." }),
    share: z.boolean().default(false).meta({ description: "Share it with the partnership's cohort (a lead's decision)." }),
    onBehalfOf,
  })
  .strict();
