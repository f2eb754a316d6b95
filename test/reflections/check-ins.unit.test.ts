import { describe, expect, it } from 'vitest';
import { type CheckInRow, summarizeCheckIns } from '../../core/reflections/check-ins.js';

const all = (n: number) => ({ relationship: n, content: n, delivery: n, results: n, communication: n });
const row = (side: CheckInRow['side'], ratings: CheckInRow['ratings']): CheckInRow => ({ side, ratings });

describe('a review’s check-ins by side', () => {
  it('shows no figure of a side below three answers, but always how many answered', () => {
    const s = summarizeCheckIns([row('district', all(5)), row('district', all(1)), row('partner', all(3))]);
    expect(s.district).toEqual({ answered: 2, means: null });
    expect(s.partner).toEqual({ answered: 1, means: null });
    expect(s.gap).toBeNull();
  });

  it('counts nobody who rated nothing, hides a dimension fewer than three rated, and counts the shared side with the district', () => {
    const s = summarizeCheckIns([
      row('district', all(4)),
      row('shared', { relationship: 2, content: 3 }),
      row('district', { relationship: 3 }),
      row('district', {}),
      row('partner', { relationship: null }),
    ]);
    expect(s.district).toEqual({
      answered: 3,
      means: { relationship: 3, content: null, delivery: null, results: null, communication: null },
    });
    expect(s.partner.answered).toBe(0);
  });

  it('gives the gap as the district’s mean minus the partner’s, to one decimal', () => {
    const s = summarizeCheckIns([...[5, 4, 4].map((n) => row('district', all(n))), ...[2, 3, 3].map((n) => row('partner', all(n)))]);
    expect(s.district.means?.relationship).toBe(4.3);
    expect(s.partner.means?.relationship).toBe(2.7);
    expect(s.gap?.results).toBe(1.6);
  });
});
