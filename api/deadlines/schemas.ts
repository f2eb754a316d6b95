import { z } from 'zod';
import { email, instant } from '../http/schemas.js';

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

export const completeCommitmentBody = z.object({ note: z.string().trim().min(1).max(2000).optional() }).strict();
export const extendDeadlineBody = z.object({ dueAt: instant, reason: z.string().trim().min(1).max(2000) }).strict();
export const reasonBody = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();

export const submitEvidenceBody = z
  .object({
    email,
    kind: evidenceKind,
    link: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    text: z.string().trim().min(1).max(20_000).optional(),
  })
  .strict()
  .refine((b) => b.link || b.text, { message: 'give a link, a text, or both', path: ['link'] });
