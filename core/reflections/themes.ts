import model from 'wink-eng-lite-web-model';
import winkNLP, { type ItemSentence } from 'wink-nlp';

/**
 * The themes that recur across reflections: the nouns and two-word phrases that at least two people
 * used in their answers. Each answer is read by wink-nlp's English model (tokens, parts of speech,
 * stop words, stems); a theme is a noun on its own, or two adjacent nouns, adjectives or verbs
 * ("data chats", "peer observation"); common words ("the", "was", "very") are left out, and words are compared by their stem, so "chat" and "chats" are one.
 * A phrase counts once per person, however often they repeat it; themes are ranked by how many people
 * used them, then by how often; a word is not listed apart from a phrase that holds it and was used by
 * as many people. THEMES_METHOD says this on the page.
 */

export const THEMES_METHOD =
  'Themes are the nouns and two-word phrases (“data chats”, “peer observation”) that at least two people used, compared by their stem (“chat” and “chats” are one), leaving out common words; each person counts once per theme. Found with wink-nlp’s English model.';

const nlp = winkNLP(model);
const its = nlp.its;
const CONTENT = new Set(['NOUN', 'PROPN', 'ADJ', 'VERB']);
const NOUNS = new Set(['NOUN', 'PROPN']);

export interface Theme {
  /** The phrase as people most often wrote it. */
  phrase: string;
  people: number;
  mentions: number;
}

interface Tally {
  people: Set<string>;
  mentions: number;
  forms: Map<string, number>;
  words: number;
}

/** The themes of a set of answers, at most `max`, most shared first. */
export function themesOf(answers: { personId: string; text: string }[], max = 5): Theme[] {
  const tallies = new Map<string, Tally>();
  const count = (key: string, form: string, personId: string, words: number) => {
    const t = tallies.get(key) ?? { people: new Set<string>(), mentions: 0, forms: new Map<string, number>(), words };
    t.people.add(personId);
    t.mentions++;
    t.forms.set(form, (t.forms.get(form) ?? 0) + 1);
    tallies.set(key, t);
  };
  for (const { personId, text } of answers) {
    if (!text.trim()) continue;
    const doc = nlp.readDoc(text);
    doc.sentences().each((sentence: ItemSentence) => {
      const tokens = sentence.tokens();
      const normal = tokens.out(its.normal) as string[];
      // wink-nlp's types give its.stem a signature out() does not take; it works as the docs say.
      const stems = tokens.out(its.stem as unknown as typeof its.normal) as string[];
      const pos = tokens.out(its.pos) as string[];
      const stop = tokens.out(its.stopWordFlag) as boolean[];
      const type = tokens.out(its.type) as string[];
      const content = normal.map(
        (w, i) => type[i] === 'word' && !stop[i] && CONTENT.has(pos[i] as string) && w.length > 2 && /\p{L}/u.test(w),
      );
      normal.forEach((w, i) => {
        if (!content[i]) return;
        // Alone, only a thing is a theme ("walkthroughs"); "good" or "helped" says little by itself.
        if (NOUNS.has(pos[i] as string)) count(stems[i] as string, w, personId, 1);
        if (content[i + 1]) count(`${stems[i]} ${stems[i + 1]}`, `${w} ${normal[i + 1]}`, personId, 2);
      });
    });
  }
  const shared = [...tallies.entries()].filter(([, t]) => t.people.size >= 2);
  const phrases = shared.filter(([, t]) => t.words === 2);
  const themes = shared
    .filter(([key, t]) => t.words === 2 || !phrases.some(([p, pt]) => p.split(' ').includes(key) && pt.people.size >= t.people.size))
    .map(([, t]) => ({
      phrase: [...t.forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '',
      people: t.people.size,
      mentions: t.mentions,
    }));
  return themes.sort((a, b) => b.people - a.people || b.mentions - a.mentions || a.phrase.localeCompare(b.phrase)).slice(0, max);
}

/** The three questions of a reflection, with the field each answer is kept in. */
export const REFLECTION_QUESTIONS = [
  { label: 'What worked?', field: 'whatWorked' },
  { label: "What didn't?", field: 'whatDidnt' },
  { label: 'How could it be improved?', field: 'howToImprove' },
] as const;

type Answered = { personId: string; whatWorked: string | null; whatDidnt: string | null; howToImprove: string | null };

/** Each question's themes, and the themes across all three. */
export function reflectionThemes(reflections: Answered[]) {
  const byQuestion = REFLECTION_QUESTIONS.map((q) => ({
    ...q,
    themes: themesOf(reflections.map((r) => ({ personId: r.personId, text: r[q.field] ?? '' }))),
  }));
  const overall = themesOf(
    reflections.map((r) => ({ personId: r.personId, text: [r.whatWorked, r.whatDidnt, r.howToImprove].filter(Boolean).join('. ') })),
  );
  return { byQuestion, overall };
}
