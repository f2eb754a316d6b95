import { describe, expect, it } from 'vitest';
import { audienceOf, DEFAULT_POLICY, OPTIONAL_TEMPLATES, policyOverrides, resolvePolicy, wantsMessage } from '../../core/policy.js';

const partnership = (policy: unknown) => ({ reminderOffsets: ['P7D'], outcomeGrace: 'P1D', policy });

describe('policy', () => {
  it('tells every member of reviews and changes, the sponsor and leads of a missed review, the leads of the reflections’ summary', () => {
    const members = (['executive_sponsor', 'district_lead', 'partner_lead', 'participant'] as const).map((role) => ({ role }));
    const told = (what: Parameters<typeof audienceOf>[1]) => audienceOf(members, what).map((m) => m.role);
    expect(told('reviewInvitation')).toEqual(['executive_sponsor', 'district_lead', 'partner_lead', 'participant']);
    expect(told('reviewReminder')).toEqual(told('reviewInvitation'));
    expect(told('reviewMissed')).toEqual(['executive_sponsor', 'district_lead', 'partner_lead']);
    expect(told('reflectionSummary')).toEqual(['district_lead', 'partner_lead']);
  });

  it('takes a partnership’s own settings over the defaults', () => {
    expect(resolvePolicy(partnership({ deadlineReminders: ['P3D'], reflectionWindow: 'P21D' }))).toEqual({
      ...DEFAULT_POLICY,
      reviewReminders: ['P7D'],
      reviewOutcomeGrace: 'P1D',
      deadlineReminders: ['P3D'],
      reflectionWindow: 'P21D',
    });
  });

  it('falls back to the defaults when a stored override is not valid', () => {
    expect(resolvePolicy(partnership({ deadlineReminders: 'soon' })).deadlineReminders).toEqual(DEFAULT_POLICY.deadlineReminders);
    expect(resolvePolicy(partnership(null)).reflectionReminders).toEqual(DEFAULT_POLICY.reflectionReminders);
  });

  it('accepts only known settings with ISO 8601 durations and known escalation targets', () => {
    const issues = (v: unknown) => policyOverrides.safeParse(v).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ deadlineReminders: ['P3D'], deadlineEscalations: [{ after: 'P5D', to: 'sponsor' }] })).toEqual([]);
    expect(issues({ deadlineReminders: ['3 days'] })).toEqual(['deadlineReminders.0']);
    expect(issues({ deadlineEscalations: [{ after: 'P5D', to: 'board' }] })).toEqual(['deadlineEscalations.0.to']);
    expect(issues({ reviewReminders: ['P1D'] })).toEqual(['']);
  });

  it('counts only reminders, mentions and the lessons digest as optional: prompts, overdue notices, escalations and notices of missed reviews always go out', () => {
    expect([...OPTIONAL_TEMPLATES].sort()).toEqual([
      'comment-mention',
      'commitment-reminder',
      'evidence-reminder',
      'lesson-digest',
      'reflection-reminder',
      'review-reminder',
    ]);
    for (const t of ['reflection-prompt', 'commitment-overdue', 'commitment-escalation', 'evidence-escalation', 'review-missed']) {
      expect(OPTIONAL_TEMPLATES.has(t)).toBe(false);
    }
  });

  it('lets an essential-only member skip reminders but never prompts, overdue notices or escalations', () => {
    const essential = { notifications: 'essential' as const };
    expect(
      ['review-reminder', 'reflection-reminder', 'commitment-reminder', 'evidence-reminder'].map((t) => wantsMessage(essential, t)),
    ).toEqual([false, false, false, false]);
    expect(
      ['reflection-prompt', 'commitment-overdue', 'commitment-escalation', 'review-missed'].map((t) => wantsMessage(essential, t)),
    ).toEqual([true, true, true, true]);
    expect(wantsMessage({ notifications: 'all' }, 'review-reminder')).toBe(true);
  });
});
