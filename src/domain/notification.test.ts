import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  announcingUnit,
  DEFAULT_TEMPLATE,
  MAX_TEMPLATE_LENGTH,
  renderTemplate,
  templateOwner,
  validateTemplate,
  type UnitNode,
} from './notification.js';

function ruleOf(raw: string): string | null {
  try {
    validateTemplate(raw);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('NOTIFICATION_TEMPLATE_INVALID');
    return (e as AppError).details?.rule as string;
  }
}

describe('notification wording (A8.1)', () => {
  it('defaults to the regulation’s wording', () => {
    expect(
      renderTemplate(DEFAULT_TEMPLATE, {
        unitName: '漯河市畜牧兽医执法大队',
        officerNames: ['张三', '李四'],
      }),
    ).toBe(
      '您好，我们是漯河市畜牧兽医执法大队执法人员张三、李四，为保护您的合法权益，监督我们的执法行为，本次执法全程录音录像。',
    );
    expect(validateTemplate(DEFAULT_TEMPLATE)).toBe(DEFAULT_TEMPLATE);
  });

  it('joins any number of names with 、 and fills every occurrence', () => {
    expect(
      renderTemplate('{officerNames}/{officerNames}@{unitName}', {
        unitName: 'U',
        officerNames: ['甲', '乙', '丙'],
      }),
    ).toBe('甲、乙、丙/甲、乙、丙@U');
  });

  it('does not re-read placeholders inside the filled-in values', () => {
    expect(
      renderTemplate('{unitName}{officerNames}', {
        unitName: '{officerNames}',
        officerNames: ['{unitName}'],
      }),
    ).toBe('{officerNames}{unitName}');
  });
});

describe('template validation', () => {
  it('accepts a template naming the officers, with or without the unit', () => {
    expect(ruleOf('我们是执法人员{officerNames}，本次执法全程录音录像。')).toBeNull();
    expect(validateTemplate('  {unitName}{officerNames}  ')).toBe('{unitName}{officerNames}');
  });

  it('must contain {officerNames}', () => {
    expect(ruleOf('您好，我们是{unitName}执法人员，本次执法全程录音录像。')).toBe('officer_names_missing');
  });

  it('refuses unknown placeholders and stray braces', () => {
    expect(ruleOf('{officerNames}{caseNumber}')).toBe('unknown_placeholder');
    expect(ruleOf('{officerNames}{}')).toBe('unknown_placeholder');
    expect(ruleOf('{officerNames}{OfficerNames}')).toBe('unknown_placeholder');
    expect(ruleOf('{officerNames} {unitName')).toBe('unbalanced_braces');
    expect(ruleOf('{officerNames} }')).toBe('unbalanced_braces');
    expect(ruleOf('{{officerNames}}')).toBe('unbalanced_braces');
  });

  it('limits the length to 500 characters (counting Chinese characters as one)', () => {
    const filler = (n: number) => '录'.repeat(n);
    expect(ruleOf(`{officerNames}${filler(MAX_TEMPLATE_LENGTH - 14)}`)).toBeNull();
    expect(ruleOf(`{officerNames}${filler(MAX_TEMPLATE_LENGTH - 13)}`)).toBe('too_long');
  });

  it('refuses empty templates and control characters', () => {
    expect(ruleOf('   ')).toBe('empty');
    expect(ruleOf('{officerNames}\n第二行')).toBe('control_characters');
    expect(ruleOf('{officerNames}\u0000')).toBe('control_characters');
  });
});

describe('which unit speaks, and whose template applies', () => {
  const units = new Map<string, UnitNode>(
    [
      { id: 'city', name: '漯河市畜牧兽医执法大队', kind: 'brigade', parentId: null },
      { id: 'sq1', name: '第一中队', kind: 'squadron', parentId: 'city' },
      { id: 'legal', name: '法制科', kind: 'office', parentId: 'city' },
      { id: 'sub', name: '第一中队一组', kind: 'office', parentId: 'sq1' },
      { id: 'county', name: '郾城区执法大队', kind: 'brigade', parentId: 'city' },
      { id: 'csq', name: '郾城一中队', kind: 'squadron', parentId: 'county' },
      { id: 'lone', name: '独立科室', kind: 'office', parentId: null },
    ].map((u) => [u.id, u]),
  );

  it('announces a squadron or office under the brigade above it', () => {
    expect(announcingUnit('city', units)?.name).toBe('漯河市畜牧兽医执法大队');
    expect(announcingUnit('sq1', units)?.name).toBe('漯河市畜牧兽医执法大队');
    expect(announcingUnit('legal', units)?.name).toBe('漯河市畜牧兽医执法大队');
    expect(announcingUnit('sub', units)?.name).toBe('漯河市畜牧兽医执法大队');
    expect(announcingUnit('csq', units)?.name).toBe('郾城区执法大队');
    expect(announcingUnit('lone', units)?.name).toBe('独立科室');
    expect(announcingUnit('missing', units)).toBeNull();
  });

  it('survives a corrupted tree with a cycle', () => {
    const loop = new Map<string, UnitNode>([
      ['a', { id: 'a', name: 'A', kind: 'office', parentId: 'b' }],
      ['b', { id: 'b', name: 'B', kind: 'office', parentId: 'a' }],
    ]);
    expect(announcingUnit('a', loop)?.id).toBeDefined();
    expect(templateOwner('a', loop, () => false)).toBeNull();
  });

  it('uses the nearest unit with a template of its own', () => {
    expect(templateOwner('sub', units, (id) => id === 'city')).toBe('city');
    expect(templateOwner('sub', units, (id) => id === 'city' || id === 'sq1')).toBe('sq1');
    expect(templateOwner('csq', units, () => false)).toBeNull();
  });
});
