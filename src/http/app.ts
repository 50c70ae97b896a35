// The HTTP server: Fastify with security headers, strict JSON validation, the API
// under /api/v1, its OpenAPI document at /api/docs, and the web app at /.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { PACKAGE_ROOT, VERSION } from '../version.js';
import type { Zhilu } from '../zhilu.js';
import { installAuth } from './auth.js';
import { installErrorHandler } from './errors.js';
import { ErrorBody } from './schemas.js';
import { languageOf } from './language.js';
import { AppError } from '../domain/errors.js';
import auditRoutes from './routes/audit.js';
import authRoutes from './routes/auth.js';
import settingsRoutes from './routes/settings.js';
import tokenRoutes from './routes/tokens.js';
import unitRoutes from './routes/units.js';
import userRoutes from './routes/users.js';
import subjectRoutes from './routes/subjects.js';
import caseRoutes from './routes/cases.js';
import documentRoutes from './routes/documents.js';
import deviceRoutes from './routes/devices.js';
import checkoutRoutes from './routes/checkouts.js';
import reportRoutes from './routes/reports.js';
import activityRoutes from './routes/activities.js';
import exemptionRoutes from './routes/exemptions.js';
import notificationTemplateRoutes from './routes/notification-templates.js';
import todoRoutes from './routes/todo.js';
import jobRoutes from './routes/jobs.js';
import uploadRoutes, { uploadMaxBytes } from './routes/uploads.js';
import recordingRoutes from './routes/recordings.js';
import importRoutes from './routes/imports.js';
import violationRoutes from './routes/violations.js';
import complianceRoutes from './routes/compliance.js';
import dashboardRoutes from './routes/dashboard.js';

export interface AppOptions {
  logger?: boolean;
  /** Set Secure on cookies (behind HTTPS). */
  secureCookies?: boolean;
}

export async function buildApp(zhilu: Zhilu, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config, services } = zhilu;
  const app = Fastify({
    logger: options.logger ? { level: process.env.ZHILU_LOG_LEVEL ?? 'info' } : false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addSchema(ErrorBody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  installErrorHandler(app, services);
  installAuth(app, services);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'zhilu 执录 API',
        version: VERSION,
        description: '执法音像记录管理系统 / audio-video enforcement records system',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'zhilu_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.get(
    '/api/health',
    { config: { auth: 'none' }, schema: { tags: ['system'], summary: '健康状态 / Health' } },
    async (_request, reply) => {
      const database = await sql`select 1 as ok`
        .execute(zhilu.catalogue.db)
        .then(() => ({ ok: true, kind: zhilu.catalogue.kind }))
        .catch((e: Error) => ({ ok: false, kind: zhilu.catalogue.kind, detail: e.message }));
      const storage = await zhilu.blobs
        .health()
        .then((h) => ({ ...h, kind: zhilu.blobs.kind }))
        .catch((e: Error) => ({ ok: false, kind: zhilu.blobs.kind, detail: e.message }));
      const ok = database.ok && storage.ok;
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ok' : 'degraded', version: VERSION, database, storage });
    },
  );

  await app.register(
    async (api) => {
      await api.register(authRoutes, {
        services,
        secureCookies: options.secureCookies ?? false,
        loginRateLimitPerMinute: config.loginRateLimitPerMinute,
      });
      await api.register(unitRoutes, { services });
      await api.register(userRoutes, { services });
      await api.register(tokenRoutes, { services });
      await api.register(auditRoutes, { services });
      await api.register(settingsRoutes, { services });
      await api.register(activityRoutes, { services });
      await api.register(exemptionRoutes, { services });
      await api.register(notificationTemplateRoutes, { services });
      await api.register(todoRoutes, { services });
      await api.register(deviceRoutes, { services });
      await api.register(checkoutRoutes, { services });
      await api.register(reportRoutes, { services });
      await api.register(subjectRoutes, { services });
      await api.register(caseRoutes, { services });
      await api.register(documentRoutes, { services });
      await api.register(uploadRoutes, {
        services,
        dataDir: config.dataDir,
        maxUploadBytes: uploadMaxBytes(),
        respectForwardedHeaders: Boolean(config.trustProxy),
      });
      await api.register(jobRoutes, { services });
      await api.register(recordingRoutes, { services });
      await api.register(importRoutes, { services });
      await api.register(complianceRoutes, { services });
      await api.register(violationRoutes, { services });
      await api.register(dashboardRoutes, { services });
      // routes:register — registry routes are added above this line
    },
    { prefix: '/api/v1' },
  );

  registerWebApp(app, config.webDir ?? path.join(PACKAGE_ROOT, 'web', 'dist'));
  return app;
}

/** Serves the built web app; unknown non-API GETs get index.html (client-side routes). */
function registerWebApp(app: FastifyInstance, dir: string): void {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (built) void app.register(fastifyStatic, { root: dir, prefix: '/' });
  else
    app.get('/', { config: { auth: 'none' } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'zhilu: the web app is not built; run `npm run build`.\n执录：网页端尚未构建，请运行 npm run build。\n',
        ),
    );
  app.setNotFoundHandler((request, reply) => {
    if (built && request.method === 'GET' && !request.url.startsWith('/api/'))
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    const lang = languageOf(request.headers['accept-language']);
    const e = new AppError('NOT_FOUND', 404, {
      zh: `找不到 ${request.method} ${request.url}`,
      en: `No route for ${request.method} ${request.url}`,
    });
    return reply.status(404).send({ code: e.code, message: e.messageFor(lang) });
  });
}
