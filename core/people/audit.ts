import type { Prisma } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import type { Principal } from './principal.js';

/** Who made a change to a person, a key, a coordinator or a staff role. */
export type AuditActor =
  | Principal
  | { kind: 'system'; name: string }
  | { kind: 'command_line'; name: string }
  /** The person themselves, by a link only they received (an address confirmed at the new address). */
  | { kind: 'link'; id: string; name: string };

export interface AuditEntry {
  action: string;
  subjectKind: 'person' | 'api_key' | 'cohort' | 'organization';
  subjectId: string | null;
  data?: Prisma.InputJsonObject;
}

/**
 * Appends to the audit log (append-only in PostgreSQL itself: triggers refuse to change or delete
 * an entry). Written in the transaction of the change it records, so neither exists without the other.
 */
export async function recordAudit(db: Pick<Db, 'auditEvent'>, actor: AuditActor, entry: AuditEntry) {
  const who =
    actor.kind === 'key'
      ? { actor: 'api_key', actorId: actor.id, actorName: actor.name }
      : actor.kind === 'person' || actor.kind === 'link'
        ? { actor: 'person', actorId: actor.id, actorName: actor.name }
        : { actor: actor.kind, actorId: null, actorName: actor.name };
  await db.auditEvent.create({
    data: { ...who, action: entry.action, subjectKind: entry.subjectKind, subjectId: entry.subjectId, data: entry.data ?? {} },
  });
}
