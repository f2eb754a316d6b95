import { pages } from '../../core/pages.js';
import type { PersonPrincipal } from '../../core/people/principal.js';
import { mayStart, partnershipScope } from '../../core/people/rights.js';
import { chosenZone } from '../../core/people/zone.js';
import type { Db } from '../../lib/db/client.js';
import { Status, When } from '../http/format.js';
import type { PageContext } from '../http/pages.js';

/** What is waiting for the person, each list in the order the page shows it. */
async function loadWork(db: Db, me: PersonPrincipal) {
  const mine = { members: { some: { personId: me.id } } };
  const [reflections, commitments, evidence, reviews, missed, partnerships] = await Promise.all([
    db.reflection.findMany({
      where: { personId: me.id, submittedAt: null, review: { reflectionsClosedAt: null, status: 'held' } },
      include: { review: { include: { partnership: true } } },
      orderBy: { promptedAt: 'asc' },
    }),
    db.commitment.findMany({
      where: { ownerId: me.id, status: { in: ['open', 'overdue'] } },
      include: { partnership: true },
      orderBy: [{ status: 'desc' }, { dueAt: 'asc' }],
    }),
    db.evidenceRequest.findMany({
      where: { ownerId: me.id, status: { in: ['open', 'overdue'] } },
      include: { partnership: true },
      orderBy: [{ status: 'desc' }, { dueAt: 'asc' }],
    }),
    db.review.findMany({
      where: { status: 'scheduled', partnership: { ...mine, status: { in: ['active', 'planning'] } } },
      include: { partnership: true },
      orderBy: { scheduledAt: 'asc' },
      take: 20,
    }),
    db.review.findMany({
      where: {
        status: 'missed',
        partnership: { members: { some: { personId: me.id, role: { in: ['executive_sponsor', 'district_lead', 'partner_lead'] } } } },
      },
      include: { partnership: true },
      orderBy: { scheduledAt: 'desc' },
      take: 10,
    }),
    db.partnership.findMany({ where: mine, orderBy: { name: 'asc' } }),
  ]);
  // Coordinators, organization admins and the installation's admins see partnerships they are not in.
  const overseen = await db.partnership.findMany({
    where: { AND: [partnershipScope(me), { NOT: mine }] },
    orderBy: { name: 'asc' },
    take: 100,
  });
  return { reflections, commitments, evidence, reviews, missed, partnerships, overseen };
}

/**
 * "My work": what is waiting for the person, soonest first, in their zone: reflections to write,
 * their open commitments and evidence requests (overdue first), their upcoming reviews, and for a
 * lead, reviews that were missed and can still be recorded.
 */
export async function myWork({ deps, me }: PageContext) {
  const { db } = deps;
  const readerZone = await chosenZone(db, me.id);
  const zone = (p: { timeZone: string }) => readerZone ?? p.timeZone;
  const { reflections, commitments, evidence, reviews, missed, partnerships, overseen } = await loadWork(db, me);
  const may = await mayStart(db, me);
  const fresh = partnerships.length === 0 && overseen.length === 0;
  const deadlines = [
    ...commitments.map((c) => ({ ...c, what: 'Commitment', href: pages.commitment(c.partnershipId, c.id) })),
    ...evidence.map((e) => ({ ...e, what: 'Evidence', href: pages.evidence(e.partnershipId, e.id) })),
  ].sort((a, b) => (a.status === b.status ? a.dueAt.getTime() - b.dueAt.getTime() : a.status === 'overdue' ? -1 : 1));
  return {
    title: 'My work',
    body: (
      <>
        <h1>My work</h1>
        {fresh && may.partnership && <StartHere cohort={may.cohort} import={may.import} />}
        <section aria-labelledby="reflect">
          <h2 id="reflect">Reflections waiting for you</h2>
          {reflections.length === 0 ? (
            <p class="empty">None: you have answered every reflection you were asked for.</p>
          ) : (
            <ul class="items">
              {reflections.map((r) => (
                <li key={r.id}>
                  <a href={pages.reflection(r.review.partnershipId, r.reviewId)}>
                    Reflect on review #{r.review.sequence} of {r.review.partnership.name}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="deadlines">
          <h2 id="deadlines">Your commitments and evidence</h2>
          {deadlines.length === 0 ? (
            <p class="empty">Nothing open.</p>
          ) : (
            <ul class="items">
              {deadlines.map((d) => (
                <li key={d.id}>
                  <Status value={d.status} /> <a href={d.href}>{d.description}</a>
                  <span class="meta">
                    {d.what} in {d.partnership.name}, due <When at={d.dueAt} zone={zone(d.partnership)} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {missed.length > 0 && (
          <section aria-labelledby="missed">
            <h2 id="missed">Missed reviews you can still record</h2>
            <ReviewItems reviews={missed} zone={zone} planned />
          </section>
        )}
        <section aria-labelledby="upcoming">
          <h2 id="upcoming">Upcoming reviews</h2>
          {reviews.length === 0 ? <p class="empty">None planned.</p> : <ReviewItems reviews={reviews} zone={zone} />}
        </section>
        <section aria-labelledby="partnerships">
          <h2 id="partnerships">Your partnerships</h2>
          {partnerships.length === 0 ? (
            <p class="empty">You are not a member of a partnership yet.</p>
          ) : (
            <PartnershipItems partnerships={partnerships} />
          )}
          <p>
            <a href="/settings">Your mail settings and calendar feed</a>
          </p>
        </section>
        {overseen.length > 0 && (
          <section aria-labelledby="overseen">
            <h2 id="overseen">Partnerships you oversee</h2>
            <PartnershipItems partnerships={overseen} />
          </section>
        )}
      </>
    ),
  };
}

/** For someone who may start a partnership and sees none yet: where to begin. */
function StartHere(may: { cohort: boolean; import: boolean }) {
  return (
    <section class="notice" aria-labelledby="start">
      <h2 id="start">Start here</h2>
      <p>
        There is no partnership yet. <a href="/dashboard/new">Create a partnership</a>
        {may.cohort ? (
          <>
            , or <a href="/dashboard/cohorts">make a cohort</a> and create its partnerships from a file
          </>
        ) : may.import ? (
          <>
            , or <a href="/dashboard/import">create your cohort's partnerships from a file</a>
          </>
        ) : null}
        . Its members are sent their invitations and reminders from then on.
      </p>
    </section>
  );
}

type ReviewItem = {
  id: string;
  sequence: number;
  scheduledAt: Date;
  partnershipId: string;
  partnership: { name: string; timeZone: string };
};

function ReviewItems({ reviews, zone, planned }: { reviews: ReviewItem[]; zone: (p: { timeZone: string }) => string; planned?: boolean }) {
  return (
    <ul class="items">
      {reviews.map((r) => (
        <li key={r.id}>
          <a href={pages.review(r.partnershipId, r.id)}>
            Review #{r.sequence} of {r.partnership.name}
          </a>
          <span class="meta">
            {planned && 'planned for '}
            <When at={r.scheduledAt} zone={zone(r.partnership)} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function PartnershipItems({ partnerships }: { partnerships: { id: string; name: string; status: string }[] }) {
  return (
    <ul class="items">
      {partnerships.map((p) => (
        <li key={p.id}>
          <a href={pages.partnership(p.id)}>{p.name}</a> <Status value={p.status} />
        </li>
      ))}
    </ul>
  );
}
