import { DateTime } from 'luxon';
import { parseOffset, planReminders } from '../../lib/durations.js';
import type { DeadlineStage, EscalationTarget } from '../../workflows/deadlines/messages.js';

export type { DeadlineStage };

/** Reminders before the due time, overdue at it, escalations after it: in the order they happen. */
export function planDeadline(
  dueAt: number,
  timeZone: string,
  policy: { reminders: readonly string[]; escalations: readonly { after: string; to: EscalationTarget }[] },
): DeadlineStage[] {
  const due = DateTime.fromMillis(dueAt, { zone: timeZone });
  return [
    ...planReminders(dueAt, policy.reminders, timeZone).map((r): DeadlineStage => ({ kind: 'reminder', index: r.index, at: r.at })),
    { kind: 'overdue', at: dueAt } as DeadlineStage,
    ...policy.escalations.map((e): DeadlineStage => ({ kind: 'escalation', to: e.to, at: due.plus(parseOffset(e.after)).toMillis() })),
  ].sort((a, b) => a.at - b.at);
}

export const stageName = (s: DeadlineStage) =>
  s.kind === 'reminder' ? `reminder:${s.index}` : s.kind === 'overdue' ? 'overdue' : `escalation:${s.to}`;
