import { describe, expect, it } from 'vitest';
import { reflectionThemes, themesOf } from '../../core/reflections/themes.js';

/** Themes of reflections, by wink-nlp's English model: what at least two people said, most shared first. */
describe('the themes that recur across reflections', () => {
  it('finds the phrases two or more people used, by stem, counting each person once, leaving common words out', () => {
    const themes = themesOf([
      { personId: 'a', text: 'The weekly data chats helped teachers a lot. Data chats, data chats!' },
      { personId: 'b', text: 'Data chats were useful, but too short. Coaching cycle feedback was good.' },
      { personId: 'c', text: 'I liked the data chat protocol and the coaching cycles.' },
      { personId: 'd', text: 'It was very good.' },
    ]);
    expect(themes).toEqual([
      { phrase: 'data chats', people: 3, mentions: 5 },
      { phrase: 'coaching cycle', people: 2, mentions: 2 },
    ]);
  });

  it('finds nothing in answers nobody shares, and reads each question apart', () => {
    expect(
      themesOf([
        { personId: 'a', text: 'Walkthroughs' },
        { personId: 'b', text: 'Schedules' },
      ]),
    ).toEqual([]);
    const { byQuestion, overall } = reflectionThemes([
      { personId: 'a', whatWorked: 'Peer observation', whatDidnt: 'Substitute coverage', howToImprove: null },
      { personId: 'b', whatWorked: 'Peer observation rounds', whatDidnt: 'Finding substitute coverage', howToImprove: 'More time' },
    ]);
    expect(byQuestion.map((q) => [q.label, q.themes.map((t) => t.phrase)])).toEqual([
      ['What worked?', ['peer observation']],
      ["What didn't?", ['substitute coverage']],
      ['How could it be improved?', []],
    ]);
    expect(overall.map((t) => t.phrase)).toEqual(['peer observation', 'substitute coverage']);
  });
});
