import { PHASE_TEXT } from '../../core/inquiry/cycles.js';
import type { FieldIssue } from '../../lib/errors.js';
import { INQUIRY_PHASES, type InquiryPhase } from '../../workflows/inquiry/messages.js';
import { fromLocalInput } from '../http/format.js';
import { binder, errorOf, Select, TextArea, TextField } from '../http/layout.js';

/**
 * The plan of a new cycle, for one partnership or a whole cohort alike: the question, then each phase
 * with its owner (a member, or a role) and its due time. `owner` names the field (ownerEmail, ownerRole).
 */
export function CyclePlanFields(props: {
  values: Record<string, string>;
  errors: FieldIssue[];
  owner: {
    field: 'ownerEmail' | 'ownerRole';
    options: { value: string; label: string }[];
    initial: (phase: InquiryPhase) => string | undefined;
  };
}) {
  const { values: v, errors, owner } = props;
  const bind = binder(v, errors);
  return (
    <>
      <TextArea {...bind('question')} label="The question" required rows={2} />
      {INQUIRY_PHASES.map((ph) => (
        <fieldset key={ph}>
          <legend>
            {PHASE_TEXT[ph].label}: {PHASE_TEXT[ph].ask}
          </legend>
          <Select
            name={`${ph}.${owner.field}`}
            label="Owner"
            value={v[`${ph}.${owner.field}`] ?? owner.initial(ph)}
            options={owner.options}
            error={errorOf(errors, `phases.${ph}.${owner.field}`)}
          />
          <TextField
            name={`${ph}.dueAt`}
            label="Due"
            type="datetime-local"
            value={v[`${ph}.dueAt`]}
            required
            error={errorOf(errors, `phases.${ph}.dueAt`)}
          />
        </fieldset>
      ))}
    </>
  );
}

/** The posted plan read back: each phase's owner and due time (local, in `zone`), and what is missing. */
export function readCyclePlan(values: Record<string, string | undefined>, zone: string, field: 'ownerEmail' | 'ownerRole') {
  const missing: FieldIssue[] = [];
  const phases = Object.fromEntries(
    INQUIRY_PHASES.map((ph) => {
      const dueAt = fromLocalInput(values[`${ph}.dueAt`], zone);
      if (!dueAt) missing.push({ path: `phases.${ph}.dueAt`, message: 'Give a date and a time' });
      return [ph, { [field]: values[`${ph}.${field}`], dueAt: dueAt ?? '' }];
    }),
  );
  const question = values.question?.trim() ?? '';
  if (!question) missing.push({ path: 'question', message: 'Ask the question the cycle sets out to answer' });
  return { question, phases, missing };
}
