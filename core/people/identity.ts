import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Person } from '../../generated/prisma/client.js';
import { hashSecret } from '../../lib/auth/secrets.js';
import { isUniqueViolation } from '../../lib/db/client.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseOrThrow } from '../../lib/validation.js';
import { email, ianaTimeZone, line } from '../fields.js';
import { type MailDeps, requestMail } from '../mail/send.js';
import { addressConfirm, addressNotice } from '../mail/templates.js';
import { pages } from '../pages.js';
import { type AuditActor, recordAudit } from './audit.js';
import type { PersonPrincipal, Principal } from './principal.js';
import { personScope } from './rights.js';
import { tellPerson } from './tell.js';

/**
 * A person's identity is their own. Their address changes only by them, confirmed at the new
 * address with a notice to the old one, or by the installation's admin (audited, both told). Their
 * mail settings are theirs, or the installation admin's to change. The installation admin is made
 * (ADMIN_EMAIL at a start, `tandem admin` on the command line), never promoted from someone a tenant
 * named first; nobody below an admin touches one. Every change is in the audit log.
 */

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:mm, e.g. 21:00');

export const mailSettingsBody = z
  .object({
    email: email
      .optional()
      .meta({ description: "A new address (the installation's admin only; people confirm their own by a link). It clears a bounce." }),
    timeZone: ianaTimeZone
      .nullable()
      .optional()
      .meta({ description: "Times in mail are shown in this zone; null: each partnership's own." }),
    delivery: z
      .enum(['immediate', 'daily_digest'])
      .optional()
      .meta({ description: 'daily_digest gathers reminders into one email a day.' }),
    digestHour: z.number().int().min(0).max(23).optional().meta({ description: 'Local hour at which the daily digest goes out.' }),
    quietHours: z
      .object({ from: localTime, until: localTime })
      .strict()
      .refine((q) => q.from !== q.until, { message: 'from and until must differ', path: ['until'] })
      .nullable()
      .optional()
      .meta({ description: 'Local hours in which nothing is delivered; mail due then waits until they end. null: none.' }),
  })
  .strict();
export type MailSettingsChange = z.input<typeof mailSettingsBody>;

const isInstallationAdmin = (p: Principal) => (p.kind === 'key' ? p.role === 'admin' : p.isAdmin);

/** How long a link to confirm a new address works. */
const ADDRESS_LINK_TTL_MS = 24 * 3_600_000;

type Deps = MailDeps;

/**
 * How a person receives mail: zone, digest, quiet hours, and (the installation admin only) their
 * address. The person changes their own; nobody else but the installation's admin does.
 */
export async function changeMailSettings(deps: Deps, p: Principal, personId: string, input: MailSettingsChange) {
  const change = parseOrThrow(mailSettingsBody, input, 'request');
  const person = await deps.db.person.findFirst({ where: { AND: [{ id: personId }, personScope(p)] } });
  if (!person) throw new NotFoundError(`Person ${personId} does not exist`);
  const self = p.kind === 'person' && p.id === person.id;
  if (!self && !isInstallationAdmin(p)) {
    throw new ForbiddenError("Only the person, or the installation's admin, changes their mail settings and address");
  }
  const newEmail = change.email !== undefined && change.email !== person.email ? change.email : undefined;
  if (newEmail && !isInstallationAdmin(p)) {
    throw new ForbiddenError('A new address is confirmed by a link sent to it: change it on your settings page');
  }
  const settings = {
    ...(change.timeZone !== undefined && { timeZone: change.timeZone }),
    ...(change.delivery && { mailDelivery: change.delivery }),
    ...(change.digestHour !== undefined && { digestHour: change.digestHour }),
    ...(change.quietHours !== undefined && { quietFrom: change.quietHours?.from ?? null, quietUntil: change.quietHours?.until ?? null }),
  };
  const updated = await deps.db.$transaction(async (tx) => {
    const row = await tx.person.update({ where: { id: person.id }, data: settings });
    if (Object.keys(settings).length) {
      await recordAudit(tx, p, { action: 'person.mail_settings_changed', subjectKind: 'person', subjectId: person.id, data: settings });
    }
    return row;
  });
  if (!newEmail) return updated;
  return setAddress(deps, p, person, newEmail);
}

