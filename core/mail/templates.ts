import { DateTime } from 'luxon';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** "Tuesday, January 13, 2026 at 3:30 PM CST (America/Chicago)": local time with the zone named. */
export function formatLocalTime(epochMs: number, timeZone: string): string {
  const t = DateTime.fromMillis(epochMs, { zone: timeZone });
  const when = t.toFormat("cccc, LLLL d, yyyy 'at' h:mm a ZZZZ");
  // "… 3:30 PM CST (America/Chicago)", but "… 11:21 PM UTC", not "UTC (UTC)".
  return t.offsetNameShort === timeZone || timeZone === 'UTC' ? when : `${when} (${timeZone})`;
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
    `The review, its agenda and what is open: ${input.link}`,
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
  input: {
    partnershipName: string;
    description: string;
    ownerName: string;
    dueAt: number;
    timeZone: string;
    link: string;
    /** The copy goes to the owner: it speaks to them. */
    toOwner?: boolean;
  },
): RenderedMail {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const Label = label.charAt(0).toUpperCase() + label.slice(1);
  const lead = {
    reminder: `A ${label} in ${input.partnershipName} is due on ${due}.`,
    overdue: `A ${label} in ${input.partnershipName} was due on ${due} and is now overdue.`,
    escalation: input.toOwner
      ? `Your ${label} in ${input.partnershipName} was due on ${due} and is still open; the partnership's leads have been told.`
      : `A ${label} in ${input.partnershipName}, owned by ${input.ownerName}, was due on ${due} and is still open.`,
  }[notice];
  const subject = {
    reminder: `Due soon: ${input.description}`,
    overdue: `Overdue: ${input.description}`,
    escalation: input.toOwner ? `Still overdue: ${input.description}` : `Still overdue: ${input.description} (${input.ownerName})`,
  }[notice];
  const act =
    notice === 'escalation' && !input.toOwner
      ? `Open the ${label}`
      : label === 'commitment'
        ? 'Mark it done, or ask for more time'
        : 'Submit the evidence, or ask for more time';
  const text = [lead, '', `${Label}: ${input.description}`, '', `${act}: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(Label)}: <strong>${escapeHtml(input.description)}</strong></p>
<p><a href="${escapeHtml(input.link)}">${escapeHtml(act)}</a></p>`;
  return { subject: subject.length > 200 ? `${subject.slice(0, 197)}...` : subject, text, html };
}

/** To the sponsor and the leads: a review passed its grace period without an outcome. */
export function reviewMissed(input: ReviewMailInput): RenderedMail {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const subject = `Missed: quarterly review #${input.sequence} of ${input.partnershipName}`;
  const lead = `Quarterly review #${input.sequence} of ${input.partnershipName} was planned for ${when}, and no outcome has been recorded.`;
  const ask =
    'If it took place, or was skipped, you can still record it until the next review begins; if not, agree on a new date with the other side.';
  const text = [lead, '', ask, '', `Record it: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(ask)}</p>
<p><a href="${escapeHtml(input.link)}">Record it</a></p>`;
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
  /** The answers, question by question, with the themes that recur in each. */
  questions: { label: string; answers: { name: string; text: string }[]; themes: { phrase: string; people: number }[] }[];
  /** The themes across all the answers. */
  themes: { phrase: string; people: number }[];
  link: string;
}): RenderedMail {
  const total = input.answered.length + input.missing.length;
  const subject = `Reflections on review #${input.sequence} of ${input.partnershipName}: ${input.answered.length} of ${total} answered`;
  const list = (names: string[]) => (names.length ? names.join(', ') : 'nobody');
  const themeList = (themes: { phrase: string; people: number }[]) => themes.map((t) => `${t.phrase} (${t.people} people)`).join(', ');
  const text = [
    `The reflection window for review #${input.sequence} of ${input.partnershipName} has closed.`,
    '',
    `Answered (${input.answered.length}): ${list(input.answered)}`,
    `Did not answer (${input.missing.length}): ${list(input.missing)}`,
    ...(input.themes.length ? ['', `Themes across the answers: ${themeList(input.themes)}`] : []),
    ...input.questions.flatMap((q) =>
      q.answers.length
        ? [
            '',
            q.label,
            ...q.answers.map((a) => `- ${a.text} (${a.name})`),
            ...(q.themes.length ? [`  Themes: ${themeList(q.themes)}`] : []),
          ]
        : [],
    ),
    '',
    `Read the reflections: ${input.link}`,
  ].join('\n');
  const html = `<p>The reflection window for review #${input.sequence} of <strong>${escapeHtml(input.partnershipName)}</strong> has closed.</p>
<p>Answered (${input.answered.length}): ${escapeHtml(list(input.answered))}</p>
<p>Did not answer (${input.missing.length}): ${escapeHtml(list(input.missing))}</p>
${input.themes.length ? `<p><strong>Themes across the answers:</strong> ${escapeHtml(themeList(input.themes))}</p>\n` : ''}${input.questions
  .filter((q) => q.answers.length)
  .map(
    (q) => `<h3>${escapeHtml(q.label)}</h3>
<ul>${q.answers.map((a) => `<li>${escapeHtml(a.text)} <em>(${escapeHtml(a.name)})</em></li>`).join('')}</ul>${
      q.themes.length ? `\n<p>Themes: ${escapeHtml(themeList(q.themes))}</p>` : ''
    }`,
  )
  .join('\n')}
<p><a href="${escapeHtml(input.link)}">Read the reflections</a></p>`;
  return { subject, text, html };
}

/** Sent with a calendar invitation (REQUEST) when a review is planned or moves. */
export function reviewInvitation(input: ReviewMailInput & { moved: { from: number | null; reason: string | null } | null }): RenderedMail {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const subject = `${input.moved ? 'Moved' : 'Invitation'}: quarterly review #${input.sequence} of ${input.partnershipName}`;
  const from = input.moved?.from ? ` from ${formatLocalTime(input.moved.from, input.timeZone)}` : '';
  const why = input.moved?.reason ? ` (${input.moved.reason})` : '';
  const lead = input.moved
    ? `Quarterly review #${input.sequence} of ${input.partnershipName} has moved${from} to ${when}${why}.`
    : `You are invited to quarterly review #${input.sequence} of ${input.partnershipName} on ${when}.`;
  const ask = 'Both sides meet to look at the evidence, reflect on what worked and agree on the next commitments.';
  const text = [
    lead,
    '',
    ask,
    '',
    'The attached invitation adds it to your calendar.',
    '',
    `The review and its agenda: ${input.link}`,
  ].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(ask)}</p>
<p>The attached invitation adds it to your calendar.</p>
<p><a href="${escapeHtml(input.link)}">Open the review</a></p>`;
  return { subject, text, html };
}

/** Sent with a calendar cancellation (CANCEL) when a review is skipped or the partnership ends. */
export function reviewCancelled(input: ReviewMailInput & { reason: string }): RenderedMail {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const subject = `Cancelled: quarterly review #${input.sequence} of ${input.partnershipName}`;
  const lead = `Quarterly review #${input.sequence} of ${input.partnershipName}, planned for ${when}, will not take place: ${input.reason}.`;
  const text = [lead, '', `The review: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(input.link)}">Open the review</a></p>`;
  return { subject, text, html };
}

export type LifecycleNotice = 'paused' | 'resumed' | 'ended';

export function partnershipLifecycle(
  notice: LifecycleNotice,
  input: {
    partnershipName: string;
    at: number;
    reason?: string;
    nextReviewAt: number | null;
    /** Open commitments and evidence requests the resume moved, or the end closed. */
    deadlines?: number;
    timeZone: string;
    link: string;
  },
): RenderedMail {
  const at = formatLocalTime(input.at, input.timeZone);
  const subject = `${input.partnershipName} is ${notice === 'resumed' ? 'active again' : notice}`;
  const n = input.deadlines ?? 0;
  const open = `${n} open commitment${n === 1 ? ' or evidence request' : 's and evidence requests'}`;
  const lead = {
    paused: `${input.partnershipName} was paused on ${at}. Until it resumes, Tandem sends nothing about it: no reviews, reminders or deadline notices. When it resumes, open commitments and evidence requests are due later by the length of the pause.`,
    resumed: `${input.partnershipName} resumed on ${at}.`,
    ended: `${input.partnershipName} ended on ${at}. Its upcoming reviews are cancelled.`,
  }[notice];
  const lines = [
    lead,
    ...(input.reason ? [`Reason: ${input.reason}`] : []),
    ...(notice === 'resumed' && n > 0 ? [`${open} ${n === 1 ? 'is' : 'are'} now due later by the length of the pause.`] : []),
    ...(notice === 'ended' && n > 0 ? [`${open} ${n === 1 ? 'was' : 'were'} closed with it.`] : []),
    ...(notice === 'resumed' && input.nextReviewAt !== null
      ? [`The next review is on ${formatLocalTime(input.nextReviewAt, input.timeZone)}.`]
      : []),
  ];
  const text = [...lines, '', `The partnership: ${input.link}`].join('\n');
  const html = `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p><a href="${escapeHtml(input.link)}">Open the partnership</a></p>`;
  return { subject, text, html };
}

/** A sign-in link someone asked for at the sign-in page. */
export function signIn(input: { link: string; expiresAt: number; timeZone: string }): RenderedMail {
  const until = formatLocalTime(input.expiresAt, input.timeZone);
  const subject = 'Your Tandem sign-in link';
  const lead = 'Someone asked to sign in to Tandem with this address; we hope it was you.';
  const use = `The link signs you in once, until ${until}.`;
  const ignore = 'If it was not you, ignore this message: nothing happens without the link.';
  const text = [lead, '', `Sign in: ${input.link}`, '', use, ignore].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(input.link)}">Sign in to Tandem</a></p>
<p>${escapeHtml(use)} ${escapeHtml(ignore)}</p>`;
  return { subject, text, html };
}

/** One email gathering the messages held for a person's daily digest, oldest first. */
export function digest(input: { at: number; timeZone: string; items: (RenderedMail & { unsubscribeUrl: string | null })[] }): RenderedMail {
  const day = DateTime.fromMillis(input.at, { zone: input.timeZone }).toFormat('cccc, LLLL d');
  const n = input.items.length;
  const subject = `Your Tandem digest for ${day}: ${n} ${n === 1 ? 'reminder' : 'reminders'}`;
  const rule = '-'.repeat(40);
  const text = [
    `${n} ${n === 1 ? 'message' : 'messages'} since your last digest:`,
    ...input.items.flatMap((m, i) => [
      '',
      rule,
      `${i + 1}. ${m.subject}`,
      '',
      m.text,
      ...(m.unsubscribeUrl ? ['', `To stop these reminders: ${m.unsubscribeUrl}`] : []),
    ]),
  ].join('\n');
  // Each item's HTML was escaped when it was rendered.
  const html = `<p>${n} ${n === 1 ? 'message' : 'messages'} since your last digest:</p>
${input.items
  .map(
    (m, i) =>
      `<h3>${i + 1}. ${escapeHtml(m.subject)}</h3>\n${m.html}${
        m.unsubscribeUrl ? `\n<p style="font-size:small"><a href="${escapeHtml(m.unsubscribeUrl)}">Stop these reminders</a></p>` : ''
      }`,
  )
  .join('\n<hr>\n')}`;
  return { subject, text, html };
}

/** The part under every message: which zone its times are in, and how to stop optional ones. */
export function withFooter(
  mail: RenderedMail,
  opts: { timeZone: string; unsubscribeUrl: string | null; partnershipName?: string },
): RenderedMail {
  const zone = `Times in this message are in ${opts.timeZone}.`;
  const stop = opts.unsubscribeUrl
    ? `To stop reminders${opts.partnershipName ? ` from ${opts.partnershipName}` : ''}: ${opts.unsubscribeUrl}`
    : null;
  const text = [mail.text, '', '--', zone, ...(stop ? [stop] : [])].join('\n');
  const html = `${mail.html}
<hr>
<p style="color:#666;font-size:small">${escapeHtml(zone)}${
    opts.unsubscribeUrl
      ? `<br><a href="${escapeHtml(opts.unsubscribeUrl)}">Stop reminders${opts.partnershipName ? ` from ${escapeHtml(opts.partnershipName)}` : ''}</a>`
      : ''
  }</p>`;
  return { subject: mail.subject, text, html };
}

/** Someone's open work handed to another member: the same notice to both. */
export function workHandedOver(input: {
  partnershipName: string;
  fromName: string;
  toName: string;
  reason: string | null;
  items: { label: string; description: string; dueAt: number }[];
  timeZone: string;
  link: string;
}): RenderedMail {
  const subject = `${input.fromName}'s open work in ${input.partnershipName} is now ${input.toName}'s`;
  const lead = `${input.fromName}'s open commitments and evidence requests in ${input.partnershipName} were handed to ${input.toName}.`;
  const items = input.items.map((i) => `${i.label}: ${i.description} (due ${formatLocalTime(i.dueAt, input.timeZone)})`);
  const lines = [lead, ...(input.reason ? [`Reason: ${input.reason}`] : [])];
  const text = [...lines, '', ...items.map((i) => `- ${i}`), '', `The partnership: ${input.link}`].join('\n');
  const html = `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>
<p><a href="${escapeHtml(input.link)}">Open the partnership</a></p>`;
  return { subject, text, html };
}

