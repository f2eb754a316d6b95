import { LRUCache } from 'lru-cache';
import { DateTime } from 'luxon';
import { button, heading, list, type Message, p, quote, rule, small, strong, subjectOf } from './message.js';

/**
 * Every message Tandem sends, as typed data (core/mail/message.tsx renders both parts of each, with
 * its reader's footer). One function a message; each says what happened, what is asked of its
 * reader and by when, with one button that leads to the page where they do it.
 */

/**
 * Times already written out, by instant and zone: every copy of a message names the same time, and
 * writing one out (luxon asks Intl for the zone's offset and its short name) took 0.6 ms, 9 % of the
 * worker's busy thread in a quarter-start burst (BENCHMARKS.md).
 */
const written = new LRUCache<string, string>({ max: 2000 });

/** "Tuesday, January 13, 2026 at 3:30 PM CST (America/Chicago)": local time with the zone named. */
export function formatLocalTime(epochMs: number, timeZone: string): string {
  const key = `${epochMs} ${timeZone}`;
  let text = written.get(key);
  if (text === undefined) {
    text = writeLocalTime(epochMs, timeZone);
    written.set(key, text);
  }
  return text;
}

function writeLocalTime(epochMs: number, timeZone: string): string {
  const t = DateTime.fromMillis(epochMs, { zone: timeZone });
  const when = t.toFormat("cccc, LLLL d, yyyy 'at' h:mm a ZZZZ");
  // "… 3:30 PM CST (America/Chicago)", but "… 11:21 PM UTC", not "UTC (UTC)".
  return t.offsetNameShort === timeZone || timeZone === 'UTC' ? when : `${when} (${timeZone})`;
}

interface ReviewMailInput {
  partnershipName: string;
  /** What the partnership calls its reviews: "quarterly review", "monthly review", "review" (core/reviews/label.ts). */
  label: string;
  sequence: number;
  scheduledAt: number;
  timeZone: string;
  link: string;
}

