import { beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../core/people/identity.js';
import { lessonDigestWorkflowId } from '../../workflows/ids.js';
import { type ApiStack, threeMembers, useApiStack } from '../support/api-stack.js';
import { useBrowser } from '../support/browser.js';
import { closedCycle } from '../support/inquiry.js';
import { waitFor } from '../support/mailbox.js';
import { DAY } from '../support/time.js';
import { expectAccessible, mailTo, signIn } from '../support/web.js';

/**
 * A cohort that learns together: the owner of a closed cycle (or a lead for them) writes its lesson;
 * a lead shares it with the cohort; the cohort's page finds lessons by theme and words; its
 * coordinators gather chosen ones into a document to publish (HTML and PDF). Bad input, another
 * tenant, an open cycle or a partnership outside a cohort change nothing.
 */
const stack: ApiStack = useApiStack('tandem-lessons');
const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();

let cohortId = '';
let partnershipId = '';
let cycleId = '';

const lesson = {
  title: 'Weekly data chats raise fluency',
  theme: 'Coaching',
  tried: 'Ten-minute data chats every Monday in grade 3',
  saw: 'Oral reading fluency rose 6 words a minute in most classrooms',
  next: 'Move them to Tuesdays and add grade 2',
};
const write = (pid: string, cid: string, body: unknown, key = stack.adminKey) =>
  stack.call<{ id: string; sharedAt: string | null; detail?: string }>(
    key,
    'PUT',
    `/partnerships/${pid}/inquiry-cycles/${cid}/lesson`,
    body,
  );

beforeAll(async () => {
  const cohort = await stack.call<{ id: string }>(stack.adminKey, 'POST', '/cohorts', { name: 'Valley learning cohort' });
  cohortId = cohort.json.id;
  partnershipId = (await stack.createPartnership('Lesson literacy', threeMembers('lesson.example'), { cohortId })).id;
  cycleId = await closedCycle(stack, partnershipId, 'Do weekly data chats raise grade 3 fluency?');
});

describe('lessons (API)', () => {
  it('are written once a cycle has closed, by its owner or a lead, and bad input or another tenant writes nothing', async () => {
    const db = stack.database.db;
    const open = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${partnershipId}/inquiry-cycles`, {
      question: 'Does peer observation help?',
      phases: Object.fromEntries(
        ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ownerRole: 'district_lead', dueAt: soon(10 * (i + 1)) }]),
      ),
    });
    const early = await write(partnershipId, open.json.id, lesson);
    expect([early.status, early.json.detail]).toEqual([409, 'Inquiry cycle 2 is still open: its lesson is written once it has closed']);
    const other = await stack.districtWithKey('Elsewhere Lesson USD');
    expect((await write(partnershipId, cycleId, lesson, other.key)).status).toBe(404);
    const cal = (await db.person.findUniqueOrThrow({ where: { email: 'cal@lesson.example' } })).id;
    expect((await write(partnershipId, cycleId, { ...lesson, onBehalfOf: cal })).status).toBe(403);
    for (const bad of [
      { ...lesson, title: 'Data\u0000chats' },
      { ...lesson, title: 'Data chats\r\nBcc: x@evil.example' },
      { ...lesson, theme: 'x'.repeat(61) },
      { ...lesson, saw: '   ' },
      { ...lesson, share: 'yes' },
    ]) {
      const res = await write(partnershipId, cycleId, bad);
      expect(res.status, `${JSON.stringify(bad).slice(0, 80)}: ${res.text}`).toBe(400);
    }
    expect(await db.lesson.count()).toBe(0);

    // Kept in the partnership first; the cohort sees nothing of it.
    const kept = await write(partnershipId, cycleId, lesson);
    expect([kept.status, kept.json.sharedAt]).toEqual([200, null]);
    expect((await stack.call<{ lessons: unknown[] }>(stack.adminKey, 'GET', `/cohorts/${cohortId}/lessons`)).json.lessons).toEqual([]);
    // Shared twice at once: one lesson, shared, by Ana (the key acts for the reflect phase's owner).
    const both = await Promise.all([1, 2].map(() => write(partnershipId, cycleId, { ...lesson, share: true })));
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const row = await db.lesson.findUniqueOrThrow({ where: { cycleId } });
    expect([row.sharedAt !== null, row.onBehalfOfName]).toEqual([true, 'Ana Diaz']);
    // The cohort's monthly digest runs from its first shared lesson on.
    const digest = await stack.temporal.workflow.getHandle(lessonDigestWorkflowId(cohortId)).describe();
    expect(digest.status.name).toBe('RUNNING');

    // A lesson is discussed on its cycle's page; a mention tells the member.
    const comment = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/comments`, {
      on: 'lesson',
      subjectId: cycleId,
      body: '@Ben Ode could the partner side add its coaching logs?',
    });
    expect(comment.status, comment.text).toBe(201);
    const mention = await mailTo(stack, 'ben@lesson.example', /mentioned you on the lesson "Weekly data chats raise fluency"/);
    expect(mention.text).toMatch(new RegExp(`/p/${partnershipId}/inquiry/${cycleId}\\?t=`));
    const noLesson = await stack.call(stack.adminKey, 'POST', `/partnerships/${partnershipId}/comments`, {
      on: 'lesson',
      subjectId: open.json.id,
      body: 'Nothing to discuss yet',
    });
    expect(noLesson.status).toBe(404);

    // Outside a cohort there is nobody to share with.
    const alone = (await stack.createPartnership('Lesson alone', threeMembers('alone.example'))).id;
    const aloneCycle = await closedCycle(stack, alone, 'Does it help?');
    const refused = await write(alone, aloneCycle, { ...lesson, share: true });
    expect([refused.status, refused.json.detail]).toEqual([409, 'Lesson alone is in no cohort: there is nobody to share the lesson with']);
    expect(await db.lesson.count({ where: { partnershipId: alone } })).toBe(0);
  });

  it("are found on the cohort's list by theme and words, and published as a PDF by its coordinators only", async () => {
    const list = (query = '') =>
      stack.call<{ themes: { theme: string; count: number }[]; lessons: { id: string; title: string }[] }>(
        stack.adminKey,
        'GET',
        `/cohorts/${cohortId}/lessons${query}`,
      );
    const all = await list();
    expect(all.json.themes).toEqual([{ theme: 'Coaching', count: 1 }]);
    expect((await list('?q=FLUENCY%20tuesdays')).json.lessons.map((l) => l.title)).toEqual([lesson.title]);
    expect((await list('?q=fluency%20budget')).json.lessons).toEqual([]);
    expect((await list('?theme=coaching')).json.lessons).toHaveLength(1);
    const other = await stack.districtWithKey('Not In Cohort USD');
    expect((await stack.call(other.key, 'GET', `/cohorts/${cohortId}/lessons`)).status).toBe(404);

    const id = all.json.lessons[0]?.id as string;
    const pdf = await fetch(`${stack.baseUrl}/cohorts/${cohortId}/lessons/publication.pdf?lessons=${id}`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await stack.call(stack.adminKey, 'GET', `/cohorts/${cohortId}/lessons/publication.pdf?lessons=${cycleId}`)).status).toBe(404);
    expect((await stack.call(stack.adminKey, 'GET', `/cohorts/${cohortId}/lessons/publication.pdf?lessons=nope`)).status).toBe(400);
    expect((await stack.call(other.key, 'GET', `/cohorts/${cohortId}/lessons/publication.pdf?lessons=${id}`)).status).toBe(404);
  });
});

