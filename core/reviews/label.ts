/**
 * What a partnership calls its reviews, from its recurrence: "quarterly review" every three months,
 * "monthly review" every month, "review" otherwise (a one-off, set one at a time, or another rhythm).
 */
export function reviewLabel(rule: string | null | undefined): string {
  if (!rule) return 'review';
  const freq = /(?:^|;)FREQ=([A-Z]+)/i.exec(rule)?.[1]?.toUpperCase();
  const interval = Number(/(?:^|;)INTERVAL=(\d+)/i.exec(rule)?.[1] ?? 1);
  if (freq === 'MONTHLY' && interval === 3) return 'quarterly review';
  if (freq === 'MONTHLY' && interval === 1) return 'monthly review';
  if (freq === 'YEARLY' && interval === 1) return 'annual review';
  return 'review';
}
