import { z } from 'zod';
import { email, instant, line, text } from '../fields.js';

/** Whose work a commitment is; by default the side its owner is on. */
export const commitmentSide = z
  .enum(['district', 'partner', 'shared'])
  .optional()
  .meta({ description: "Whose work it is: 'district', 'partner' or 'shared'. By default the side its owner is on." });

export const createCommitmentBody = z
  .object({
    ownerEmail: email,
    side: commitmentSide,
    description: text(2000),
    dueAt: instant,
  })
  .strict();

export const evidenceKind = z.enum(['observation', 'interview', 'survey', 'data_team_minutes', 'student_achievement_data', 'other']);

/** What each kind of evidence is called wherever a person reads or picks one (pages and mail), in the enum's order. */
export const EVIDENCE_KINDS: readonly { value: z.infer<typeof evidenceKind>; label: string }[] = [
  { value: 'observation', label: 'Classroom observation' },
  { value: 'interview', label: 'Interview' },
  { value: 'survey', label: 'Survey' },
  { value: 'data_team_minutes', label: 'Data-team minutes' },
  { value: 'student_achievement_data', label: 'Student achievement data' },
  { value: 'other', label: 'Other' },
];

export const evidenceKindLabel = (kind: string): string => EVIDENCE_KINDS.find((k) => k.value === kind)?.label ?? kind;
export const createEvidenceRequestBody = z
  .object({
    ownerEmail: email,
    description: text(2000),
    kinds: z.array(evidenceKind).min(1).max(6),
    dueAt: instant,
  })
  .strict();

/**
 * The person a key acts for (a key is no person): the owner by default, or a lead. Allowed only where
 * the rules allow (api/people/rights.ts), and recorded on the event.
 */
export const onBehalfOf = z
  .uuid()
  .optional()
  .meta({ description: "The person this key acts for: the owner (the default) or a lead; they must be staff of the key's organization." });

export const completeCommitmentBody = z.object({ note: text(2000).optional(), onBehalfOf }).strict();
export const extendDeadlineBody = z.object({ dueAt: instant, reason: text(2000), onBehalfOf }).strict();
export const reasonBody = z.object({ reason: text(2000), onBehalfOf }).strict();

/** One item of evidence: a link, a text or a file (uploaded with the pages), or several of them. */
export const evidenceItemFields = z
  .object({
    onBehalfOf,
    kind: evidenceKind,
    link: z
      .url({ protocol: /^https?$/, error: 'must be a link starting with https:// or http://' })
      .max(2000)
      .optional(),
    text: text(20_000).optional(),
  })
  .strict();

export const submitEvidenceBody = evidenceItemFields.refine((b) => b.link || b.text, {
  message: 'give a link, a text, or both',
  path: ['link'],
});

/**
 * A lead's look at submitted evidence: accept it, or send it back with what to change and a new due
 * time (the request reopens and its owner is told).
 */
/** Each criterion of the partnership's rubric, met or not (required when it has one). */
const rubricJudgement = z
  .array(z.object({ criterion: line(200), met: z.boolean() }).strict())
  .max(8)
  .optional()
  .meta({ description: "Each criterion of the partnership's evidence rubric, met or not; required when it has one." });

export const reviewEvidenceBody = z.discriminatedUnion('verdict', [
  z.object({ verdict: z.literal('accepted'), comment: text(2000).optional(), rubric: rubricJudgement, onBehalfOf }).strict(),
  z
    .object({
      verdict: z.literal('sent_back'),
      comment: text(2000).meta({ description: 'What to change: told to the owner.' }),
      dueAt: instant.meta({ description: 'When it is due again.' }),
      rubric: rubricJudgement,
      onBehalfOf,
    })
    .strict(),
]);