/** What every message about something due carries: its partnership, when it is due (in the reader's zone), and where to act. */
interface DueInput {
  partnershipName: string;
  dueAt: number;
  timeZone: string;
  link: string;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const reviewName = (i: ReviewMailInput) => `${i.label} #${i.sequence} of ${i.partnershipName}`;

export function reviewReminder(input: ReviewMailInput): Message {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  return {
    subject: subjectOf(`Reminder: ${reviewName(input)}`),
    preview: `On ${when}.`,
    blocks: [
      p(capital(input.label), ` #${input.sequence} of `, strong(input.partnershipName), ` is on ${when}.`),
      p('Bring the evidence you committed to and your progress on open commitments.'),
      button('Open the review', input.link),
    ],
  };
}

export type DeadlineNotice = 'reminder' | 'overdue' | 'escalation';

/** A commitment's or an evidence request's notice; `label` names which ("commitment", "evidence request"). */
export function deadlineNotice(
  label: string,
  notice: DeadlineNotice,
  input: DueInput & {
    description: string;
    ownerName: string;
    /** The copy goes to the owner: it speaks to them. */
    toOwner?: boolean;
  },
): Message {
  const due = formatLocalTime(input.dueAt, input.timeZone);
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
  return {
    subject: subjectOf(subject),
    blocks: [p(lead), p(`${capital(label)}: `, strong(input.description)), button(act, input.link)],
  };
}

/** To the owner of a new commitment or evidence request, at once: it is theirs, by when, and where. */
export function deadlineAssigned(label: string, input: DueInput & { description: string; by: string | null }): Message {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  const act = label === 'commitment' ? 'Mark it done, or ask for more time' : 'Submit the evidence, or ask for more time';
  return {
    subject: subjectOf(`New ${label} for you: ${input.description}`),
    preview: `Due ${due}.`,
    blocks: [
      p(`${input.by ? `${input.by} gave you` : 'You have'} a ${label} in ${input.partnershipName}, due ${due}.`),
      p(`${capital(label)}: `, strong(input.description)),
      button(act, input.link),
    ],
  };
}

/** To a member a comment mentions: who wrote what, on what, and where to answer. */
export function commentMention(input: { partnershipName: string; author: string; about: string; body: string; link: string }): Message {
  return {
    subject: subjectOf(`${input.author} mentioned you on ${input.about} in ${input.partnershipName}`),
    blocks: [
      p(`${input.author} mentioned you in a comment on ${input.about} in ${input.partnershipName}:`),
      quote(input.body.length > 1500 ? `${input.body.slice(0, 1497)}...` : input.body, input.author),
      button('Read it and answer', input.link),
    ],
  };
}

/** To the sponsor, once a held review's reflections have closed: the summary for the board is up to date. */
export function boardSummaryReady(input: { partnershipName: string; sequence: number; health: string | null; link: string }): Message {
  return {
    subject: subjectOf(`${input.partnershipName}: the summary for the board after review #${input.sequence}`),
    blocks: [
      p(`Review #${input.sequence} of ${input.partnershipName} was held and its reflections have closed.`),
      ...(input.health ? [p('Its health today: ', strong(input.health))] : []),
      p(
        'The one-page summary has its goals and measures with their trend, commitments kept on time by side, evidence by kind, how both sides rate the partnership, the themes of the reflections, and what is overdue; print it or download it as a PDF.',
      ),
      button('Open the summary for the board', input.link),
    ],
  };
}

/** To the owner of evidence a lead sent back: what to change, by when, and where. */
export function evidenceSentBack(input: DueInput & { description: string; comment: string; by: string | null }): Message {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  return {
    subject: subjectOf(`Sent back: ${input.description}`),
    preview: `Due again ${due}.`,
    blocks: [
      p(
        `${input.by ?? 'A lead'} looked at the evidence you submitted in ${input.partnershipName} and sent it back. It is due again ${due}.`,
      ),
      p('Evidence request: ', strong(input.description)),
      quote(input.comment, input.by ?? undefined),
      button('Submit the evidence again, or ask for more time', input.link),
    ],
  };
}

/** To the sponsor and the leads: a review passed its grace period without an outcome. */
export function reviewMissed(input: ReviewMailInput): Message {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  return {
    subject: subjectOf(`Missed: ${reviewName(input)}`),
    blocks: [
      p(
        `${capital(input.label)} #${input.sequence} of ${input.partnershipName} was planned for ${when}, and no outcome has been recorded.`,
      ),
      p(
        'If it took place, or was skipped, you can still record it until the next review begins; if not, agree on a new date with the other side.',
      ),
      button('Record it', input.link),
    ],
  };
}

export function reflectionPrompt(
  stage: 'prompt' | 'reminder',
  input: { partnershipName: string; sequence: number; closesAt: number; timeZone: string; link: string },
): Message {
  const closes = formatLocalTime(input.closesAt, input.timeZone);
  return {
    subject: subjectOf(
      stage === 'prompt'
        ? `Reflect on review #${input.sequence} of ${input.partnershipName}`
        : `Reminder: reflect on review #${input.sequence} of ${input.partnershipName}`,
    ),
    preview: 'What worked, what didn’t, how it could be improved.',
    blocks: [
      p(
        stage === 'prompt'
          ? `Review #${input.sequence} of ${input.partnershipName} took place. Take a few minutes to reflect on it.`
          : `Your reflection on review #${input.sequence} of ${input.partnershipName} is still missing.`,
      ),
      list('What worked?', "What didn't?", 'How could it be improved?'),
      p(`Answers are collected until ${closes}.`),
      button('Answer here', input.link),
    ],
  };
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
}): Message {
  const total = input.answered.length + input.missing.length;
  const names = (list: string[]) => (list.length ? list.join(', ') : 'nobody');
  const themeList = (themes: { phrase: string; people: number }[]) => themes.map((t) => `${t.phrase} (${t.people} people)`).join(', ');
  return {
    subject: subjectOf(
      `Reflections on review #${input.sequence} of ${input.partnershipName}: ${input.answered.length} of ${total} answered`,
    ),
    blocks: [
      p(`The reflection window for review #${input.sequence} of `, strong(input.partnershipName), ' has closed.'),
      p(`Answered (${input.answered.length}): ${names(input.answered)}`),
      p(`Did not answer (${input.missing.length}): ${names(input.missing)}`),
      ...(input.themes.length ? [p(strong('Themes across the answers:'), ` ${themeList(input.themes)}`)] : []),
      ...input.questions
        .filter((q) => q.answers.length)
        .flatMap((q) => [
          heading(q.label),
          ...q.answers.map((a) => quote(a.text, a.name)),
          ...(q.themes.length ? [small(`Themes: ${themeList(q.themes)}`)] : []),
        ]),
      button('Read the reflections', input.link),
    ],
  };
}

