import { goalsOf } from '../../core/measures/goals.js';
import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { partnershipScope, seesCheckIns, seesReflections, seesRepliesNotUnderstood, standingIn } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import { partnershipCheckIns } from '../../core/reflections/check-ins.js';
import { reflectionThemes, THEMES_METHOD } from '../../core/reflections/themes.js';
import { attendanceLine, attendanceOf } from '../../core/replies/attendance.js';
import { repliesNotUnderstood } from '../../core/replies/receive.js';
import type { Db } from '../../lib/db/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { PATHWAY_LABELS, Status, When } from '../http/format.js';
import type { Outcome, PageContext } from '../http/pages.js';
import { CycleList } from '../inquiry/cycle.js';
import { GoalsSection } from '../measures/measures.js';
import { MemberLine, RosterForms, type RosterState } from '../people/roster.js';
import { CheckIns } from '../reflections/check-ins.js';
import { PlanningLink } from './planning.js';

/** What a member sees of a partnership: reviews and outcomes, deadlines, reflections, the timeline. */
export async function partnershipPage(ctx: PageContext, roster?: RosterState): Promise<Outcome> {
  const { db } = ctx.deps;
  const id = ctx.param('partnershipId');
  const p = await loadPage(db, ctx.me, id);
  if (!p) throw new NotFoundError(`Partnership ${id} does not exist`);
  const zone = (await chosenZone(db, ctx.me.id)) ?? p.timeZone;
  const held = p.reviews.filter((r) => r.status === 'held');
  const running = p.status !== 'completed' && p.status !== 'ended_early';
  const standing = await standingIn(db, ctx.me, p);
  const manages = running && standing.manages;
  const checkIns = seesCheckIns(standing) ? await partnershipCheckIns(db, p.id) : null;
  const goals = await goalsOf(db, p.id);
  const attendance = await attendanceOf(
    db,
    p.reviews.filter((r) => r.status === 'scheduled').map((r) => r.id),
  );
  const unread = seesRepliesNotUnderstood(standing) ? await repliesNotUnderstood(db, p.id) : [];
  return {
    title: p.name,
    body: (
      <>
        <h1>{p.name}</h1>
        <p class="meta">
          <Status value={p.status} /> {p.district.name} with {p.partner.name} · times in {zone}
        </p>
        {checkIns && (
          <p>
            <a href={`${pages.partnership(p.id)}/summary`}>Summary for the board</a>
          </p>
        )}
        <Record p={p} zone={zone} />
        {unread.length > 0 && <RepliesNotUnderstood replies={unread} zone={zone} />}
        {p.status === 'planning' && <PlanningLink partnershipId={p.id} />}

        <ReviewList p={p} zone={zone} attendance={attendance} />

        <DeadlineList
          id="commitments"
          title="Commitments"
          empty="None yet."
          items={p.commitments}
          href={(c) => pages.commitment(p.id, c.id)}
          detail={(c) => ` (${c.side})`}
          zone={zone}
        />

        <DeadlineList
          id="evidence"
          title="Evidence"
          empty="None asked for yet."
          items={p.evidenceRequests}
          href={(e) => pages.evidence(p.id, e.id)}
          detail={(e) => ` · ${e.items.length} ${e.items.length === 1 ? 'item' : 'items'} so far`}
          zone={zone}
        />

        <GoalsSection partnershipId={p.id} goals={goals} mayPlan={running && standing.leads} />

        <CycleList partnershipId={p.id} cycles={p.inquiryCycles} mayStart={p.status === 'active' && standing.leads} />

        <section aria-labelledby="reflections">
          <h2 id="reflections">Reflections</h2>
          {held.length === 0 ? (
            <p class="empty">Reflections follow each review that is held.</p>
          ) : (
            held.map((r) => <ReflectionSummary key={r.id} review={r} answers={seesReflections(standing)} />)
          )}
        </section>

        {checkIns && <CheckIns reviews={checkIns} />}

        <section aria-labelledby="members">
          <h2 id="members">Members</h2>
          {manages ? (
            <RosterForms partnershipId={p.id} members={p.members} csrf={ctx.csrf} state={roster} />
          ) : (
            <ul class="items">
              {p.members.map((m) => (
                <li key={m.personId}>
                  <MemberLine member={m} />
                </li>
              ))}
            </ul>
          )}
        </section>

        <Timeline p={p} zone={zone} />
      </>
    ),
  };
}

