// The notification read aloud before recording (A8.1): a template per unit, defaulting to
// the regulation's own wording, filled with the unit's name and the officers' names.
import { AppError } from './errors.js';

export const PLACEHOLDERS = ['unitName', 'officerNames'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** A8.1's standard wording with the brigade's name and the officers as placeholders. */
export const DEFAULT_TEMPLATE =
  '您好，我们是{unitName}执法人员{officerNames}，为保护您的合法权益，监督我们的执法行为，本次执法全程录音录像。';

export const MAX_TEMPLATE_LENGTH = 500;
/** The enumeration comma of Chinese: 张三、李四. */
export const NAME_SEPARATOR = '、';

export type TemplateRule =
  | 'empty'
  | 'too_long'
  | 'control_characters'
  | 'officer_names_missing'
  | 'unknown_placeholder'
  | 'unbalanced_braces';

const RULE_MESSAGES: Record<TemplateRule, { zh: string; en: string }> = {
  empty: { zh: '模板不能为空', en: 'the template is empty' },
  too_long: {
    zh: `模板不能超过 ${MAX_TEMPLATE_LENGTH} 个字符`,
    en: `the template exceeds ${MAX_TEMPLATE_LENGTH} characters`,
  },
  control_characters: { zh: '模板不能含控制字符', en: 'the template contains control characters' },
  officer_names_missing: {
    zh: '模板须包含 {officerNames}（执法人员姓名），告知时须说明执法人员身份',
    en: 'the template must contain {officerNames}: the officers must say who they are',
  },
  unknown_placeholder: {
    zh: '模板含未知占位符，只能使用 {unitName} 和 {officerNames}',
    en: 'only {unitName} and {officerNames} may be used',
  },
  unbalanced_braces: { zh: '模板中的花括号不成对', en: 'the template has an unmatched brace' },
};

function invalid(rule: TemplateRule, details: Record<string, unknown> = {}): AppError {
  const m = RULE_MESSAGES[rule];
  return new AppError(
    'NOTIFICATION_TEMPLATE_INVALID',
    400,
    { zh: `告知用语模板不合法：${m.zh}`, en: `Invalid notification template: ${m.en}` },
    { rule, ...details },
  );
}

/** Checks and normalises (trims) a template; throws NOTIFICATION_TEMPLATE_INVALID. */
export function validateTemplate(raw: string): string {
  const template = raw.trim();
  if (template === '') throw invalid('empty');
  if ([...template].length > MAX_TEMPLATE_LENGTH) throw invalid('too_long', { maximum: MAX_TEMPLATE_LENGTH });
  // Read aloud and printed on one line: no line breaks or other control characters.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(template)) throw invalid('control_characters');
  const names = new Set<string>();
  const rest = template.replace(/\{([^{}]*)\}/g, (_m, name: string) => {
    names.add(name);
    return '';
  });
  if (/[{}]/.test(rest)) throw invalid('unbalanced_braces');
  const unknown = [...names].filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length) throw invalid('unknown_placeholder', { placeholders: unknown.map((n) => `{${n}}`) });
  if (!names.has('officerNames')) throw invalid('officer_names_missing');
  return template;
}

export interface ScriptInput {
  unitName: string;
  /** In reading order: the officer in charge first. */
  officerNames: readonly string[];
}

/** Fills a (valid) template. Values are inserted once, never re-scanned for placeholders. */
export function renderTemplate(template: string, input: ScriptInput): string {
  const values: Record<Placeholder, string> = {
    unitName: input.unitName,
    officerNames: input.officerNames.join(NAME_SEPARATOR),
  };
  return template.replace(/\{(unitName|officerNames)\}/g, (_m, name: Placeholder) => values[name]);
}

export interface UnitNode {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
}

/**
 * The name the party hears. A8.1's wording names the brigade (漯河市畜牧兽医执法大队):
 * the enforcement body in law is the brigade, while its squadrons and offices are internal
 * divisions the party has no reason to know. So an activity of a squadron or office is
 * announced under the nearest brigade above it; a unit with no brigade above it speaks
 * for itself under the name of the top of its tree.
 */
export function announcingUnit(unitId: string, units: ReadonlyMap<string, UnitNode>): UnitNode | null {
  let at = units.get(unitId) ?? null;
  let top: UnitNode | null = at;
  const seen = new Set<string>();
  while (at && !seen.has(at.id)) {
    if (at.kind === 'brigade') return at;
    seen.add(at.id);
    top = at;
    at = at.parentId ? (units.get(at.parentId) ?? null) : null;
  }
  return top;
}

/** The unit whose template applies: the unit itself, else the nearest ancestor that has one. */
export function templateOwner(
  unitId: string,
  units: ReadonlyMap<string, UnitNode>,
  hasTemplate: (id: string) => boolean,
): string | null {
  const seen = new Set<string>();
  for (
    let at = units.get(unitId);
    at && !seen.has(at.id);
    at = at.parentId ? units.get(at.parentId) : undefined
  ) {
    if (hasTemplate(at.id)) return at.id;
    seen.add(at.id);
  }
  return null;
}