export function reviewInvitation(input: ReviewMailInput & { moved: { from: number | null; reason: string | null } | null }): Message {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  const from = input.moved?.from ? ` from ${formatLocalTime(input.moved.from, input.timeZone)}` : '';
  const why = input.moved?.reason ? ` (${input.moved.reason})` : '';
  return {
    subject: subjectOf(`${input.moved ? 'Moved' : 'Invitation'}: ${reviewName(input)}`),
    preview: when,
    blocks: [
      input.moved
        ? p(`${capital(input.label)} #${input.sequence} of ${input.partnershipName} has moved${from} to `, strong(when), `${why}.`)
        : p(`You are invited to ${input.label} #${input.sequence} of ${input.partnershipName} on `, strong(when), '.'),
      p('Both sides meet to look at the evidence, reflect on what worked and agree on the next commitments.'),
      p('The attached invitation adds it to your calendar.'),
      button('Open the review and its agenda', input.link),
    ],
  };
}

/** Sent with a calendar cancellation (CANCEL) when a review is skipped or the partnership ends. */
export function reviewCancelled(input: ReviewMailInput & { reason: string }): Message {
  const when = formatLocalTime(input.scheduledAt, input.timeZone);
  return {
    subject: subjectOf(`Cancelled: ${reviewName(input)}`),
    blocks: [
      p(
        `${capital(input.label)} #${input.sequence} of ${input.partnershipName}, planned for ${when}, will not take place: ${input.reason}.`,
      ),
      button('Open the review', input.link),
    ],
  };
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
): Message {
  const at = formatLocalTime(input.at, input.timeZone);
  const n = input.deadlines ?? 0;
  const open = `${n} open commitment${n === 1 ? ' or evidence request' : 's and evidence requests'}`;
  const lead = {
    paused: `${input.partnershipName} was paused on ${at}. Until it resumes, Tandem sends nothing about it: no reviews, reminders or deadline notices. When it resumes, open commitments and evidence requests are due later by the length of the pause.`,
    resumed: `${input.partnershipName} resumed on ${at}.`,
    ended: `${input.partnershipName} ended on ${at}. Its upcoming reviews are cancelled.`,
  }[notice];
  return {
    subject: subjectOf(`${input.partnershipName} is ${notice === 'resumed' ? 'active again' : notice}`),
    blocks: [
      p(lead),
      ...(input.reason ? [p(`Reason: ${input.reason}`)] : []),
      ...(notice === 'resumed' && n > 0 ? [p(`${open} ${n === 1 ? 'is' : 'are'} now due later by the length of the pause.`)] : []),
      ...(notice === 'ended' && n > 0 ? [p(`${open} ${n === 1 ? 'was' : 'were'} closed with it.`)] : []),
      ...(notice === 'resumed' && input.nextReviewAt !== null
        ? [p(`The next review is on ${formatLocalTime(input.nextReviewAt, input.timeZone)}.`)]
        : []),
      button('Open the partnership', input.link),
    ],
  };
}

type LinkInput = { link: string; expiresAt: number; timeZone: string };

/** A one-time link, and until when it works: the sign-in link and the fresh link differ only in words. */
function oneTimeLink(input: LinkInput, words: { subject: string; why: string; button: string; works: string; notYou: string }): Message {
  const until = formatLocalTime(input.expiresAt, input.timeZone);
  return {
    subject: words.subject,
    blocks: [
      p(words.why),
      button(words.button, input.link),
      small(`${words.works}, until ${until}. If ${words.notYou}, ignore this message: nothing happens without the link.`),
    ],
  };
}

/** A sign-in link someone asked for at the sign-in page. */
export function signIn(input: LinkInput): Message {
  return oneTimeLink(input, {
    subject: 'Your Tandem sign-in link',
    why: 'Someone asked to sign in to Tandem with this address; we hope it was you.',
    button: 'Sign in to Tandem',
    works: 'The link signs you in once',
    notYou: 'it was not you',
  });
}

/** A fresh link, asked for on the page of one that was used or had expired: to its recipient only. */
export function freshLink(input: LinkInput): Message {
  return oneTimeLink(input, {
    subject: 'Your fresh Tandem link',
    why: 'A link in an earlier message from Tandem had been used or had expired; here is a fresh one to the same page.',
    button: 'Open the page',
    works: 'It works once',
    notYou: 'you did not ask for it',
  });
}

