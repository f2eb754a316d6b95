/**
 * A page's form as a browser without JavaScript gets it: the cookies the page set and the form's hidden
 * fields (its CSRF token among them), read from the HTML the server sent. For tests that post forms to
 * processes a browser is not pointed at (replicas, production roles).
 */
export interface PageForm {
  cookie: string;
  fields: Record<string, string>;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The form posting to `action` on the page at `url`. */
export async function openForm(url: string, action: string, cookie = ''): Promise<PageForm> {
  const res = await fetch(url, { headers: { cookie } });
  const html = await res.text();
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  const form = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes(`action="${action}"`));
  if (!form) throw new Error(`no form to ${action} on ${url} (status ${res.status}):\n${html.slice(0, 2000)}`);
  const fields: Record<string, string> = {};
  for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
    if (!/type="hidden"/.test(input)) continue;
    const name = input.match(/name="([^"]*)"/)?.[1];
    if (name) fields[decodeEntities(name)] = decodeEntities(input.match(/value="([^"]*)"/)?.[1] ?? '');
  }
  return { cookie: [cookie, ...set].filter(Boolean).join('; '), fields };
}

/** Posts `form` (with `extra` over its fields) to `url`, without following the answer's redirect. */
export function submitForm(url: string, form: PageForm, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ ...form.fields, ...extra }),
    headers: { cookie: form.cookie, accept: 'text/html' },
    redirect: 'manual',
  });
}
