import { pages } from '../../core/pages.js';
import { addMember, changeMemberRole, handOver, memberRole, newMember, removeMember } from '../../core/people/roster.js';
import { type FieldIssue, ValidationError } from '../../lib/errors.js';
import { ROLE_LABELS } from '../http/format.js';
import { ErrorSummary, errorOf, Form, Select, TextField } from '../http/layout.js';
import { formIssues, type Outcome, type PageContext } from '../http/pages.js';
import { PersonFields } from './person-fields.js';

/**
 * The roster on a partnership's page, for those who manage it: add a member, change a role, and
 * when someone leaves, hand their open work to another member and remove them in one step. The
 * actions are the API's (api/people/roster.ts), with its rights and its rules.
 */

export interface RosterState {
  errors: FieldIssue[];
  values: Record<string, string>;
  /** Which form the errors belong to: "add", or a member's person id. */
  form: string;
}

const ROLES = memberRole.options.map((value) => ({ value, label: ROLE_LABELS[value] ?? value }));

interface Member {
  personId: string;
  role: string;
  /** A member is on one side (the column's type also allows a commitment's "shared"). */
  side: string;
  person: { name: string; email: string };
}

/** A member as everyone sees them: name, role and the side they are on. */
export function MemberLine({ member }: { member: Member }) {
  return (
    <>
      {member.person.name}{' '}
      <span class="meta">
        {ROLE_LABELS[member.role] ?? member.role}, {member.side === 'partner' ? 'partner' : 'district'} side
      </span>
    </>
  );
}

export function RosterForms({
  partnershipId,
  members,
  csrf,
  state,
}: {
  partnershipId: string;
  members: Member[];
  csrf: string;
  state?: RosterState | undefined;
}) {
  const base = `${pages.partnership(partnershipId)}/members`;
  const add = state?.form === 'add' ? state : undefined;
  return (
    <>
      <ul class="items">
        {members.map((m) => {
          const mine = state?.form === m.personId ? state : undefined;
          const others = members.filter((o) => o.personId !== m.personId);
          return (
            <li key={m.personId}>
              <MemberLine member={m} />
              {mine && <ErrorSummary errors={mine.errors} />}
              <details open={Boolean(mine)}>
                <summary>Change {m.person.name}'s role, or let them leave</summary>
                <Form action={`${base}/${m.personId}/role`} csrf={csrf} label={`Change ${m.person.name}'s role`}>
                  <Select name="role" id={`role-${m.personId}`} label="Role" options={ROLES} value={m.role} />
                  <button type="submit">Change the role</button>
                </Form>
                {others.length > 0 && (
                  <Form action={`${base}/${m.personId}/handover`} csrf={csrf} label={`${m.person.name} leaves`}>
                    <Select
                      name="to"
                      id={`to-${m.personId}`}
                      label="Hand their open commitments and evidence requests to"
                      options={others.map((o) => ({ value: o.personId, label: o.person.name }))}
                      value={mine?.values.to}
                    />
                    <TextField
                      name="reason"
                      id={`reason-${m.personId}`}
                      label="Reason (optional)"
                      value={mine?.values.reason}
                      error={errorOf(mine?.errors ?? [], 'reason')}
                    />
                    <button type="submit">Hand over and remove {m.person.name}</button>
                  </Form>
                )}
                <Form action={`${base}/${m.personId}/remove`} csrf={csrf} label={`Remove ${m.person.name}`}>
                  <button type="submit" class="secondary">
                    Remove {m.person.name} (when they own no open work)
                  </button>
                </Form>
              </details>
            </li>
          );
        })}
      </ul>
      <h3 id="add-member">Add a member</h3>
      {add && <ErrorSummary errors={add.errors} />}
      <Form action={base} csrf={csrf} label="Add a member">
        <PersonFields values={add?.values} errors={add?.errors} />
        <Select name="role" label="Role" options={ROLES} value={add?.values.role ?? 'participant'} />
        <Select
          name="side"
          label="Side"
          hint="Whose staff someone new to Tandem becomes."
          options={[
            { value: 'district', label: 'District' },
            { value: 'partner', label: 'Partner' },
          ]}
          value={add?.values.side ?? 'district'}
        />
        <button type="submit">Add the member</button>
      </Form>
    </>
  );
}

type Show = (ctx: PageContext, state: RosterState) => Promise<Outcome>;

/** Runs a roster action; its refusals (a rule, bad input) are shown on the page beside the form. */
async function act(ctx: PageContext, show: Show, form: string, run: () => Promise<unknown>, flash: string): Promise<Outcome> {
  const id = ctx.param('partnershipId');
  try {
    await run();
  } catch (e) {
    return show(ctx, { errors: formIssues(e, form === 'add' ? 'email' : 'reason'), values: ctx.form, form });
  }
  return { redirect: `${pages.partnership(id)}#members`, flash };
}

export const rosterActions = (show: Show) => ({
  add: (ctx: PageContext) =>
    act(
      ctx,
      show,
      'add',
      async () => {
        const f = ctx.form;
        const parsed = newMember.safeParse({ name: f.name ?? '', email: (f.email ?? '').trim(), role: f.role, side: f.side });
        if (!parsed.success) {
          throw new ValidationError(
            'Check the new member',
            parsed.error.issues.map((i) => ({
              path: String(i.path[0] ?? 'email'),
              message: i.path[0] === 'email' ? 'Enter an email address, like name@district.org' : i.message,
            })),
          );
        }
        await addMember(ctx.deps, ctx.me, ctx.param('partnershipId'), parsed.data);
      },
      'The member is added.',
    ),
  role: (ctx: PageContext) => {
    const personId = ctx.param('personId');
    const role = memberRole.safeParse(ctx.form.role);
    return act(
      ctx,
      show,
      personId,
      async () => {
        if (!role.success) throw new ValidationError('Choose a role', [{ path: 'role', message: 'Choose a role' }]);
        await changeMemberRole(ctx.deps, ctx.me, ctx.param('partnershipId'), personId, role.data);
      },
      'The role is changed.',
    );
  },
  handover: (ctx: PageContext) => {
    const personId = ctx.param('personId');
    const f = ctx.form;
    return act(
      ctx,
      show,
      personId,
      async () => {
        const partnershipId = ctx.param('partnershipId');
        const { handedOver } = await handOver(ctx.deps, ctx.me, partnershipId, personId, {
          to: f.to ?? '',
          reason: f.reason?.trim() || undefined,
          leaves: true,
        });
        return handedOver;
      },
      'Their open work is handed over, and they have left the partnership. Both were told.',
    );
  },
  remove: (ctx: PageContext) =>
    act(
      ctx,
      show,
      ctx.param('personId'),
      () => removeMember(ctx.deps, ctx.me, ctx.param('partnershipId'), ctx.param('personId')),
      'The member is removed.',
    ),
});