/** One email gathering the messages held for a person's daily digest, oldest first. */
export function digest(input: { at: number; timeZone: string; items: { message: Message; unsubscribeUrl: string | null }[] }): Message {
  const day = DateTime.fromMillis(input.at, { zone: input.timeZone }).toFormat('cccc, LLLL d');
  const n = input.items.length;
  return {
    subject: `Your Tandem digest for ${day}: ${n} ${n === 1 ? 'reminder' : 'reminders'}`,
    blocks: [
      p(`${n} ${n === 1 ? 'message' : 'messages'} since your last digest:`),
      ...input.items.flatMap((item, i) => [
        ...(i > 0 ? [rule] : []),
        heading(`${i + 1}. ${item.message.subject}`),
        ...item.message.blocks,
        ...(item.unsubscribeUrl ? [small('Stop these reminders: ', item.unsubscribeUrl)] : []),
      ]),
    ],
  };
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
}): Message {
  return {
    subject: subjectOf(`${input.fromName}'s open work in ${input.partnershipName} is now ${input.toName}'s`),
    blocks: [
      p(`${input.fromName}'s open commitments and evidence requests in ${input.partnershipName} were handed to ${input.toName}.`),
      ...(input.reason ? [p(`Reason: ${input.reason}`)] : []),
      ...(input.items.length
        ? [list(...input.items.map((i) => [`${i.label}: `, strong(i.description), ` (due ${formatLocalTime(i.dueAt, input.timeZone)})`]))]
        : []),
      button('Open the partnership', input.link),
    ],
  };
}

/** An inquiry phase has begun and is its owner's to do. */
export function inquiryPhaseOpened(input: DueInput & { cycleNumber: number; phaseLabel: string; ask: string; question: string }): Message {
  const due = formatLocalTime(input.dueAt, input.timeZone);
  return {
    subject: subjectOf(`Your turn: ${input.phaseLabel} of inquiry cycle ${input.cycleNumber} in ${input.partnershipName}`),
    blocks: [
      p(`Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} asks: `, strong(input.question)),
      p(`The ${input.phaseLabel.toLowerCase()} phase is yours, due on ${due}: ${input.ask}`),
      button('Record it here', input.link),
    ],
  };
}

/** A cycle's reflection is in: what was decided, and what comes next. */
export function inquiryClosed(input: {
  partnershipName: string;
  cycleNumber: number;
  question: string;
  decision: string;
  next: string;
  link: string;
}): Message {
  return {
    subject: subjectOf(`Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} is closed: ${input.decision}`),
    blocks: [
      p(`Inquiry cycle ${input.cycleNumber} of ${input.partnershipName} asked: `, strong(input.question)),
      p(`Its reflection is in, and the decision was to ${input.decision}. ${input.next}`),
      button('Open the cycle', input.link),
    ],
  };
}

/** Once a month, to every member of a cohort: the lessons its partnerships shared in the month before. */
export function lessonDigest(input: {
  cohortName: string;
  month: string;
  lessons: { title: string; theme: string; partnershipName: string; saw: string }[];
  link: string;
}): Message {
  const n = input.lessons.length;
  const cut = (t: string) => (t.length > 300 ? `${t.slice(0, 297)}...` : t);
  return {
    subject: subjectOf(`${input.cohortName}: ${n} new ${n === 1 ? 'lesson' : 'lessons'} from ${input.month}`),
    blocks: [
      p(`What the partnerships of ${input.cohortName} learned from their inquiry cycles in ${input.month}:`),
      ...input.lessons.flatMap((l) => [heading(l.title), small(`${l.partnershipName} · ${l.theme}`), p(cut(l.saw))]),
      button('Read the lessons of the cohort', input.link),
    ],
  };
}

/** To a new address someone asked to use: the link that makes it theirs. */
export function addressConfirm(input: { name: string; newEmail: string; link: string; expiresAt: number; timeZone: string }): Message {
  const until = formatLocalTime(input.expiresAt, input.timeZone);
  return {
    subject: 'Confirm your new address for Tandem',
    blocks: [
      p(`${input.name} asked Tandem to send their mail to `, strong(input.newEmail), ' from now on.'),
      button('Confirm the new address', input.link),
      small(
        `Open the link to confirm it, until ${until}. Until then mail goes to the old address. If you did not ask for this, ignore this message: nothing changes without the link.`,
      ),
    ],
  };
}

