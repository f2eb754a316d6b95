import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * A message as Tandem writes it: a subject and a few typed blocks (paragraphs, lists, a button),
 * rendered once into both parts of the mail. The HTML part is Preact (every value escaped, nothing
 * joined from strings) in a layout made for mail clients (tables and inline styles, one column that
 * reads on a phone, a header with Tandem's name); the text part says the same in plain text, each
 * button as its label and address. A message is data (JSON): a digest gathers several.
 */

/** A run of text: plain, or strong. */
export type Inline = string | { strong: string };

export type Block =
  | { kind: 'p'; text: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'heading'; text: string }
  | { kind: 'button'; label: string; href: string }
  | { kind: 'quote'; text: string; by?: string }
  | { kind: 'small'; text: Inline[] }
  | { kind: 'rule' };

export interface Message {
  subject: string;
  /** What a mail app shows beside the subject before it is opened. */
  preview?: string;
  blocks: Block[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** What every message of a person's ends with: the zone its times are in, how to stop optional ones. */
export interface Footer {
  timeZone: string;
  unsubscribeUrl: string | null;
  partnershipName?: string | undefined;
}

export const p = (...text: Inline[]): Block => ({ kind: 'p', text });
export const list = (...items: (Inline | Inline[])[]): Block => ({ kind: 'list', items: items.map((i) => (Array.isArray(i) ? i : [i])) });
export const heading = (text: string): Block => ({ kind: 'heading', text });
export const button = (label: string, href: string): Block => ({ kind: 'button', label, href });
export const quote = (text: string, by?: string): Block => ({ kind: 'quote', text, ...(by && { by }) });
export const small = (...text: Inline[]): Block => ({ kind: 'small', text });
export const rule: Block = { kind: 'rule' };
export const strong = (text: string): Inline => ({ strong: text });

/** A subject fits a mail client's line: long names are cut, with an ellipsis. */
export const subjectOf = (s: string) => (s.length > 200 ? `${s.slice(0, 197)}...` : s);

const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const INK = '#1b1f24';
const MUTED = '#5b6470';
const BRAND = '#1f3a5f';
const ACTION = '#1f5fa8';

function inlineText(parts: Inline[]): string {
  return parts.map((x) => (typeof x === 'string' ? x : x.strong)).join('');
}

function InlineHtml({ parts }: { parts: Inline[] }) {
  return <>{parts.map((x) => (typeof x === 'string' ? x : <strong style={`color:${INK};`}>{x.strong}</strong>))}</>;
}

function BlockHtml({ block }: { block: Block }) {
  switch (block.kind) {
    case 'p':
      return (
        <p style={`margin:0 0 16px;font:16px/1.5 ${FONT};color:${INK};`}>
          <InlineHtml parts={block.text} />
        </p>
      );
    case 'small':
      return (
        <p style={`margin:0 0 12px;font:13px/1.5 ${FONT};color:${MUTED};`}>
          <InlineHtml parts={block.text} />
        </p>
      );
    case 'heading':
      return <h2 style={`margin:24px 0 8px;font:bold 17px/1.3 ${FONT};color:${INK};`}>{block.text}</h2>;
    case 'list':
      return (
        <ul style={`margin:0 0 16px;padding-left:22px;font:16px/1.5 ${FONT};color:${INK};`}>
          {block.items.map((item, i) => (
            <li key={i} style="margin:0 0 6px;">
              <InlineHtml parts={item} />
            </li>
          ))}
        </ul>
      );
    case 'quote':
      return (
        <blockquote style={`margin:0 0 16px;padding:8px 14px;border-left:4px solid #c9d3df;font:16px/1.5 ${FONT};color:${INK};`}>
          {block.text}
          {block.by && <span style={`color:${MUTED};`}> ({block.by})</span>}
        </blockquote>
      );
    case 'button':
      return (
        <table role="presentation" cellPadding="0" cellSpacing="0" style="margin:8px 0 20px;border-collapse:separate;">
          <tr>
            <td style={`border-radius:6px;background:${ACTION};`}>
              <a
                href={block.href}
                style={`display:inline-block;padding:12px 22px;font:bold 16px/1.2 ${FONT};color:#ffffff;text-decoration:none;border-radius:6px;`}
              >
                {block.label}
              </a>
            </td>
          </tr>
        </table>
      );
    case 'rule':
      return <hr style="border:0;border-top:1px solid #e5e7eb;margin:20px 0;" />;
  }
}

function Layout({ message, footer }: { message: Message; footer: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{message.subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f4f5f7;">
        {message.preview && <div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">{message.preview}</div>}
        <table role="presentation" width="100%" cellPadding="0" cellSpacing="0" style="background:#f4f5f7;">
          <tr>
            <td align="center" style="padding:24px 12px;">
              <table
                role="presentation"
                width="100%"
                cellPadding="0"
                cellSpacing="0"
                style="max-width:600px;background:#ffffff;border:1px solid #dde1e6;border-radius:8px;border-collapse:separate;"
              >
                <tr>
                  <td style={`background:${BRAND};border-radius:8px 8px 0 0;padding:14px 24px;font:bold 20px/1.2 ${FONT};color:#ffffff;`}>
                    Tandem
                  </td>
                </tr>
                <tr>
                  <td style="padding:24px 24px 8px;">
                    {message.blocks.map((b, i) => (
                      <BlockHtml key={i} block={b} />
                    ))}
                  </td>
                </tr>
                {footer && (
                  <tr>
                    <td style={`padding:14px 24px 18px;border-top:1px solid #e5e7eb;font:13px/1.5 ${FONT};color:${MUTED};`}>{footer}</td>
                  </tr>
                )}
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>
  );
}

function blockText(block: Block): string {
  switch (block.kind) {
    case 'p':
    case 'small':
      return inlineText(block.text);
    case 'heading':
      return `${block.text}\n${'-'.repeat(Math.min(60, block.text.length))}`;
    case 'list':
      return block.items.map((i) => `- ${inlineText(i)}`).join('\n');
    case 'quote':
      return `> ${block.text}${block.by ? ` (${block.by})` : ''}`;
    case 'button':
      return `${block.label}: ${block.href}`;
    case 'rule':
      return '----------------------------------------';
  }
}

/** The zone note and the stop link, in both parts. */
function footerOf(footer: Footer | undefined): { text: string[]; html: ComponentChildren } {
  if (!footer) return { text: [], html: null };
  const zone = `Times in this message are in ${footer.timeZone}.`;
  const stop = footer.unsubscribeUrl ? `Stop reminders${footer.partnershipName ? ` from ${footer.partnershipName}` : ''}` : null;
  return {
    text: ['--', zone, ...(stop && footer.unsubscribeUrl ? [`${stop}: ${footer.unsubscribeUrl}`] : [])],
    html: (
      <>
        {zone}
        {stop && footer.unsubscribeUrl && (
          <>
            <br />
            <a href={footer.unsubscribeUrl} style={`color:${MUTED};`}>
              {stop}
            </a>
          </>
        )}
      </>
    ),
  };
}

/** Both parts of a message, with the footer of the person it goes to. */
export function renderMail(message: Message, footer?: Footer): RenderedMail {
  const foot = footerOf(footer);
  const text = [...message.blocks.map(blockText), ...(foot.text.length ? [foot.text.join('\n')] : [])].join('\n\n');
  const html = `<!doctype html>${renderToString(<Layout message={message} footer={foot.html} />)}`;
  return { subject: subjectOf(message.subject), text, html };
}
