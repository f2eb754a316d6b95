import type { RequestHandler } from 'express';
import { type CapturedMail, listCapturedMail } from '../../lib/mail/capture.js';
import type { PageKit } from '../http/pages.js';

/**
 * The mail Tandem would have sent, on the embedded default (where it captures mail instead of
 * sending it): where everyone's sign-in links arrive when you try Tandem on your own machine. It
 * holds live links for everyone, so only the installation's admin, signed in, reads it (`npm start`
 * prints the admin's own first link); where the request comes from proves nothing behind a proxy or
 * by DNS rebinding. The JSON list stays at GET /mail with an admin key.
 */
export function capturedMailPage(kit: PageKit, dir: string): RequestHandler {
  return async (req, res, next) => {
    // Only a browser (which asks for text/html by name) gets the page; API clients get the JSON route.
    if (!(req.get('accept') ?? '').includes('text/html')) return next();
    try {
      const me = await kit.whoIs(req);
      if (!me) return res.redirect(303, `/sign-in?${new URLSearchParams({ next: '/mail' })}`);
      if (!me.isAdmin) {
        kit.render(req, res, me, {
          title: 'Captured mail',
          status: 403,
          body: (
            <section>
              <h1>Captured mail is the installation admin's to read</h1>
              <p>It holds everyone's sign-in links. Sign in as the installation's admin to read it.</p>
            </section>
          ),
        });
        return;
      }
      const messages = (await listCapturedMail(dir)).reverse().slice(0, 100);
      kit.render(req, res, me, {
        title: 'Captured mail',
        body: (
          <>
            <h1>Captured mail</h1>
            <p>
              Tandem runs on its embedded mail capture: nothing leaves this machine. Here is what it would have sent, newest first (the last
              100).
            </p>
            {messages.length === 0 ? <p class="empty">Nothing yet.</p> : messages.map((m) => <Message key={m.id} m={m} />)}
          </>
        ),
      });
    } catch (e) {
      next(e);
    }
  };
}

function Message({ m }: { m: CapturedMail }) {
  // The text part, with each address in it made a link: that is how one follows a sign-in link here.
  const parts = m.text.split(/(https?:\/\/\S+)/g);
  return (
    <article class="mail">
      <h2>{m.subject}</h2>
      <p class="meta">
        To {m.envelopeTo.join(', ')} · <time dateTime={m.receivedAt}>{m.receivedAt.replace('T', ' ').slice(0, 19)} UTC</time>
      </p>
      <pre class="mail-text">
        {parts.map((p, i) =>
          i % 2 === 1 ? (
            <a key={p} href={p}>
              {p}
            </a>
          ) : (
            p
          ),
        )}
      </pre>
    </article>
  );
}
