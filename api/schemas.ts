import { z } from 'zod';
import { parseOffset } from '../lib/schedule/reminders.js';

export const ianaTimeZone = z.string().refine(
  (v) => {
    try {
      return Boolean(new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone);
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as America/Chicago' },
);

const isoDuration = z.string().refine(
  (v) => {
    try {
      parseOffset(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive ISO 8601 duration such as P14D or PT2H' },
);

export const memberRole = z.enum(['executive_sponsor', 'district_lead', 'partner_lead', 'participant']);

export const createPartnershipBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    district: z.object({ name: z.string().trim().min(1).max(200) }),
    partner: z.object({ name: z.string().trim().min(1).max(200) }),
    timeZone: ianaTimeZone,
    firstReviewAt: z.iso.datetime({ offset: true }),
    reminderOffsets: z.array(isoDuration).min(1).max(10).default(['P14D', 'P2D']),
    members: z
      .array(
        z.object({
          name: z.string().trim().min(1).max(200),
          email: z
            .email()
            .max(320)
            .transform((e) => e.toLowerCase()),
          role: memberRole,
        }),
      )
      .min(1)
      .max(500),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.members.forEach((m, i) => {
      if (seen.has(m.email)) ctx.addIssue({ code: 'custom', path: ['members', i, 'email'], message: 'is listed twice' });
      seen.add(m.email);
    });
  });

export type CreatePartnershipBody = z.infer<typeof createPartnershipBody>;

export const uuidParam = z.object({ id: z.uuid() });