/** An inquiry phase has begun and is its owner's to do. */
export function inquiryPhaseOpened(input: {
  partnershipName: string;
  cycleNumber: number;
  phaseLabel: string;
  ask: string;
  question: string;
  dueAt: number;
  timeZone: string;
  link: string;
}): RenderedMail {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const subject = `Your turn: ${input.phaseLabel} of inquiry cycle ${input.cycleNumber} in ${input.partnershipName}`;
  const lead = `Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} asks: ${input.question}`;
  const ask = `The ${input.phaseLabel.toLowerCase()} phase is yours, due on ${due}: ${input.ask}`;
  const text = [lead, '', ask, '', `Record it here: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(ask)}</p>
<p><a href="${escapeHtml(input.link)}">Record it here</a></p>`;
  return { subject, text, html };
}

/** A cycle's reflection is in: what was decided, and what comes next. */
export function inquiryClosed(input: {
  partnershipName: string;
  cycleNumber: number;
  question: string;
  decision: string;
  next: string;
  link: string;
}): RenderedMail {
  const subject = `Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} is closed: ${input.decision}`;
  const lines = [
    `Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} asked: ${input.question}`,
    `Its reflection is in, and the decision was to ${input.decision}. ${input.next}`,
  ];
  const text = [...lines, '', `The cycle, phase by phase: ${input.link}`].join('\n');
  const html = `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')}
<p><a href="${escapeHtml(input.link)}">Open the cycle</a></p>`;
  return { subject, text, html };
}

/** To a new address someone asked to use: the link that makes it theirs. */
export function addressConfirm(input: { name: string; newEmail: string; link: string; expiresAt: number; timeZone: string }): RenderedMail {
  const until = formatLocalTime(input.expiresAt, input.timeZone);
  const subject = 'Confirm your new address for Tandem';
  const lead = `${input.name} asked Tandem to send their mail to ${input.newEmail} from now on.`;
  const use = `Open the link to confirm it, until ${until}. Until then mail goes to the old address.`;
  const ignore = 'If you did not ask for this, ignore this message: nothing changes without the link.';
  const text = [lead, '', `Confirm: ${input.link}`, '', use, ignore].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(input.link)}">Confirm the new address</a></p>
<p>${escapeHtml(use)} ${escapeHtml(ignore)}</p>`;
  return { subject, text, html };
}

/** To the old address: a change was asked for, or made. */
export function addressNotice(input: {
  stage: 'requested' | 'changed';
  oldEmail: string;
  newEmail: string;
  by: string | null;
}): RenderedMail {
  const subject = input.stage === 'requested' ? 'A new address was asked for your Tandem account' : 'Your Tandem address was changed';
  const lead =
    input.stage === 'requested'
      ? `Someone signed in as you asked Tandem to send your mail to ${input.newEmail} instead of ${input.oldEmail}. It changes only if the link sent to ${input.newEmail} is opened.`
      : `Tandem now sends your mail to ${input.newEmail} instead of ${input.oldEmail}${input.by ? `; ${input.by} changed it` : ''}. You were signed out everywhere.`;
  const help = 'If this was not you, tell your partnership lead or the people who run Tandem for you at once.';
  return { subject, text: [lead, '', help].join('\n'), html: `<p>${escapeHtml(lead)}</p>\n<p>${escapeHtml(help)}</p>` };
}

/** Someone made staff of an organization (or an admin of it), by whom. */
export function staffGranted(input: { organizationName: string; isAdmin: boolean; by: string; link: string }): RenderedMail {
  const role = input.isAdmin ? 'an admin' : 'staff';
  const subject = `You are now ${role} of ${input.organizationName} in Tandem`;
  const lead = `${input.by} made you ${role} of ${input.organizationName} in Tandem.`;
  const what = input.isAdmin
    ? `You can now manage ${input.organizationName}'s partnerships.`
    : `${input.organizationName}'s integrations may now act on your behalf in its partnerships, as the record will show.`;
  const help = 'If you do not expect this, tell the people who run Tandem for you.';
  const text = [lead, what, '', `Tandem: ${input.link}`, '', help].join('\n');
  const html = `<p>${escapeHtml(lead)} ${escapeHtml(what)}</p>
<p><a href="${escapeHtml(input.link)}">Open Tandem</a></p>
<p>${escapeHtml(help)}</p>`;
  return { subject, text, html };
}

