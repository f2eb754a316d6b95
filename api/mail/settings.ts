import { z } from 'zod';
import { ianaTimeZone } from '../../core/fields.js';
import type { Principal } from '../../core/people/principal.js';
import { assertMayChangeMailSettings, personScope } from '../../core/people/rights.js';
import { type Db, isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:mm, e.g. 21:00');

export const mailSettingsBody = z
  .object({
    email: z
      .email()
      .max(320)
      .transform((v) => v.toLowerCase())
      .optional()
      .meta({ description: 'A new address; it clears a bounce recorded for the old one.' }),
    timeZone: ianaTimeZone
      .nullable()
      .optional()
      .meta({ description: "Times in mail are shown in this zone; null: each partnership's own." }),
    delivery: z
      .enum(['immediate', 'daily_digest'])
      .optional()
      .meta({ description: 'daily_digest gathers reminders into one email a day.' }),
    digestHour: z.number().int().min(0).max(23).optional().meta({ description: 'Local hour at which the daily digest goes out.' }),
    quietHours: z
      .object({ from: localTime, until: localTime })
      .strict()
      .refine((q) => q.from !== q.until, { message: 'from and until must differ', path: ['until'] })
      .nullable()
      .optional()
      .meta({ description: 'Local hours in which nothing is delivered; mail due then waits until they end. null: none.' }),
  })
  .strict();

export type MailSettingsChange = z.infer<typeof mailSettingsBody>;

/**
 * How a person receives mail: their zone, digest, quiet hours and address. The person changes their
 * own; an admin of their organization may too (api/people/rights.ts). A new address clears a bounce
 * recorded for the old one and signs them out everywhere: sign-in links now go to the new one.
 */
export async function updateMailSettings(deps: { db: Db }, p: Principal, personId: string, change: MailSettingsChange) {
  const person = await deps.db.person.findFirst({ where: { AND: [{ id: personId }, personScope(p)] } });
  if (!person) throw new NotFoundError(`Person ${personId} does not exist`);
  await assertMayChangeMailSettings(deps.db, p, person.id);
  const newEmail = change.email !== undefined && change.email !== person.email;
  try {
    return await deps.db.$transaction(async (tx) => {
      if (newEmail) await tx.authSession.deleteMany({ where: { personId: person.id } });
      return tx.person.update({
        where: { id: person.id },
        data: {
          ...(newEmail && { email: change.email, emailVerified: false, emailBouncedAt: null, emailBounce: null }),
          ...(change.timeZone !== undefined && { timeZone: change.timeZone }),
          ...(change.delivery && { mailDelivery: change.delivery }),
          ...(change.digestHour !== undefined && { digestHour: change.digestHour }),
          ...(change.quietHours !== undefined && {
            quietFrom: change.quietHours?.from ?? null,
            quietUntil: change.quietHours?.until ?? null,
          }),
        },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`Another person already has the address ${change.email}`);
    throw e;
  }
}
