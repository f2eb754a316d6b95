import { randomBytes } from 'node:crypto';
import { SIGN_IN_PARAMS } from '../../lib/auth/better-auth.js';
import { hashSecret } from '../../lib/auth/secrets.js';
import type { Db } from '../../lib/db/client.js';

/**
 * The links in Tandem's email. Each is bound to its recipient and to one page, its task (that
 * reflection, that commitment): opened (after a confirmation click, so that a mail scanner uses
 * nothing up), it lets the browser act on that page as its recipient for a while (the grant, a cookie
 * restricted to the page's path), never on the rest of their work, which takes a sign-in of their
 * own. A forwarded email hands over one task, not an account; a used or expired link can be renewed,
 * to the recipient's own address only.
 */

export interface TaskLinkSettings {
  publicUrl: string;
  /** How long an unopened link stays good (SIGN_IN_LINK_TTL). */
  linkTtlMs: number;
  /** How long an opened link acts on its page (TASK_LINK_GRANT). */
  grantTtlMs: number;
}

/**
 * Makes the links of one installation's messages: one a person, all to one page, recorded in one
 * statement (a message to a partnership's ten members is one insert, not ten).
 */
export function taskLinks(db: Db, settings: TaskLinkSettings) {
  return async function linksFor(people: { id: string }[], target: string): Promise<Map<string, string>> {
    const made = people.map((person) => ({ person, token: randomBytes(32).toString('base64url') }));
    const expiresAt = new Date(Date.now() + settings.linkTtlMs);
    await db.taskLink.createMany({
      data: made.map(({ person, token }) => ({ tokenHash: hashSecret(token), personId: person.id, target, expiresAt })),
    });
    return new Map(
      made.map(({ person, token }) => {
        const url = new URL(target, settings.publicUrl);
        url.searchParams.set(SIGN_IN_PARAMS.token, token);
        url.searchParams.set(SIGN_IN_PARAMS.person, person.id);
        return [person.id, url.toString()];
      }),
    );
  };
}

/** A task link not yet used, with whom and what it is for; null for anything else (a sign-in link, a used one). */
export async function findTaskLink(db: Db, token: string) {
  if (!token) return null;
  return db.taskLink.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { person: { select: { id: true, name: true, email: true } } },
  });
}

export const usable = (link: { usedAt: Date | null; expiresAt: Date }, now = Date.now()) => !link.usedAt && link.expiresAt.getTime() > now;

/**
 * Uses a task link once: its grant (a new secret, for the browser's cookie) acts on its page until
 * `grantTtlMs` from now. Null when it was used or has expired meanwhile (two clicks at once: one wins).
 */
export async function openTaskLink(db: Db, token: string, grantTtlMs: number) {
  const grant = randomBytes(32).toString('base64url');
  const now = new Date();
  const grantExpiresAt = new Date(now.getTime() + grantTtlMs);
  const { count } = await db.taskLink.updateMany({
    where: { tokenHash: hashSecret(token), usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now, grantHash: hashSecret(grant), grantExpiresAt },
  });
  if (count === 0) return null;
  const link = await db.taskLink.findUniqueOrThrow({ where: { tokenHash: hashSecret(token) } });
  return { grant, grantExpiresAt, target: link.target, personId: link.personId };
}

/**
 * Whether a grant acts on this request's path: its page itself, and what lies beneath it (its forms,
 * its files). Returns the person it acts as, or null.
 */
export async function grantedPerson(db: Db, grants: string[], path: string): Promise<string | null> {
  for (const grant of grants) {
    if (!/^[A-Za-z0-9_-]{40,50}$/.test(grant)) continue;
    const link = await db.taskLink.findUnique({
      where: { grantHash: hashSecret(grant) },
      select: { personId: true, target: true, grantExpiresAt: true },
    });
    if (!link?.grantExpiresAt || link.grantExpiresAt.getTime() <= Date.now()) continue;
    if (path === link.target || path.startsWith(`${link.target}/`)) return link.personId;
  }
  return null;
}
