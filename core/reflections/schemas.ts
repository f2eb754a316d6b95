import { z } from 'zod';
import { text } from '../fields.js';

/**
 * The five things a check-in rates, as the partnership literature names them ("measures of success
 * and reflective touch points ... guide and monitor the relationship, content, delivery, and
 * results of partnerships", with strong communication), each with the question the form asks.
 */
export const CHECK_IN_DIMENSIONS = [
  { key: 'relationship', column: 'ratingRelationship', label: 'Relationship', question: 'How well do the two sides work together?' },
  { key: 'content', column: 'ratingContent', label: 'Content', question: 'How useful is what the partnership works on?' },
  { key: 'delivery', column: 'ratingDelivery', label: 'Delivery', question: 'How well is the work carried out?' },
  { key: 'results', column: 'ratingResults', label: 'Results', question: 'How well is it achieving what it set out to?' },
  { key: 'communication', column: 'ratingCommunication', label: 'Communication', question: 'How open and timely is the communication?' },
] as const;
export type CheckInDimension = (typeof CHECK_IN_DIMENSIONS)[number]['key'];

/** A side's figures are shown only from this many answers, so that nobody's rating can be told apart. */
export const CHECK_IN_MINIMUM = 3;

const rating = z.number().int('must be a whole number from 1 to 5').min(1, 'must be from 1 to 5').max(5, 'must be from 1 to 5');

/** A member's check-in: each dimension rated 1-5 or left out, and a comment. */
export const checkIn = z
  .object({
    relationship: rating.optional(),
    content: rating.optional(),
    delivery: rating.optional(),
    results: rating.optional(),
    communication: rating.optional(),
    comment: text(2000).optional(),
  })
  .strict();
export type CheckIn = z.input<typeof checkIn>;

/** A reflection's three answers (what worked, what didn't, how to improve) and, optionally, the check-in. */
export const reflectionAnswers = z
  .object({ whatWorked: text(10_000), whatDidnt: text(10_000), howToImprove: text(10_000), checkIn: checkIn.optional() })
  .strict();
export type ReflectionAnswers = z.input<typeof reflectionAnswers>;
