import { describe, expect, it } from 'vitest';
import { type HealthFacts, judge, RULES } from '../../core/reports/health.js';

const calm: HealthFacts = {
  recentReviews: ['held', 'held', 'held'],
  overdue: 0,
  longestOverdueDays: 0,
  reflection: { asked: 4, answered: 3, closed: true },
  measuresBehind: 0,
};

describe("a partnership's health", () => {
  it('is on track when nothing is missed, overdue or unanswered', () => {
    expect(judge('active', calm)).toEqual({ health: 'on_track', reasons: [] });
  });

  it('needs attention for one missed review, anything overdue, few reflections once the window closed, or a measure behind', () => {
    expect(judge('active', { ...calm, recentReviews: ['missed', 'held'] })).toEqual({
      health: 'needs_attention',
      reasons: [RULES.needs_attention[0]],
    });
    expect(judge('active', { ...calm, overdue: 1, longestOverdueDays: 3 }).reasons).toEqual([RULES.needs_attention[1]]);
    expect(judge('paused', { ...calm, reflection: { asked: 4, answered: 1, closed: true } }).reasons).toEqual([RULES.needs_attention[2]]);
    expect(judge('active', { ...calm, measuresBehind: 1 })).toEqual({ health: 'needs_attention', reasons: [RULES.needs_attention[3]] });
    // While the window is open, nobody is late yet.
    expect(judge('active', { ...calm, reflection: { asked: 4, answered: 0, closed: false } }).health).toBe('on_track');
  });

  it('is at risk for two missed reviews of the last four, or work more than 14 days overdue, and says which', () => {
    expect(judge('active', { ...calm, recentReviews: ['missed', 'held', 'missed', 'held'] })).toEqual({
      health: 'at_risk',
      reasons: [RULES.at_risk[0]],
    });
    expect(judge('active', { ...calm, overdue: 2, longestOverdueDays: 15 })).toEqual({ health: 'at_risk', reasons: [RULES.at_risk[1]] });
    expect(judge('active', { ...calm, overdue: 2, longestOverdueDays: 14 }).health).toBe('needs_attention');
  });

  it('has none for a partnership that is not running', () => {
    for (const status of ['planning', 'completed', 'ended_early'])
      expect(judge(status, { ...calm, overdue: 5, longestOverdueDays: 99 })).toEqual({ health: null, reasons: [] });
  });
});
