// Who is calling: a session cookie (browser) or a bearer API token (stations, scripts).
// Routes declare `config.auth`: 'none', 'optional' or (default) 'required'.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errors } from '../domain/errors.js';
import type { Authenticated, Client } from '../services/auth.service.js';
import type { Services } from '../zhilu.js';

export const SESSION_COOKIE = 'zhilu_session';
export const MFA_COOKIE = 'zhilu_mfa';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    auth?: 'none' | 'optional' | 'required';
    /** Reachable while a password change or TOTP enrolment is still owed. */
    allowPending?: boolean;
  }
}

export function clientOf(request: FastifyRequest): Client {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

export function requireAuth(request: FastifyRequest): Authenticated {
  if (!request.auth) throw errors.unauthenticated();
  return request.auth;
}

export function installAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const mode = request.routeOptions.config?.auth ?? 'required';
    // Public routes (login, password policy, health) ignore any credentials sent.
    if (mode === 'none' || !request.url.startsWith('/api/v1/')) return;
    const client = clientOf(request);
    const header = request.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      request.auth = m ? await services.auth.fromToken(m[1]!, client) : null;
      if (!request.auth)
        throw new AppError('TOKEN_INVALID', 401, {
          zh: 'API 令牌无效、已过期或已吊销',
          en: 'The API token is invalid, expired or revoked',
        });
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      request.auth = cookie ? await services.auth.fromSession(cookie, client) : null;
      if (cookie && !request.auth) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      // SameSite=Strict already stops cross-site posts; the header is a second, cheap guard.
      if (
        request.auth &&
        request.method !== 'GET' &&
        request.method !== 'HEAD' &&
        request.headers['x-requested-with'] !== 'zhilu'
      )
        throw new AppError('CSRF_HEADER_MISSING', 403, {
          zh: '缺少 X-Requested-With 请求头',
          en: 'Missing the X-Requested-With header',
        });
    }
    if (mode === 'required' && !request.auth) throw errors.unauthenticated();
    if (request.auth && !request.routeOptions.config?.allowPending) {
      if (request.auth.mustChangePassword)
        throw new AppError('PASSWORD_CHANGE_REQUIRED', 403, {
          zh: '首次登录或密码被重置后须先修改密码',
          en: 'You must change your password first',
        });
      if (request.auth.mustEnrolMfa)
        throw new AppError('MFA_ENROLMENT_REQUIRED', 403, {
          zh: '您的角色要求启用双因素认证，请先在个人中心设置',
          en: 'Your role requires two-factor authentication; set it up in your profile first',
        });
    }
  });
}
