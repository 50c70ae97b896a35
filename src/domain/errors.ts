// Stable error codes with a zh-CN and an English message. Every error a caller can
// cause (HTTP, CLI, station, device files) is one of these; the HTTP layer picks the
// message by Accept-Language and the CLI prints the zh-CN one followed by the English.

export type Lang = 'zh-CN' | 'en';

export interface ErrorMessage {
  zh: string;
  en: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly messages: ErrorMessage,
    readonly details?: Record<string, unknown>,
  ) {
    super(messages.en);
    this.name = 'AppError';
  }

  messageFor(lang: Lang): string {
    return lang === 'en' ? this.messages.en : this.messages.zh;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Builders for the errors used in more than one place. */
export const errors = {
  validation: (detail: string, details?: Record<string, unknown>) =>
    new AppError(
      'VALIDATION_FAILED',
      400,
      { zh: `请求内容不合法：${detail}`, en: `Invalid request: ${detail}` },
      details,
    ),
  notFound: (what: string, zhWhat: string, id?: string) =>
    new AppError(
      `${what.toUpperCase()}_NOT_FOUND`,
      404,
      { zh: `${zhWhat}不存在${id ? `：${id}` : ''}`, en: `${what} not found${id ? `: ${id}` : ''}` },
      id ? { id } : undefined,
    ),
  unauthenticated: () => new AppError('UNAUTHENTICATED', 401, { zh: '请先登录', en: 'Please log in first' }),
  forbidden: (permission?: string) =>
    new AppError(
      'FORBIDDEN',
      403,
      { zh: '您没有执行此操作的权限', en: 'You do not have permission to do this' },
      permission ? { permission } : undefined,
    ),
  conflict: (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
    new AppError(code, 409, { zh, en }, details),
  internal: () =>
    new AppError('INTERNAL_ERROR', 500, {
      zh: '服务器内部错误，请稍后重试',
      en: 'Internal server error, please retry later',
    }),
  // Interruptions (A11.1) and findings (compliance-findings.ts).
  interruptionReasonInvalid: (reason: string, allowed: readonly string[]) =>
    new AppError(
      'INTERRUPTION_REASON_INVALID',
      400,
      {
        zh: `中断原因“${reason}”不在规定的原因之列`,
        en: `"${reason}" is not one of the listed interruption reasons`,
      },
      { reason, allowed: [...allowed] },
    ),
  interruptionReasonTextRequired: () =>
    new AppError('INTERRUPTION_REASON_TEXT_REQUIRED', 400, {
      zh: '中断原因选择“其他”时须写明具体原因',
      en: 'An interruption reason of "other" needs a written reason',
    }),
  interruptionReasonTextTooLong: (max: number) =>
    new AppError(
      'INTERRUPTION_REASON_TEXT_TOO_LONG',
      400,
      {
        zh: `中断原因说明不能超过 ${max} 个字符`,
        en: `The interruption reason may not exceed ${max} characters`,
      },
      { max },
    ),
  findingStatusInvalid: (from: string, to: string, zhNames: { from: string; to: string }) =>
    new AppError(
      'FINDING_STATUS_INVALID',
      409,
      {
        zh: `核查发现不能从“${zhNames.from}”变为“${zhNames.to}”`,
        en: `A finding cannot go from ${from} to ${to}`,
      },
      { from, to },
    ),
  // Compliance dashboards and reports (services/compliance-report.service.ts).
  reportPeriodInvalid: (field: 'from' | 'to', value: string) =>
    new AppError(
      'REPORT_PERIOD_INVALID',
      400,
      {
        zh: `统计期间的${field === 'from' ? '起始' : '截止'}日期“${value}”不是有效日期（格式 YYYY-MM-DD）`,
        en: `The period's ${field === 'from' ? 'first' : 'last'} day "${value}" is not a valid date (YYYY-MM-DD)`,
      },
      { field, value },
    ),
  reportPeriodReversed: (from: string, to: string) =>
    new AppError(
      'REPORT_PERIOD_REVERSED',
      400,
      {
        zh: `统计期间的起始日期（${from}）晚于截止日期（${to}）`,
        en: `The period starts (${from}) after it ends (${to})`,
      },
      { from, to },
    ),
  // FORBIDDEN (with a reason) so the refusal is audited like every other one.
  reportUnitForbidden: (unitId: string) =>
    new AppError(
      'FORBIDDEN',
      403,
      {
        zh: '您无权查看该单位的合规统计',
        en: 'You may not see the compliance numbers of this unit',
      },
      { reason: 'unit_not_visible', unitId },
    ),
  reportOfficerForbidden: (officerId: string) =>
    new AppError(
      'FORBIDDEN',
      403,
      {
        zh: '您只能查看本人的合规统计',
        en: 'You may see only your own compliance numbers',
      },
      { reason: 'officer_not_visible', officerId },
    ),
  // Violations (A21.1) and sanctions (A22.1), domain/violation.ts.
  violationCategoryInvalid: (category: string, allowed: readonly string[]) =>
    new AppError(
      'VIOLATION_CATEGORY_INVALID',
      400,
      {
        zh: `“${category}”不是第二十一条规定的违规情形`,
        en: `"${category}" is not one of the violation categories of A21.1`,
      },
      { category, allowed: [...allowed] },
    ),
  sanctionInvalid: (sanction: string, allowed: readonly string[]) =>
    new AppError(
      'SANCTION_INVALID',
      400,
      {
        zh: `“${sanction}”不是第二十二条规定的责任追究方式`,
        en: `"${sanction}" is not one of the sanctions of A22.1`,
      },
      { sanction, allowed: [...allowed] },
    ),
  violationSanctionsRequired: () =>
    new AppError('VIOLATION_SANCTIONS_REQUIRED', 400, {
      zh: '处理决定须至少选择一种责任追究方式',
      en: 'A decision needs at least one sanction',
    }),
  suspensionPeriodRequired: () =>
    new AppError('SUSPENSION_PERIOD_REQUIRED', 400, {
      zh: '暂停执法资格须写明起止日期',
      en: 'A suspension needs its first and last day',
    }),
  suspensionPeriodInvalid: (from: string, to: string) =>
    new AppError(
      'SUSPENSION_PERIOD_INVALID',
      400,
      {
        zh: '暂停执法资格的起止日期须为有效日期（YYYY-MM-DD），且开始不晚于结束',
        en: 'The suspension period must be valid dates (YYYY-MM-DD), the first not after the last',
      },
      { from, to },
    ),
  suspensionPeriodUnexpected: () =>
    new AppError('SUSPENSION_PERIOD_UNEXPECTED', 400, {
      zh: '只有暂停执法资格需要起止日期',
      en: 'Only a suspension has a period',
    }),
  violationStatusInvalid: (from: string, to: string, zhNames: { from: string; to: string }) =>
    new AppError(
      'VIOLATION_STATUS_INVALID',
      409,
      {
        zh: `违规记录不能从“${zhNames.from}”变为“${zhNames.to}”`,
        en: `A violation record cannot go from ${from} to ${to}`,
      },
      { from, to },
    ),
};
