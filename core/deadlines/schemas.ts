import { z } from 'zod';
import { email, instant } from '../fields.js';

export const createCommitmentBody = z
  .object({
    ownerEmail: email,
    side: z.enum(['district', 'partner', 'shared']),
    description: z.string().trim().min(1).max(2000),
    dueAt: instant,
  })
  .strict();

export const evidenceKind = z.enum(['observation', 'interview', 'survey', 'data_team_minutes', 'student_achievement_data', 'other']);
export const createEvidenceRequestBody = z
  .object({
    ownerEmail: email,
    description: z.string().trim().min(1).max(2000),
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

export const completeCommitmentBody = z.object({ note: z.string().trim().min(1).max(2000).optional(), onBehalfOf }).strict();
export const extendDeadlineBody = z.object({ dueAt: instant, reason: z.string().trim().min(1).max(2000), onBehalfOf }).strict();
export const reasonBody = z.object({ reason: z.string().trim().min(1).max(2000), onBehalfOf }).strict();

export const submitEvidenceBody = z
  .object({
    onBehalfOf,
    kind: evidenceKind,
    link: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    text: z.string().trim().min(1).max(20_000).optional(),
  })
  .strict()
  .refine((b) => b.link || b.text, { message: 'give a link, a text, or both', path: ['link'] });
