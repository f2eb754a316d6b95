import { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

const SIZES: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };
const FORMATS: Record<string, string> = {
  email: 'an email address',
  url: 'a web address',
  uuid: 'an id (a UUID)',
  datetime: 'a date and time (ISO 8601, e.g. 2027-03-05T15:30:00Z)',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (HH:MM)',
  duration: 'a duration (ISO 8601, e.g. P7D)',
};
const listed = (values: readonly unknown[]) =>
  values.length > 8 ? `${values.slice(0, 8).map(String).join(', ')}, …` : values.map(String).join(', ');

/**
 * What a person reads when a field is wrong: said of the field, in plain words, for every schema
 * that gives no message of its own (zod's own read like a type checker's: `Invalid option: expected
 * one of "a"|"b"`). Set once for the process, before the first parse, by whoever imports this module.
 */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of: ${listed(issue.values)}`;
    case 'too_big': {
      const unit = SIZES[issue.origin ?? ''];
      return unit
        ? `must have at most ${issue.maximum} ${Number(issue.maximum) === 1 ? unit.slice(0, -1) : unit}`
        : `must be at most ${issue.maximum}`;
    }
    case 'too_small': {
      const unit = SIZES[issue.origin ?? ''];
      if (unit === 'characters' && Number(issue.minimum) === 1) return 'must not be empty';
      return unit ? `must have at least ${issue.minimum} ${unit}` : `must be at least ${issue.minimum}`;
    }
    case 'invalid_format':
      return issue.format === 'regex' ? 'is not in the expected form' : `must be ${FORMATS[issue.format] ?? `a valid ${issue.format}`}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'}: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'is not one of the accepted forms';
    default:
      return undefined;
  }
}
z.config({ customError: plainMessage });

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new ValidationError(`The ${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return result.data;
}
