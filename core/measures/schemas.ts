import { z } from 'zod';
import { line, localDate, text } from '../fields.js';

/** A figure people type: a finite number of a plausible size (a share, a count, a score). */
export const figure = z
  .number()
  .finite()
  .refine((v) => Math.abs(v) < 1e12, { message: 'must be smaller than a trillion' });

export const measureDirection = z.enum(['increase', 'decrease']);

/** One measure of success, as planned: from its baseline now to its target by a date. */
export const measureFields = z
  .object({
    name: line(200).meta({ description: 'What is measured, e.g. "Grade 3 students reading at grade level".' }),
    unit: line(40).meta({ description: 'Its unit, e.g. "%", "students", "points".' }),
    baseline: figure.meta({ description: 'Where it stands now.' }),
    target: figure.meta({ description: 'Where it should be by `targetDate`; above the baseline for an increase, below for a decrease.' }),
    targetDate: localDate.meta({ description: "By when, as a date in the partnership's zone (YYYY-MM-DD)." }),
    direction: measureDirection,
    source: line(200).meta({ description: 'Where its figures come from, e.g. "state assessment", "classroom observations".' }),
  })
  .strict();

export const createGoalBody = z
  .object({
    title: line(500).meta({ description: "The goal, in the partnership's words." }),
    measures: z.array(measureFields).min(1).max(10),
  })
  .strict();

/** A measure changed after it was set, always with the reason (kept in the partnership's timeline). */
export const changeMeasureBody = z
  .object({
    name: line(200).optional(),
    unit: line(40).optional(),
    target: figure.optional(),
    targetDate: localDate.optional(),
    source: line(200).optional(),
    reason: text(2000),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'change at least one field', path: ['target'] });

/** The measures' values at a held review: one value each, with an optional note. */
/** One measure's value at a held review. */
export const measureValue = z
  .object({
    measureId: z.uuid(),
    value: figure,
    note: text(2000).optional(),
    evidenceRequestId: z.uuid().optional().meta({ description: "The partnership's evidence request the figure comes from." }),
  })
  .strict();

export const recordMeasuresBody = z.object({ values: z.array(measureValue).min(1).max(50) }).strict();
