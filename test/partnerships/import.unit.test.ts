import { describe, expect, it } from 'vitest';
import { rowToPartnership } from '../../core/partnerships/import.js';

/** A row of the import (and the new-partnership form, which reads its fields the same way). */
describe('a partnership row', () => {
  const row = {
    name: 'Lakeside literacy',
    district: 'Lakeside USD',
    partner: 'Center for School Change',
    time_zone: 'America/Chicago',
    first_review_at: '2027-03-04 15:30',
  };

  it('with nobody named says once that a lead is missing, at a column a person can find', () => {
    const { body, issues } = rowToPartnership(row, 2, undefined);
    expect(body).toBeUndefined();
    expect(issues).toEqual([{ line: 2, column: 'district_lead', message: 'name at least one lead, district or partner' }]);
  });

  it('with a lead is a partnership', () => {
    const { body, issues } = rowToPartnership({ ...row, district_lead: 'Ana Diaz <ana@lakeside.example>' }, 2, undefined);
    expect(issues).toEqual([]);
    expect(body?.members).toEqual([expect.objectContaining({ name: 'Ana Diaz', email: 'ana@lakeside.example', role: 'district_lead' })]);
  });
});