/** Replaces a person's address: sessions and unused task links end, the bounce is cleared, both addresses are told. */
async function setAddress(deps: Deps, actor: AuditActor, person: Person, newEmail: string, confirmed?: { changeId: string }) {
  let updated: Person;
  try {
    updated = await deps.db.$transaction(async (tx) => {
      const row = await tx.person.update({
        where: { id: person.id, email: person.email },
        data: { email: newEmail, emailVerified: Boolean(confirmed), emailBouncedAt: null, emailBounce: null },
      });
      // Whoever held the old address's sessions and links no longer acts as this person.
      await tx.authSession.deleteMany({ where: { personId: person.id } });
      await tx.taskLink.deleteMany({ where: { personId: person.id } });
      if (confirmed) {
        const used = await tx.addressChange.updateMany({
          where: { id: confirmed.changeId, confirmedAt: null },
          data: { confirmedAt: new Date() },
        });
        if (used.count === 0) throw new ConflictError('This link was used already');
      }
      await recordAudit(tx, actor, {
        action: 'person.address_changed',
        subjectKind: 'person',
        subjectId: person.id,
        data: { from: person.email, to: newEmail, ...(confirmed && { confirmedByLink: true }) },
      });
      return row;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`The address ${newEmail} belongs to someone else in Tandem`);
    throw e;
  }
  const notice = addressNotice({ stage: 'changed', oldEmail: person.email, newEmail, by: confirmed ? null : actor.name });
  // The old address is told; so is the new one when someone else made the change.
  const to = confirmed
    ? [['old', person]]
    : ([
        ['old', person],
        ['new', updated],
      ] as const);
  for (const [which, recipient] of to as [string, Person][]) {
    await tellPerson(
      requestMail(deps),
      { ...recipient, emailBouncedAt: null },
      {
        messageKey: `person:${person.id}:address-changed:${updated.updatedAt.getTime()}:${which}`,
        template: 'address-changed',
        target: pages.settings(),
        render: () => notice,
      },
    );
  }
  return updated;
}

export const addressChangeBody = z.object({ email }).strict();

/**
 * A person asks to use a new address: a link to confirm it goes to the new address, a notice to the
 * old one. Nothing changes until the link is opened. Whether the new address is someone else's is
 * not said here (it would tell who is in Tandem); the confirmation says so to whoever holds it.
 */
export async function requestAddressChange(deps: Deps, me: PersonPrincipal, input: z.input<typeof addressChangeBody>) {
  const { email: newEmail } = parseOrThrow(addressChangeBody, input, 'request');
  const person = await deps.db.person.findUniqueOrThrow({ where: { id: me.id } });
  if (newEmail === person.email)
    throw new ValidationError('That is already your address', [{ path: 'email', message: 'is your address already' }]);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ADDRESS_LINK_TTL_MS);
  const change = await deps.db.$transaction(async (tx) => {
    const row = await tx.addressChange.create({ data: { personId: person.id, newEmail, tokenHash: hashSecret(token), expiresAt } });
    await recordAudit(tx, me, {
      action: 'person.address_change_requested',
      subjectKind: 'person',
      subjectId: person.id,
      data: { to: newEmail },
    });
    return row;
  });
  const link = `${deps.publicUrl}${pages.confirmAddress()}?${new URLSearchParams({ token })}`;
  // The link goes to the new address, which is not the person's yet; the notice to the old one.
  await tellPerson(
    requestMail(deps),
    { ...person, email: newEmail, emailBouncedAt: null },
    {
      messageKey: `address-change:${change.id}:confirm`,
      template: 'address-confirm',
      target: pages.settings(),
      render: (timeZone) => addressConfirm({ name: person.name, newEmail, link, expiresAt: expiresAt.getTime(), timeZone }),
    },
  );
  await tellPerson(requestMail(deps), person, {
    messageKey: `address-change:${change.id}:notice`,
    template: 'address-changed',
    target: pages.settings(),
    render: () => addressNotice({ stage: 'requested', oldEmail: person.email, newEmail, by: null }),
  });
  return { newEmail, expiresAt };
}

/** The address change a link confirms, if it is still good; what the confirmation page shows. */
export async function pendingAddressChange(deps: Pick<Deps, 'db'>, token: string) {
  const change = await deps.db.addressChange.findUnique({ where: { tokenHash: hashSecret(token) }, include: { person: true } });
  if (!change || change.confirmedAt || change.expiresAt.getTime() <= Date.now()) return null;
  return change;
}

/** Makes the new address the person's: the link proves they hold it. */
export async function confirmAddressChange(deps: Deps, token: string) {
  const change = await pendingAddressChange(deps, token);
  if (!change) throw new ConflictError('This link has expired or was used already: ask for the change again on your settings page');
  const { person } = change;
  return setAddress(deps, { kind: 'link', id: person.id, name: person.name }, person, change.newEmail, { changeId: change.id });
}

export const newAdminBody = z.object({ email, name: line(200).default('Tandem admin') }).strict();

/**
 * Makes the installation's admin: a new person with that address, who signs in like anyone. An
 * address already in Tandem is refused, never promoted: a tenant may have named it first.
 */
export async function createAdmin(
  deps: Pick<Deps, 'db'>,
  actor: AuditActor,
  input: z.input<typeof newAdminBody>,
): Promise<'created' | 'exists'> {
  const { email: address, name } = parseOrThrow(newAdminBody, input, 'admin');
  const existing = await deps.db.person.findUnique({ where: { email: address }, select: { isAdmin: true } });
  if (existing?.isAdmin) return 'exists';
  if (existing) {
    throw new ConflictError(
      `${address} is already someone in Tandem, named by a partnership or an organization; an admin is never made by promoting an existing person: give the admin an address of its own`,
    );
  }
  await deps.db.$transaction(async (tx) => {
    const person = await tx.person.create({ data: { email: address, name, isAdmin: true, emailVerified: false } });
    await recordAudit(tx, actor, { action: 'person.admin_created', subjectKind: 'person', subjectId: person.id, data: { email: address } });
  });
  return 'created';
}
