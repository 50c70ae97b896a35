import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import QRCode from 'qrcode';
import { PASSWORD_POLICY } from '../../domain/password-policy.js';
import { AppError } from '../../domain/errors.js';
import type { LoginResult } from '../../services/auth.service.js';
import type { Services } from '../../zhilu.js';
import { clientOf, MFA_COOKIE, requireAuth, SESSION_COOKIE } from '../auth.js';
import { MeSchema, strictObject } from '../schemas.js';
import type { FastifyReply } from 'fastify';

export interface AuthRouteOptions {
  services: Services;
  secureCookies: boolean;
  loginRateLimitPerMinute: number;
}

const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { services, secureCookies, loginRateLimitPerMinute },
) => {
  const cookie = (maxAgeMs: number) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: secureCookies,
    maxAge: Math.max(1, Math.floor(maxAgeMs / 1000)),
  });

  async function answerLogin(result: LoginResult, reply: FastifyReply) {
    const now = Date.now();
    if (result.kind === 'mfa') {
      void reply.setCookie(MFA_COOKIE, result.challenge, cookie(result.expiresAt - now));
      return { mfaRequired: true as const };
    }
    void reply.setCookie(SESSION_COOKIE, result.token, cookie(result.expiresAt - now));
    void reply.clearCookie(MFA_COOKIE, { path: '/' });
    const auth = await services.auth.fromSession(result.token, { ip: null, userAgent: null });
    return { user: await services.auth.me(auth!.user, auth!.roles, auth!.actor) };
  }

  const rateLimit = { max: loginRateLimitPerMinute, timeWindow: '1 minute' };

  app.post(
    '/auth/login',
    {
      config: { auth: 'none', rateLimit },
      schema: {
        tags: ['auth'],
        summary: '登录 / Log in',
        body: strictObject({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
      },
    },
    async (request, reply) =>
      answerLogin(
        await services.auth.login(request.body.username, request.body.password, clientOf(request)),
        reply,
      ),
  );

  app.post(
    '/auth/mfa',
    {
      config: { auth: 'none', rateLimit },
      schema: {
        tags: ['auth'],
        summary: '双因素验证 / Second factor',
        body: strictObject({ code: Type.String({ minLength: 1, maxLength: 10 }) }),
      },
    },
    async (request, reply) => {
      const challenge = request.cookies[MFA_COOKIE];
      if (!challenge)
        throw new AppError('MFA_CHALLENGE_EXPIRED', 401, {
          zh: '验证已过期，请重新登录',
          en: 'The verification expired; log in again',
        });
      return answerLogin(
        await services.auth.completeMfa(challenge, request.body.code, clientOf(request)),
        reply,
      );
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { auth: 'optional', allowPending: true },
      schema: { tags: ['auth'], summary: '退出 / Log out' },
    },
    async (request, reply) => {
      if (request.auth) await services.auth.logout(request.auth);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/auth/me',
    {
      config: { allowPending: true },
      schema: { tags: ['auth'], summary: '当前用户 / Current user', response: { 200: MeSchema } },
    },
    async (request) => {
      const auth = requireAuth(request);
      return services.auth.me(auth.user, auth.roles, auth.actor);
    },
  );

  app.get(
    '/auth/password-policy',
    { config: { auth: 'none' }, schema: { tags: ['auth'], summary: '密码规则 / Password policy' } },
    async () => ({
      ...PASSWORD_POLICY,
    }),
  );

  app.post(
    '/auth/password',
    {
      config: { allowPending: true, rateLimit },
      schema: {
        tags: ['auth'],
        summary: '修改密码 / Change password',
        body: strictObject({
          currentPassword: Type.String({ maxLength: 256 }),
          newPassword: Type.String({ maxLength: 1024 }),
        }),
      },
    },
    async (request, reply) => {
      await services.auth.changePassword(
        requireAuth(request),
        request.body.currentPassword,
        request.body.newPassword,
      );
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/totp/setup',
    {
      config: { allowPending: true },
      schema: { tags: ['auth'], summary: '生成双因素密钥 / Start TOTP set-up' },
    },
    async (request) => {
      const auth = requireAuth(request);
      if (auth.mustChangePassword)
        throw new AppError('PASSWORD_CHANGE_REQUIRED', 403, {
          zh: '首次登录或密码被重置后须先修改密码',
          en: 'You must change your password first',
        });
      const { secret, otpauthUrl } = await services.auth.totpSetup(auth);
      return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
    },
  );

  app.post(
    '/auth/totp/enable',
    {
      config: { allowPending: true },
      schema: {
        tags: ['auth'],
        summary: '启用双因素 / Enable TOTP',
        body: strictObject({ code: Type.String({ maxLength: 10 }) }),
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      if (auth.mustChangePassword)
        throw new AppError('PASSWORD_CHANGE_REQUIRED', 403, {
          zh: '首次登录或密码被重置后须先修改密码',
          en: 'You must change your password first',
        });
      await services.auth.totpEnable(auth, request.body.code);
      return reply.status(204).send();
    },
  );

  app.post(
    '/auth/totp/disable',
    {
      schema: {
        tags: ['auth'],
        summary: '关闭双因素 / Disable TOTP',
        body: strictObject({ password: Type.String({ maxLength: 256 }) }),
      },
    },
    async (request, reply) => {
      await services.auth.totpDisable(requireAuth(request), request.body.password);
      return reply.status(204).send();
    },
  );
};

export default authRoutes;
