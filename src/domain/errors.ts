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
};