/** A fresh link, asked for on the page of one that was used or had expired: to its recipient only. */
export function freshLink(input: { link: string; expiresAt: number; timeZone: string }): RenderedMail {
  const until = formatLocalTime(input.expiresAt, input.timeZone);
  const subject = 'Your fresh Tandem link';
  const lead = 'A link in an earlier message from Tandem had been used or had expired; here is a fresh one to the same page.';
  const use = `It works once, until ${until}.`;
  const ignore = 'If you did not ask for it, ignore this message: nothing happens without the link.';
  const text = [lead, '', `Open it: ${input.link}`, '', use, ignore].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p><a href="${escapeHtml(input.link)}">Open the page</a></p>
<p>${escapeHtml(use)} ${escapeHtml(ignore)}</p>`;
  return { subject, text, html };
}

/** To the owner of a new commitment or evidence request, at once: it is theirs, by when, and where. */
export function deadlineAssigned(
  label: string,
  input: { partnershipName: string; description: string; dueAt: number; timeZone: string; link: string; by: string | null },
): RenderedMail {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const Label = label.charAt(0).toUpperCase() + label.slice(1);
  const subject = `New ${label} for you: ${input.description}`;
  const lead = `${input.by ? `${input.by} gave you` : 'You have'} a ${label} in ${input.partnershipName}, due ${due}.`;
  const act = label === 'commitment' ? 'Mark it done, or ask for more time' : 'Submit the evidence, or ask for more time';
  const text = [lead, '', `${Label}: ${input.description}`, '', `${act}: ${input.link}`].join('\n');
  const html = `<p>${escapeHtml(lead)}</p>
<p>${escapeHtml(Label)}: <strong>${escapeHtml(input.description)}</strong></p>
<p><a href="${escapeHtml(input.link)}">${escapeHtml(act)}</a></p>`;
  return { subject: subject.length > 200 ? `${subject.slice(0, 197)}...` : subject, text, html };
}
