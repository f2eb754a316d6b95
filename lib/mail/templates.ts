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

interface ReviewMailInput {
  partnershipName: string;
  sequence: number;
  scheduledAt: number;
  timeZone: string;
  link: string;
}

export function reviewReminder(input: ReviewMailInput): RenderedMail {
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

export type DeadlineNotice = 'reminder' | 'overdue' | 'escalation';

/** A commitment's or an evidence request's notice; `label` names which ("commitment", "evidence request"). */
export function deadlineNotice(
  label: string,
  notice: DeadlineNotice,
  input: { partnershipName: string; description: string; ownerName: string; dueAt: number; timeZone: string; link: string },
): RenderedMail {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const Label = label.charAt(0).toUpperCase() + label.slice(1);
  const lead = {
    reminder: `A ${label} in ${input.partnershipName} is due on ${due}.`,
    overdue: `A ${label} in ${input.partnershipName} was due on ${due} and is now overdue.`,
    escalation: `A ${label} in ${input.partnershipName}, owned by ${input.ownerName}, was due on ${due} and is still open.`,
  }[notice];
  const subject = {
    reminder: `Due soon: ${input.description}`,
    overdue: `Overdue: ${input.description}`,
    escalation: `Still overdue: ${input.description} (${input.ownerName})`,
  }[notice];
  const text = [lead, '', `${Label}: ${input.description}`, '', `Details: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(Label)}: <strong>${escapeHtml(input.description)}</strong></p>
<p><a href="${escapeHtml(input.link)}">Open the ${escapeHtml(label)}</a></p>`;
  return { subject: subject.length > 200 ? `${subject.slice(0, 197)}...` : subject, text, html };
}

/** To the sponsor and the leads: a review passed its grace period without an outcome. */
export function reviewMissed(input: ReviewMailInput): RenderedMail {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const subject = `Missed: quarterly review #${input.sequence} of ${input.partnershipName}`;
  const lead = `Quarterly review #${input.sequence} of ${input.partnershipName} was planned for ${when}, and no outcome has been recorded.`;
  const ask = 'If it took place, record what was decided; if not, agree on a new date with the other side.';
  const text = [lead, '', ask, '', `Details: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(ask)}</p>
<p><a href="${escapeHtml(input.link)}">Open the partnership</a></p>`;
  return { subject, text, html };
}

export function reflectionPrompt(
  stage: 'prompt' | 'reminder',
  input: { partnershipName: string; sequence: number; closesAt: number; timeZone: string; link: string },
): RenderedMail {
  const closes = formatLocalTime(input.closesAt, input.timeZone);
  const lead =
    stage === 'prompt'
      ? `Review #${input.sequence} of ${input.partnershipName} took place. Take a few minutes to reflect on it.`
      : `Your reflection on review #${input.sequence} of ${input.partnershipName} is still missing.`;
  const questions = ['What worked?', "What didn't?", 'How could it be improved?'];
  const subject =
    stage === 'prompt'
      ? `Reflect on review #${input.sequence} of ${input.partnershipName}`
      : `Reminder: reflect on review #${input.sequence} of ${input.partnershipName}`;
  const text = [
    lead,
    '',
    ...questions.map((q) => `- ${q}`),
    '',
    `Answers are collected until ${closes}.`,
    '',
    `Answer here: ${input.link}`,
  ].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<ul>${questions.map((q) => `<li>${escapeHtml(q)}</li>`).join('')}</ul>
<p>Answers are collected until ${escapeHtml(closes)}.</p>
<p><a href="${escapeHtml(input.link)}">Answer here</a></p>`;
  return { subject, text, html };
}

export function reflectionSummary(input: {
  partnershipName: string;
  sequence: number;
  answered: string[];
  missing: string[];
  link: string;
}): RenderedMail {
  const total = input.answered.length + input.missing.length;
  const subject = `Reflections on review #${input.sequence} of ${input.partnershipName}: ${input.answered.length} of ${total} answered`;
  const list = (names: string[]) => (names.length ? names.join(', ') : 'nobody');
  const text = [
    `The reflection window for review #${input.sequence} of ${input.partnershipName} has closed.`,
    '',
    `Answered (${input.answered.length}): ${list(input.answered)}`,
    `Did not answer (${input.missing.length}): ${list(input.missing)}`,
    '',
    `Read the reflections: ${input.link}`,
  ].join('\n');
  const html = `<p>The reflection window for review #${input.sequence} of <strong>${escapeHtml(input.partnershipName)}</strong> has closed.</p>
<p>Answered (${input.answered.length}): ${escapeHtml(list(input.answered))}</p>
<p>Did not answer (${input.missing.length}): ${escapeHtml(list(input.missing))}</p>
<p><a href="${escapeHtml(input.link)}">Read the reflections</a></p>`;
  return { subject, text, html };
}
