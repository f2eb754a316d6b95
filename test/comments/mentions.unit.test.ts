import { describe, expect, it } from 'vitest';
import { mentionsIn } from '../../core/comments/mentions.js';

const members = Object.entries({
  ana: 'Ana Diaz',
  ben: 'Ben Ode',
  benita: 'Benita Ruiz',
  cal1: 'Cal Moss',
  cal2: 'Cal Lin',
  zoe: 'Zoë Ölund',
}).map(([personId, name]) => ({ personId, name }));

describe('who a comment mentions', () => {
  it('finds a member by full name, or by a first name nobody else has, in any case', () => {
    expect(mentionsIn('Thanks @Ana Diaz!', members)).toEqual(['ana']);
    expect(mentionsIn('@ana can you look?', members)).toEqual(['ana']);
    expect(mentionsIn('@BEN and @Benita, please', members).sort()).toEqual(['ben', 'benita']);
    expect(mentionsIn('Ask @zoë', members)).toEqual(['zoe']);
  });

  it('needs the whole name: a shared first name, a longer word, or an address mention nobody', () => {
    expect(mentionsIn('@Cal please', members)).toEqual([]);
    expect(mentionsIn('@Cal Lin please', members)).toEqual(['cal2']);
    expect(mentionsIn('@Anabel', members)).toEqual([]);
    expect(mentionsIn('Write to ana@lakeside.example or ben@center.example', members)).toEqual([]);
    expect(mentionsIn('No mention at all', members)).toEqual([]);
  });
});
