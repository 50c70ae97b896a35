// One error handler: caller mistakes become { code, message } in the caller's language;
// anything unexpected is logged and answered with INTERNAL_ERROR and nothing more.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errors, isAppError } from '../domain/errors.js';
import type { Services } from '../zhilu.js';
import { languageOf } from './language.js';

function fromFastify(error: FastifyError): AppError | null {
  if (error.validation) {
    const first = error.validation[0];
    const where = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    const extra =
      first?.keyword === 'additionalProperties'
        ? ` (${String((first.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    const msg = `${where} ${first?.message ?? 'is invalid'}${extra}`;
    return new AppError(
      'VALIDATION_FAILED',
      400,
      { zh: `请求内容不合法：${msg}`, en: `Invalid request: ${msg}` },
      {
        field: where,
        keyword: first?.keyword,
      },
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('INVALID_JSON', 400, {
        zh: '请求体不是合法的 JSON',
        en: 'The request body is not valid JSON',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', 413, { zh: '请求体过大', en: 'The request body is too large' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, {
        zh: '不支持的内容类型',
        en: 'Unsupported content type',
      });
  }
  if (error instanceof SyntaxError || error.statusCode === 400)
    return new AppError('INVALID_JSON', 400, {
      zh: '请求体不是合法的 JSON',
      en: 'The request body is not valid JSON',
    });
  if (error.statusCode === 429)
    return new AppError('RATE_LIMITED', 429, {
      zh: '请求过于频繁，请稍后再试',
      en: 'Too many requests; try again later',
    });
  return null;
}

export function installErrorHandler(app: FastifyInstance, services: Services): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let appError = isAppError(error) ? error : fromFastify(error);
    if (!appError || appError.status >= 500) {
      if (!appError) request.log.error({ err: error }, 'unhandled error');
      appError = appError ?? errors.internal();
    }
    // Every refused privileged request is in the audit trail.
    if (request.auth && (appError.code === 'FORBIDDEN' || appError.code === 'CSRF_HEADER_MISSING')) {
      await services.audit
        .recordAlone(request.auth.actor, {
          action: 'access.denied',
          outcome: 'denied',
          targetType: 'route',
          targetId: `${request.method} ${request.routeOptions.url ?? request.url}`,
          details: { code: appError.code, ...(appError.details ?? {}) },
        })
        .catch((e: unknown) => request.log.error({ err: e }, 'could not audit a denied request'));
    }
    const lang = languageOf(request.headers['accept-language']);
    const body: Record<string, unknown> = { code: appError.code, message: appError.messageFor(lang) };
    if (appError.details) body.details = appError.details;
    if (appError.code === 'ACCOUNT_LOCKED' || appError.code === 'RATE_LIMITED') {
      const retry = (appError.details?.retryAfterSeconds as number | undefined) ?? 60;
      void reply.header('retry-after', String(retry));
    }
    // A download that failed before its first byte may have set its own headers already.
    void reply
      .removeHeader('content-disposition')
      .removeHeader('content-length')
      .type('application/json; charset=utf-8');
    return reply.status(appError.status).send(body);
  });
}