/** Replies to Tandem's mail that it could not act on: the leads read them and follow up. */
function RepliesNotUnderstood({ replies, zone }: { replies: Awaited<ReturnType<typeof repliesNotUnderstood>>; zone: string }) {
  return (
    <section aria-labelledby="replies">
      <h2 id="replies">Replies Tandem did not understand</h2>
      <ul class="items">
        {replies.map((r) => (
          <li key={r.id}>
            <strong>{r.person?.name ?? r.fromAddress}</strong> replied to “{r.subject}” on <When at={r.receivedAt} zone={zone} />:
            <blockquote>{r.text || '(no text)'}</blockquote>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The partnership as its page shows it, if the reader may see it. */
function loadPage(db: Db, me: PersonPrincipal, id: string) {
  return db.partnership.findFirst({
    where: { AND: [{ id }, partnershipScope(me)] },
    include: {
      district: true,
      partner: true,
      members: { include: { person: true }, orderBy: { person: { name: 'asc' } } },
      reviews: {
        orderBy: { sequence: 'desc' },
        include: { reflections: { include: { person: true }, orderBy: { person: { name: 'asc' } } } },
      },
      commitments: { include: { owner: true }, orderBy: { dueAt: 'asc' } },
      evidenceRequests: { include: { owner: true, items: true }, orderBy: { dueAt: 'asc' } },
      events: { orderBy: { id: 'desc' }, take: 50 },
      inquiryCycles: { orderBy: { number: 'desc' } },
    },
  });
}

type Shown = { p: NonNullable<Awaited<ReturnType<typeof loadPage>>>; zone: string };

function Record({ p, zone }: Shown) {
  if (!(p.goals || p.sharedFramework || p.engagementPathway || p.plannedStart || p.plannedEnd)) return null;
  return (
    <section aria-labelledby="record">
      <h2 id="record">What it sets out to do</h2>
      <dl class="record">
        {p.goals && (
          <>
            <dt>Goals</dt>
            <dd>{p.goals}</dd>
          </>
        )}
        {p.sharedFramework && (
          <>
            <dt>Shared framework</dt>
            <dd>{p.sharedFramework}</dd>
          </>
        )}
        {p.engagementPathway && (
          <>
            <dt>Engagement pathway</dt>
            <dd>{PATHWAY_LABELS[p.engagementPathway]}</dd>
          </>
        )}
        {p.status === 'planning' && p.plannedStart && (
          <>
            <dt>Starts</dt>
            <dd>
              <When at={p.plannedStart} zone={zone} />
            </dd>
          </>
        )}
        {p.plannedEnd && (
          <>
            <dt>Planned end</dt>
            <dd>
              <When at={p.plannedEnd} zone={zone} />
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function ReviewList({ p, zone, attendance }: Shown & { attendance: Awaited<ReturnType<typeof attendanceOf>> }) {
  return (
    <section aria-labelledby="reviews">
      <h2 id="reviews">Reviews</h2>
      {p.reviews.length === 0 ? (
        <p class="empty">No review planned yet.</p>
      ) : (
        <ul class="items">
          {p.reviews.map((r) => (
            <li key={r.id}>
              <Status value={r.status} /> <a href={pages.review(p.id, r.id)}>Review #{r.sequence}</a>
              <span class="meta">
                <When at={r.scheduledAt} zone={zone} />
                {r.skipReason ? ` · ${r.skipReason}` : ''}
                <AttendanceLine answers={attendance.get(r.id)} invited={p.members.length} />
              </span>
              {r.notes && <p class="notes">{r.notes}</p>}
              {r.decisions.length > 0 && (
                <ul>
                  {r.decisions.map((d) => (
                    <li key={d}>{d}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "2 of 6 declined" after a review, when calendar apps have answered its invitation. */
function AttendanceLine({ answers, invited }: { answers: { response: string }[] | undefined; invited: number }) {
  const line = attendanceLine(answers ?? [], invited);
  return line ? ` · ${line}` : null;
}

type DeadlineItem = { id: string; status: string; description: string; owner: { name: string }; dueAt: Date };

/** A partnership's commitments or evidence requests: each with its owner and due time, and what else `detail` says. */
function DeadlineList<T extends DeadlineItem>(props: {
  id: string;
  title: string;
  empty: string;
  items: T[];
  href: (item: T) => string;
  detail: (item: T) => string;
  zone: string;
}) {
  const { id, title, empty, items, href, detail, zone } = props;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {items.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ul class="items">
          {items.map((d) => (
            <li key={d.id}>
              <Status value={d.status} /> <a href={href(d)}>{d.description}</a>
              <span class="meta">
                {d.owner.name}
                {detail(d)}, due <When at={d.dueAt} zone={zone} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The last 50 events, newest first, each with who did it (and for whom). */
function Timeline({ p, zone }: Shown) {
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      <ol class="timeline">
        {p.events.map((e) => (
          <li key={String(e.id)}>
            <When at={e.occurredAt} zone={zone} /> · {e.type.replace(/[._]/g, ' ')}
            <span class="meta">
              {' '}
              by {e.actor === 'system' ? 'Tandem' : (e.actorName ?? 'an API key')}
              {e.onBehalfOfName ? ` for ${e.onBehalfOfName}` : ''}
              {e.via === 'email' ? ', by email' : ''}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

type ReviewWithReflections = {
  id: string;
  sequence: number;
  reflectionsClosedAt: Date | null;
  reflections: {
    id: string;
    submittedAt: Date | null;
    whatWorked: string | null;
    whatDidnt: string | null;
    howToImprove: string | null;
    personId: string;
    person: { name: string };
  }[];
};

/**
 * Who answered the debrief of a review, and what they said, question by question, with the themes
 * that recur in the answers (core/reflections/themes.ts, whose method the page states).
 */
export function ReflectionSummary({ review, answers }: { review: ReviewWithReflections; answers: boolean }) {
  const answered = review.reflections.filter((x) => x.submittedAt);
  const themes = reflectionThemes(answered);
  const named = (list: { phrase: string; people: number }[]) => list.map((t) => `${t.phrase} (${t.people})`).join(', ');
  if (!answers) {
    // What the form promises: the leads see everyone's answers; the others see how many answered,
    // and the themes once nobody can answer any more (so nobody reads the others' before writing).
    return (
      <article class="reflections">
        <h3>
          Review #{review.sequence}: {answered.length} of {review.reflections.length} answered
          {review.reflectionsClosedAt ? '' : ' (still open)'}
        </h3>
        {review.reflectionsClosedAt && themes.overall.length > 0 && (
          <p>
            <strong>Themes across the answers:</strong> {named(themes.overall)}
          </p>
        )}
        <p class="hint">The partnership's leads see everyone's answers; you see your own on your reflection's page.</p>
      </article>
    );
  }
  return (
    <article class="reflections">
      <h3>
        Review #{review.sequence}: {answered.length} of {review.reflections.length} answered
        {review.reflectionsClosedAt ? '' : ' (still open)'}
      </h3>
      {themes.overall.length > 0 && (
        <p>
          <strong>Themes across the answers:</strong> {named(themes.overall)}
        </p>
      )}
      {answered.length > 0 &&
        themes.byQuestion.map((q) => (
          <div key={q.field}>
            <h4>{q.label}</h4>
            <ul>
              {answered
                .filter((x) => x[q.field]?.trim())
                .map((x) => (
                  <li key={x.id}>
                    {x[q.field]} <span class="meta">({x.person.name})</span>
                  </li>
                ))}
            </ul>
            {q.themes.length > 0 && <p class="meta">Themes: {named(q.themes)}</p>}
          </div>
        ))}
      {answered.length > 1 && <p class="hint">{THEMES_METHOD} The number after a theme is how many people used it.</p>}
    </article>
  );
}
