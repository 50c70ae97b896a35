import { describe, expect, it } from 'vitest';
import { languageOf } from './language.js';

describe('languageOf (Accept-Language)', () => {
  it('no header → zh-CN', () => {
    expect(languageOf(undefined)).toBe('zh-CN');
    expect(languageOf('')).toBe('zh-CN');
  });

  it.each([
    ['en-US,en;q=0.9', 'en'],
    ['en', 'en'],
    ['EN-GB', 'en'],
    ['en-GB;q=1.0', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-TW,zh;q=0.9', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en;q=0.1, zh;q=0.9', 'zh-CN'],
    ['zh;q=0.1, en;q=0.9', 'en'],
    ['zh;q=0.5,en', 'en'],
    ['fr-FR,fr;q=0.9,en;q=0.8', 'zh-CN'],
    ['de', 'zh-CN'],
    ['ja,en;q=0.5', 'zh-CN'],
    ['*', 'zh-CN'],
    ['*;q=0.5,en', 'en'],
  ] as const)('%j → %s', (header, lang) => {
    expect(languageOf(header)).toBe(lang);
  });

  it('tolerates whitespace around tags and parameters', () => {
    expect(languageOf('  en-US ; q=0.9 ,  zh ; q=0.5 ')).toBe('en');
    expect(languageOf('zh ; q=0.3 , en ; q=0.7')).toBe('en');
  });

  it('keeps header order between equal weights (first listed wins)', () => {
    expect(languageOf('en, zh')).toBe('en');
    expect(languageOf('zh, en')).toBe('zh-CN');
    expect(languageOf('en;q=0.8, zh;q=0.8')).toBe('en');
    expect(languageOf('zh;q=0.8, en;q=0.8')).toBe('zh-CN');
  });

  it('an unreadable weight counts as 0', () => {
    expect(languageOf('en;q=abc, zh;q=0.1')).toBe('zh-CN');
    expect(languageOf('zh;q=, en;q=0.2')).toBe('en');
  });

  it.each([',,,', ';;;', ';q=1', 'q=0.5', '   ', ', ;', 'garbage!!', '\u0000\u0001', '中文', '🙂;q=2'])(
    'garbage %j → zh-CN',
    (header) => {
      expect(languageOf(header)).toBe('zh-CN');
    },
  );

  it('is not fooled by a very long header', () => {
    expect(languageOf(Array.from({ length: 500 }, () => 'fr;q=0.1').join(',') + ',zh;q=0.9')).toBe('zh-CN');
    expect(languageOf(Array.from({ length: 500 }, () => 'fr;q=0.1').join(',') + ',en;q=0.9')).toBe('en');
  });
});