/** To the old address: a change was asked for, or made. */
export function addressNotice(input: { stage: 'requested' | 'changed'; oldEmail: string; newEmail: string; by: string | null }): Message {
  return {
    subject: input.stage === 'requested' ? 'A new address was asked for your Tandem account' : 'Your Tandem address was changed',
    blocks: [
      p(
        input.stage === 'requested'
          ? `Someone signed in as you asked Tandem to send your mail to ${input.newEmail} instead of ${input.oldEmail}. It changes only if the link sent to ${input.newEmail} is opened.`
          : `Tandem now sends your mail to ${input.newEmail} instead of ${input.oldEmail}${input.by ? `; ${input.by} changed it` : ''}. You were signed out everywhere.`,
      ),
      p('If this was not you, tell your partnership lead or the people who run Tandem for you at once.'),
    ],
  };
}

/** Someone made staff of an organization (or an admin of it), by whom. */
export function staffGranted(input: { organizationName: string; isAdmin: boolean; by: string; link: string }): Message {
  const role = input.isAdmin ? 'an admin' : 'staff';
  return {
    subject: subjectOf(`You are now ${role} of ${input.organizationName} in Tandem`),
    blocks: [
      p(`${input.by} made you ${role} of ${input.organizationName} in Tandem.`),
      p(
        input.isAdmin
          ? `You can now manage ${input.organizationName}'s partnerships.`
          : `${input.organizationName}'s integrations may now act on your behalf in its partnerships, as the record will show.`,
      ),
      button('Open Tandem', input.link),
      small('If you do not expect this, tell the people who run Tandem for you.'),
    ],
  };
}

/**
 * The answer to a reply (core/replies/): what Tandem did with it, or why it did nothing and where to
 * act instead. Always to the copy's recipient, never to a From that may be forged.
 */
export function replyAnswer(input: {
  /** The subject of the message they replied to. */
  repliedTo: string;
  done: boolean;
  /** What was done, or why nothing was. */
  said: string;
  /** A note on how their words were read (a reflection without headings). */
  note?: string | undefined;
  link: string;
}): Message {
  return {
    subject: subjectOf(`${input.done ? 'Done' : 'Not done'}: Re: ${input.repliedTo.replace(/^(re:\s*)+/i, '')}`),
    blocks: [
      p(input.done ? 'Thank you: your reply was read, and ' : 'Your reply was read, but nothing was changed: ', input.said),
      ...(input.note ? [p(input.note)] : []),
      button(input.done ? 'See it' : 'Do it on the page', input.link),
      small('Tandem reads replies to the messages that ask you for something; a reply from another address is not taken.'),
    ],
  };
}

/** To the other leads when a lead declines a review's invitation in their calendar: the review may need a new date. */
export function reviewDeclined(input: {
  partnershipName: string;
  sequence: number;
  scheduledAt: number;
  timeZone: string;
  who: string;
  comment: string | null;
  link: string;
}): Message {
  return {
    subject: subjectOf(`${input.who} declined review #${input.sequence} of ${input.partnershipName}`),
    blocks: [
      p(
        `${input.who} declined the invitation to review #${input.sequence} of ${input.partnershipName}, on ${formatLocalTime(input.scheduledAt, input.timeZone)}.`,
      ),
      ...(input.comment ? [quote(input.comment, input.who)] : []),
      p('A review without both sides is hard to hold: you may want to move it to a time that suits both.'),
      button('Reschedule the review', input.link),
    ],
  };
}

/** To a webhook subscription's keepers: it failed for a day, so Tandem stopped sending to it. */
export function webhookPaused(input: {
  ownerName: string;
  url: string;
  failingSince: number;
  lastAnswer: string;
  waiting: number;
  timeZone: string;
  link: string;
}): Message {
  return {
    subject: subjectOf(`Tandem paused a webhook of ${input.ownerName}: its endpoint failed for a day`),
    blocks: [
      p(
        `Tandem could not deliver events to ${input.url} since ${formatLocalTime(input.failingSince, input.timeZone)}, so it paused the subscription. `,
        `Its last answer: ${input.lastAnswer}.`,
      ),
      p(
        `${input.waiting} ${input.waiting === 1 ? 'event waits' : 'events wait'} for it, in order. Once the endpoint works again, resume the subscription (PATCH /webhooks/{id} with "status": "active") and they go, each once.`,
      ),
      button('Open Tandem', input.link),
    ],
  };
}
