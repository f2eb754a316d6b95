import { z } from 'zod';
import { text } from '../fields.js';

/** A reflection's three answers: what worked, what didn't, how to improve. */
export const reflectionAnswers = z.object({ whatWorked: text(10_000), whatDidnt: text(10_000), howToImprove: text(10_000) }).strict();
export type ReflectionAnswers = z.input<typeof reflectionAnswers>;
