import { z } from 'zod';
import type { Db } from '../../lib/db/client.js';
import { isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { email, line } from '../fields.js';
import { recordAudit } from './audit.js';
import type { Principal } from './principal.js';
import { assertRunsInstallation } from './rights.js';

/**
 * Cohorts (districts working through the same programme together) and who coordinates them: made by
 * the installation's admins, from the API and the dashboard alike.
 */

export const newCohort = z
  .object({
    name: line(200),
    coordinatorId: z.uuid().optional().meta({ description: 'The coordinating organization.' }),
  })
  .strict();
export const newCoordinator = z.object({ name: line(200), email }).strict();

export async function createCohort(db: Db, p: Principal, raw: z.input<typeof newCohort>) {
  assertRunsInstallation(p, 'create a cohort');
  const body = parseOrThrow(newCohort, raw, 'cohort');
  if (body.coordinatorId) {
    const org = await db.organization.findUnique({ where: { id: body.coordinatorId } });
    if (!org) throw new ValidationError('No such coordinating organization', [{ path: 'coordinatorId', message: 'no such organization' }]);
  }
  try {
    return await db.$transaction(async (tx) => {
      const cohort = await tx.cohort.create({ data: { name: body.name, coordinatorId: body.coordinatorId ?? null } });
      await recordAudit(tx, p, { action: 'cohort.created', subjectKind: 'cohort', subjectId: cohort.id, data: { name: body.name } });
      return cohort;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`A cohort named ${JSON.stringify(body.name)} already exists`);
    throw e;
  }
}

/** Makes someone (new to Tandem or not) a coordinator of a cohort. Idempotent. */
export async function addCoordinator(db: Db, p: Principal, cohortId: string, raw: z.input<typeof newCoordinator>) {
  assertRunsInstallation(p, "make someone a cohort's coordinator");
  const body = parseOrThrow(newCoordinator, raw, 'coordinator');
  const cohort = await db.cohort.findUnique({ where: { id: cohortId }, select: { id: true } });
  if (!cohort) throw new NotFoundError(`Cohort ${cohortId} does not exist`);
  return db.$transaction(async (tx) => {
    const [created] = await tx.person.createManyAndReturn({ data: [{ email: body.email, name: body.name }], skipDuplicates: true });
    const person = created ?? (await tx.person.findUniqueOrThrow({ where: { email: body.email } }));
    if (created)
      await recordAudit(tx, p, { action: 'person.created', subjectKind: 'person', subjectId: person.id, data: { email: body.email } });
    const { count } = await tx.cohortCoordinator.createMany({ data: [{ personId: person.id, cohortId: cohort.id }], skipDuplicates: true });
    if (count)
      await recordAudit(tx, p, {
        action: 'coordinator.granted',
        subjectKind: 'person',
        subjectId: person.id,
        data: { cohortId: cohort.id },
      });
    return { cohortId: cohort.id, person };
  });
}
