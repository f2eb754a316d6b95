import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type DeliveryPreferences, nextDigestAt, quietHoursEnd } from '../../core/mail/delivery-times.js';

const zone = 'America/New_York';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const utc = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const prefs = (p: Partial<DeliveryPreferences>): DeliveryPreferences => ({
  timeZone: zone,
  mailDelivery: 'immediate',
  digestHour: 7,
  quietFrom: null,
  quietUntil: null,
  ...p,
});

describe('quiet hours and digest times, in the reader’s zone', () => {
  it('holds what falls in quiet hours that span midnight until they end, and nothing outside them', () => {
    const night = prefs({ quietFrom: '22:00', quietUntil: '07:00' });
    expect(utc(quietHoursEnd(at('2027-01-12T23:30'), night))).toBe('2027-01-13T12:00:00.000Z');
    expect(utc(quietHoursEnd(at('2027-01-13T06:59'), night))).toBe('2027-01-13T12:00:00.000Z');
    expect(quietHoursEnd(at('2027-01-13T07:00'), night)).toBeNull();
    expect(quietHoursEnd(at('2027-01-12T21:59'), night)).toBeNull();
    const lunch = prefs({ quietFrom: '12:00', quietUntil: '13:00' });
    expect(utc(quietHoursEnd(at('2027-01-12T12:30'), lunch))).toBe('2027-01-12T18:00:00.000Z');
    expect(quietHoursEnd(at('2027-01-12T13:30'), lunch)).toBeNull();
    expect(quietHoursEnd(at('2027-01-12T23:30'), prefs({}))).toBeNull();
  });

  it('ends quiet hours at the local time on the night the clocks change', () => {
    const night = prefs({ quietFrom: '22:00', quietUntil: '07:00' });
    // 2027-03-14: New York springs forward at 02:00; 07:00 that morning is EDT (UTC-4).
    expect(utc(quietHoursEnd(at('2027-03-13T23:00'), night))).toBe('2027-03-14T11:00:00.000Z');
    // 2027-11-07: back at 02:00; 07:00 that morning is EST (UTC-5).
    expect(utc(quietHoursEnd(at('2027-11-06T23:00'), night))).toBe('2027-11-07T12:00:00.000Z');
  });

  it('sends the digest at the next digest hour, local, moved past quiet hours that cover it', () => {
    expect(utc(nextDigestAt(at('2027-01-12T06:00'), prefs({})))).toBe('2027-01-12T12:00:00.000Z');
    expect(utc(nextDigestAt(at('2027-01-12T07:00'), prefs({})))).toBe('2027-01-13T12:00:00.000Z');
    expect(utc(nextDigestAt(at('2027-03-13T09:00'), prefs({})))).toBe('2027-03-14T11:00:00.000Z');
    expect(utc(nextDigestAt(at('2027-01-12T09:00'), prefs({ quietFrom: '06:00', quietUntil: '08:30' })))).toBe('2027-01-13T13:30:00.000Z');
    expect(utc(nextDigestAt(at('2027-01-12T09:00'), prefs({ timeZone: 'Europe/Berlin', digestHour: 18 })))).toBe(
      '2027-01-12T17:00:00.000Z',
    );
  });
});
