import { DateTime } from 'luxon';

/** When a person wants mail, in their own zone. */
export interface DeliveryPreferences {
  timeZone: string;
  mailDelivery: 'immediate' | 'daily_digest';
  digestHour: number;
  quietFrom: string | null;
  quietUntil: string | null;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h as number) * 60 + (m as number);
};

/** The end of the quiet hours that `at` falls in, or null when `at` is outside them. */
export function quietHoursEnd(at: number, p: DeliveryPreferences): number | null {
  if (!p.quietFrom || !p.quietUntil) return null;
  const t = DateTime.fromMillis(at, { zone: p.timeZone });
  const now = t.hour * 60 + t.minute;
  const from = minutesOf(p.quietFrom);
  const until = minutesOf(p.quietUntil);
  const inside = from <= until ? now >= from && now < until : now >= from || now < until;
  if (!inside) return null;
  const endToday = t.startOf('day').set({ hour: Math.floor(until / 60), minute: until % 60 });
  return (endToday > t ? endToday : endToday.plus({ days: 1 })).toMillis();
}

/** The first digest time strictly after `at`, moved past quiet hours if it falls in them. */
export function nextDigestAt(at: number, p: DeliveryPreferences): number {
  const t = DateTime.fromMillis(at, { zone: p.timeZone });
  const today = t.startOf('day').set({ hour: p.digestHour });
  const next = (today > t ? today : t.startOf('day').plus({ days: 1 }).set({ hour: p.digestHour })).toMillis();
  return quietHoursEnd(next, p) ?? next;
}
