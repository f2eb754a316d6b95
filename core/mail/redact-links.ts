import { SIGN_IN_PARAMS } from '../../lib/auth/better-auth.js';
import type { Db } from '../../lib/db/client.js';

/**
 * What stands in for a token once a copy no longer needs it. Opened, such a link is taken for a used
 * one: its page offers its recipient a fresh link, to their own address.
 */
export const REDACTED_TOKEN = 'redacted';

/**
 * The tokens in the links to Tandem's own pages (sign-in and task links: `?t=…`, `&t=…`, `&amp;t=…` in
 * HTML), as a PostgreSQL regular expression whose first group is all that comes before the token.
 * Only addresses under PUBLIC_URL: a link someone wrote into their notes (a video's `&t=30s`) stays as
 * it was. Every quantifier is greedy: PostgreSQL takes a whole expression's greediness from its first one.
 */
function linkTokenPattern(publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(${base}/[^\\s"'<>?#]*\\?([^\\s"'<>#]*(&|&amp;))?${SIGN_IN_PARAMS.token}=)[A-Za-z0-9_-]+`;
}

/**
 * Replaces the link tokens of copies sent before `sentBefore` (and of dropped copies, which never
 * went out) in everything the outbox keeps of them: text, HTML, the message as data, the calendar
 * file. The tokens themselves are stored as hashes only (core/people/task-links.ts, Better Auth's
 * verification table); a copy kept as it was sent would give a database dump working sign-ins for
 * SIGN_IN_LINK_TTL. Held copies keep theirs: they have not gone out yet. Failed, bounced and
 * unconfirmed copies keep theirs too, since a person may send them again (POST /outbox/:id/retry).
 * At most `batch` copies, each locked while it is rewritten, so two sweeps at once take different
 * copies; returns how many it redacted. Found by the partial index of copies left to redact, then by
 * their ids (a join to the whole outbox may be planned as a scan of it: it was, on 50,000 rows).
 */
export async function redactSentCopies(db: Db, input: { publicUrl: string; sentBefore: Date; batch: number }): Promise<number> {
  const pattern = linkTokenPattern(input.publicUrl);
  const replacement = `\\1${REDACTED_TOKEN}`;
  const redacted = await db.$queryRaw<{ id: string }[]>`
    WITH due AS (
      SELECT id FROM email_outbox
      WHERE NOT links_redacted AND status IN ('sent', 'dropped') AND (status = 'dropped' OR sent_at < ${input.sentBefore})
      LIMIT ${input.batch}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE email_outbox o SET
      text = regexp_replace(o.text, ${pattern}, ${replacement}, 'g'),
      html = regexp_replace(o.html, ${pattern}, ${replacement}, 'g'),
      ics = regexp_replace(o.ics, ${pattern}, ${replacement}, 'g'),
      message = regexp_replace(o.message::text, ${pattern}, ${replacement}, 'g')::jsonb,
      links_redacted = true
    WHERE o.id = ANY (ARRAY(SELECT id FROM due))
    RETURNING o.id`;
  return redacted.length;
}
