/**
 * Who a comment mentions: a member named after an `@`, by their full name ("@Ana Diaz") or by their
 * first name where no other member of the partnership shares it ("@Ana"), in any case. An `@` inside
 * an address (ana@lakeside.example) mentions nobody.
 */
export function mentionsIn(body: string, members: readonly { personId: string; name: string }[]): string[] {
  const firstNames = new Map<string, number>();
  for (const m of members) {
    const first = m.name.trim().split(/\s+/)[0]?.toLocaleLowerCase() ?? '';
    firstNames.set(first, (firstNames.get(first) ?? 0) + 1);
  }
  const text = body.toLocaleLowerCase();
  const found = new Set<string>();
  for (const m of members) {
    const full = m.name.trim().toLocaleLowerCase();
    const first = full.split(/\s+/)[0] ?? '';
    const names = firstNames.get(first) === 1 ? [full, first] : [full];
    if (names.some((n) => n && mentioned(text, n))) found.add(m.personId);
  }
  return [...found];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function mentioned(text: string, name: string): boolean {
  // Not after a letter or digit (an address), and not followed by one (a longer name).
  return new RegExp(`(?<![\\p{L}\\p{N}])@${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'u').test(text);
}
