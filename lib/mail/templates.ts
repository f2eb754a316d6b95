import { DateTime } from 'luxon';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** "Tuesday, January 13, 2026 at 3:30 PM CST (America/Chicago)": local time with the zone named. */
export function formatLocalTime(epochMs: number, timeZone: string): string {
  const t = DateTime.fromMillis(epochMs, { zone: timeZone });
  return `${t.toFormat("cccc, LLLL d, yyyy 'at' h:mm a ZZZZ")} (${timeZone})`;
}

export function reviewReminder(input: {
  partnershipName: string;
  sequence: number;
  scheduledAt: number;
  timeZone: string;
  link: string;
}): RenderedMail {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const subject = `Reminder: quarterly review #${input.sequence} of ${input.partnershipName}`;
  const text = [
    `Quarterly review #${input.sequence} of ${input.partnershipName} is on ${when}.`,
    '',
    'Bring the evidence you committed to and your progress on open commitments.',
    '',
    `Details: ${input.link}`,
  ].join('\n');
  const html = `<p>Quarterly review #${input.sequence} of <strong>${escapeHtml(input.partnershipName)}</strong> is on ${escapeHtml(when)}.</p>
<p>Bring the evidence you committed to and your progress on open commitments.</p>
<p><a href="${escapeHtml(input.link)}">Open the review</a></p>`;
  return { subject, text, html };
}

export type CommitmentNotice = 'reminder' | 'overdue' | 'escalation';

export function commitmentNotice(
  notice: CommitmentNotice,
  input: { partnershipName: string; description: string; ownerName: string; dueAt: number; timeZone: string; link: string },
): RenderedMail {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const lead = {
    reminder: `A commitment in ${input.partnershipName} is due on ${due}.`,
    overdue: `A commitment in ${input.partnershipName} was due on ${due} and is now overdue.`,
    escalation: `A commitment in ${input.partnershipName}, owned by ${input.ownerName}, was due on ${due} and is still open.`,
  }[notice];
  const subject = {
    reminder: `Due soon: ${input.description}`,
    overdue: `Overdue: ${input.description}`,
    escalation: `Still overdue: ${input.description} (${input.ownerName})`,
  }[notice];
  const text = [lead, '', `Commitment: ${input.description}`, '', `Details: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>Commitment: <strong>${escapeHtml(input.description)}</strong></p>
<p><a href="${escapeHtml(input.link)}">Open the commitment</a></p>`;
  return { subject: subject.length > 200 ? `${subject.slice(0, 197)}...` : subject, text, html };
}
