import { describe, expect, it } from 'vitest';
import { normalizeCountry } from '../../src/domain/countries.js';

const code = (s: string) => {
  const r = normalizeCountry(s);
  return r.ok ? r.code : `error:${r.reason}`;
};

describe('country normalisation', () => {
  it.each([
    ['Taiwan, Province of China', 'TW'], ['Republic of China', 'TW'], ['Chinese Taipei', 'TW'], ['Taiwan', 'TW'], ['ROC', 'TW'],
    ['PRC', 'CN'], ["People's Republic of China", 'CN'], ['Mainland China', 'CN'], ['China', 'CN'], ['CHN', 'CN'],
    ['Hong Kong SAR', 'HK'], ['Hong Kong', 'HK'], ['Hong Kong, China', 'HK'],
    ['Macau', 'MO'], ['Macao', 'MO'], ['Macao SAR', 'MO'],
    ['Viet Nam', 'VN'], ['Vietnam', 'VN'], ['UK', 'GB'], ['United Kingdom', 'GB'], ['Great Britain', 'GB'],
    ['pl', 'PL'], ['  Poland ', 'PL'], ['DEU', 'DE'], ['Germany', 'DE'], ['the Netherlands', 'NL'], ['Czechia', 'CZ'],
    ['South Korea', 'KR'], ['Republic of Korea', 'KR'], ['North Korea', 'KP'], ['USA', 'US'], ['U.S.A.', 'US'], ['unknown', 'unknown'],
  ])('%s → %s', (input, expected) => {
    expect(code(input)).toBe(expected);
  });

  it('refuses ambiguous names, regions and unknown names instead of guessing', () => {
    expect(normalizeCountry('Korea')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['KR', 'KP'] });
    expect(normalizeCountry('Congo')).toMatchObject({ ok: false, reason: 'ambiguous', candidates: ['CD', 'CG'] });
    expect(code('Asia')).toBe('error:region');
    expect(code('EU')).toBe('error:region');
    expect(code('Atlantis')).toBe('error:unknown');
    expect(code('XX')).toBe('error:unknown');
    expect(code('')).toBe('error:unknown');
  });

  it('never maps Taiwan, Hong Kong or Macau names onto CN by substring', () => {
    for (const name of ['Taiwan, Province of China', 'Republic of China', 'Chinese Taipei']) expect(code(name)).toBe('TW');
    expect(code('Hong Kong, China')).toBe('HK');
    expect(code('Macao, China')).toBe('MO');
  });
});
