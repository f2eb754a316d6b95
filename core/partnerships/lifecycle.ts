import type { z } from 'zod';
import { ConflictError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { activateUpdate, changeRecurrenceUpdate, endUpdate, pauseUpdate, resumeUpdate } from '../../workflows/partnerships/messages.js';
import { askPartnership, type Deps, partnershipFor } from '../partnership-workflow.js';
import { actorOf, type Principal } from '../people/principal.js';
import { assertManages } from '../people/rights.js';
import type { Blackout } from '../reviews/recurrence.js';
import { firstReviewOf } from '../reviews/schedule.js';
import { changeRecurrenceBody } from '../reviews/schemas.js';
import { describeUnanswered, unansweredPlanning } from './planning.js';
import { activateBody, endBody, pauseBody } from './schemas.js';

/**
 * A partnership's life as a whole, for the API and the pages alike: activate it, pause and resume
 * it, end it, change the recurrence of its reviews. Each needs the right to manage it
 * (core/people/rights.ts), then asks its workflow.
 */

export async function pausePartnership(deps: Deps, p: Principal, id: string, input: z.input<typeof pauseBody>) {
  const request = parseOrThrow(pauseBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'pause it');
  return askPartnership(deps, id, (h) => h.executeUpdate(pauseUpdate, { args: [{ ...request, actor: actorOf(p) }] }));
}

/**
 * Activation shows what planning left unanswered: a 409 naming it, unless the caller (who manages
 * the partnership) says to go ahead anyway.
 */
export async function activatePartnership(deps: Deps, p: Principal, id: string, input: z.input<typeof activateBody> = {}) {
  const request = parseOrThrow(activateBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'activate it');
  const unanswered = partnership.status === 'planning' ? await unansweredPlanning(deps.db, partnership) : [];
  if (unanswered.length > 0 && !request.despiteUnanswered) {
    throw new ConflictError(
      `${unanswered.length} ${unanswered.length === 1 ? 'answer' : 'answers'} to the planning questions ${unanswered.length === 1 ? 'is' : 'are'} missing (${describeUnanswered(unanswered)}); answer them, or activate despite them (despiteUnanswered)`,
    );
  }
  return askPartnership(deps, id, (h) => h.executeUpdate(activateUpdate, { args: [{ actor: actorOf(p) }] }));
}

export async function resumePartnership(deps: Deps, p: Principal, id: string) {
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'resume it');
  return askPartnership(deps, id, (h) => h.executeUpdate(resumeUpdate, { args: [{ actor: actorOf(p) }] }));
}

export async function endPartnership(deps: Deps, p: Principal, id: string, input: z.input<typeof endBody>) {
  const request = parseOrThrow(endBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'end it');
  return askPartnership(deps, id, (h) => h.executeUpdate(endUpdate, { args: [{ ...request, actor: actorOf(p) }] }));
}

export async function changeRecurrence(deps: Deps, p: Principal, id: string, input: z.input<typeof changeRecurrenceBody>) {
  const request = parseOrThrow(changeRecurrenceBody, input, 'request');
  const partnership = await partnershipFor(deps, p, id);
  await assertManages(deps.db, p, partnership, 'change its recurrence');
  const rrule = request.recurrence.rrule.replace(/^RRULE:/i, '');
  const blackouts = request.blackouts ?? (partnership.blackouts as unknown as Blackout[]);
  firstReviewOf({ rrule, start: request.recurrence.start, timeZone: partnership.timeZone, blackouts }, Date.now());
  return askPartnership(deps, id, (h) =>
    h.executeUpdate(changeRecurrenceUpdate, {
      args: [{ rrule, start: request.recurrence.start, blackouts: request.blackouts, actor: actorOf(p) }],
    }),
  );
}