describe('lessons (pages)', () => {
  const browser = useBrowser();

  it('lets the owner write and share the lesson from a phone, and a coordinator find and publish it', async () => {
    const second = await closedCycle(stack, partnershipId, 'Do family nights raise attendance?');
    const { context, page } = await signIn(stack, browser, 'ana@lesson.example');
    await page.goto(`${stack.publicUrl}/p/${partnershipId}/inquiry/${second}`);
    const form = page.getByRole('form', { name: 'Write the lesson' });
    await expect.poll(() => form.isVisible()).toBe(true);
    await expectAccessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await form.getByLabel('In one line').fill('Family nights\u0000');
    await form.getByLabel('Theme').fill('Family engagement');
    await form.getByLabel('What we tried').fill('Two family literacy nights a term');
    await form.getByLabel('What we saw').fill('Attendance rose in the weeks after each night');
    await form.getByLabel("What we'll do next").fill('Hold them monthly');
    await form.getByLabel('Share it with Valley learning cohort').check();
    await form.getByRole('button', { name: 'Save the lesson' }).click();
    await expect.poll(() => page.getByText('must not contain the NUL character').first().isVisible()).toBe(true);
    expect(await stack.database.db.lesson.count({ where: { cycleId: second } })).toBe(0);
    await page.getByRole('form', { name: 'Write the lesson' }).getByLabel('In one line').fill('Family nights bring families back');
    await page.getByRole('form', { name: 'Write the lesson' }).getByRole('button', { name: 'Save the lesson' }).click();
    await expect.poll(() => page.getByText('The lesson is saved and shared with the cohort.').isVisible()).toBe(true);
    expect(await page.getByText('shared with Valley learning cohort').isVisible()).toBe(true);
    const comment = page.getByRole('form', { name: 'Add a comment' });
    await comment.getByLabel('Add a comment').fill('Which weeks had the best turnout?');
    await comment.getByRole('button', { name: 'Post the comment' }).click();
    await expect.poll(() => page.getByText('Your comment is posted.').isVisible()).toBe(true);
    expect(await page.getByText('Which weeks had the best turnout?').isVisible()).toBe(true);
    // Ana sees the cohort's lessons, without the publishing boxes.
    await page.goto(`${stack.publicUrl}/dashboard/cohorts/${cohortId}/lessons`);
    await expect.poll(() => page.getByRole('heading', { name: 'Family engagement' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Gather the ticked lessons' }).count()).toBe(0);
    await context.close();

    await createAdmin(stack.database, { kind: 'command_line', name: 'test' }, { email: 'cora@lesson.example' });
    const coordinator = await signIn(stack, browser, 'cora@lesson.example');
    const cp = coordinator.page;
    // From the dashboard filtered to the cohort, and from the cohorts' list.
    await cp.goto(`${stack.publicUrl}/dashboard?cohort=${cohortId}`);
    expect(await cp.getByRole('link', { name: 'What the cohort learned' }).getAttribute('href')).toBe(
      `/dashboard/cohorts/${cohortId}/lessons`,
    );
    await cp.goto(`${stack.publicUrl}/dashboard/cohorts`);
    await cp.getByRole('link', { name: 'What it learned' }).click();
    await cp.getByLabel('Words').fill('attendance');
    await cp.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => cp.getByRole('heading', { name: 'Family nights bring families back' }).isVisible()).toBe(true);
    expect(await cp.getByRole('heading', { name: lesson.title }).count()).toBe(0);
    await expectAccessible(cp);
    await cp.getByLabel('Publish “Family nights bring families back”').check();
    await cp.getByRole('button', { name: 'Gather the ticked lessons' }).click();
    await expect.poll(() => cp.getByRole('heading', { name: 'Valley learning cohort: lessons learned' }).isVisible()).toBe(true);
    expect(await cp.getByText('Hold them monthly').isVisible()).toBe(true);
    const download = cp.waitForEvent('download');
    await cp.getByRole('link', { name: 'Download as PDF' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('lessons.pdf');
    await waitFor('the lesson event', async () =>
      (await stack.database.db.partnershipEvent.count({ where: { partnershipId, type: 'lesson.shared' } })) >= 2 ? true : undefined,
    );
    await coordinator.context.close();
  });
});
