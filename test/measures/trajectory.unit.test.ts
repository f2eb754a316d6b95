import { describe, expect, it } from 'vitest';
import { aimsRightWay, expectedAt, type MeasurePlan, standingOf } from '../../core/measures/trajectory.js';

const at = (iso: string) => new Date(iso);
// From 40% in January 2027 to 70% at the end of December 2027: 2.5 points a month, about.
const reading: MeasurePlan = {
  baseline: 40,
  baselineAt: at('2027-01-01T00:00:00Z'),
  target: 70,
  targetAt: at('2028-01-01T00:00:00Z'),
  direction: 'increase',
};
// Chronic absence from 18% down to 10% over the same year.
const absence: MeasurePlan = { ...reading, baseline: 18, target: 10, direction: 'decrease' };

describe("a measure's trajectory", () => {
  it('runs straight from the baseline to the target, and stays at the target after its date', () => {
    expect(expectedAt(reading, at('2027-01-01T00:00:00Z'))).toBe(40);
    expect(expectedAt(reading, at('2027-07-02T12:00:00Z'))).toBeCloseTo(55, 5);
    expect(expectedAt(reading, at('2029-06-01T00:00:00Z'))).toBe(70);
    // Before its baseline (a value recorded for an earlier review), the baseline.
    expect(expectedAt(reading, at('2026-11-01T00:00:00Z'))).toBe(40);
    expect(expectedAt(absence, at('2027-07-02T12:00:00Z'))).toBeCloseTo(14, 5);
  });

  it('judges the latest value at the time of its review, in the measure direction', () => {
    const midyear = at('2027-07-02T12:00:00Z');
    expect(standingOf(reading, null)).toEqual({ standing: 'no_value', expected: null });
    expect(standingOf(reading, { value: 56, at: midyear }).standing).toBe('on_track');
    expect(standingOf(reading, { value: 55, at: midyear }).standing).toBe('on_track');
    expect(standingOf(reading, { value: 52.5, at: midyear })).toEqual({ standing: 'behind', expected: expect.closeTo(55, 5) });
    expect(standingOf(reading, { value: 71, at: midyear }).standing).toBe('met');
    // Going down: lower is better.
    expect(standingOf(absence, { value: 13, at: midyear }).standing).toBe('on_track');
    expect(standingOf(absence, { value: 16, at: midyear }).standing).toBe('behind');
    expect(standingOf(absence, { value: 9.5, at: midyear }).standing).toBe('met');
    // Past the target's date, anything short of the target is behind.
    expect(standingOf(reading, { value: 69, at: at('2028-03-01T00:00:00Z') }).standing).toBe('behind');
  });

  it('aims above the baseline for an increase and below it for a decrease', () => {
    expect(aimsRightWay(reading)).toBe(true);
    expect(aimsRightWay({ ...reading, target: 30 })).toBe(false);
    expect(aimsRightWay({ ...reading, target: 40 })).toBe(false);
    expect(aimsRightWay(absence)).toBe(true);
    expect(aimsRightWay({ ...absence, target: 20 })).toBe(false);
  });
});
