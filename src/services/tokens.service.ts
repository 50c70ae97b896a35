// API tokens for collection stations and scripts: shown once, stored hashed, scoped,
// revocable (a revoked token is kept, marked, so the audit trail can name it).
import { uuidv7 } from 'uuidv7';
import { usersRepository } from '../db/repositories/users.repository.js';
import type { ApiTokenRow } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import { TOKEN_SCOPES, type TokenScope } from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';
import { newSecret, secretHash } from './secrets.js';

export const TOKEN_PREFIX = 'zl_';

export interface ApiToken {
  id: string;
  userId: string;
  username: string;
  name: string;
  scope: TokenScope;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface CreateTokenInput {
  userId?: string;
  username?: string;
  name: string;
  scope: string;
  expiresInDays?: number | null;
}

export class TokensService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  private async present(rows: ApiTokenRow[]): Promise<ApiToken[]> {
    const db = this.ctx.catalogue.db;
    const ids = [...new Set(rows.map((r) => r.userId))];
    const users = ids.length
      ? await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute()
      : [];
    const names = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => ({
      id: r.id,
      userId: r.userId,
      username: names.get(r.userId) ?? '',
      name: r.name,
      scope: r.scope as TokenScope,
      prefix: r.prefix,
      createdAt: Number(r.createdAt),
      lastUsedAt: r.lastUsedAt === null ? null : Number(r.lastUsedAt),
      expiresAt: r.expiresAt === null ? null : Number(r.expiresAt),
      revokedAt: r.revokedAt === null ? null : Number(r.revokedAt),
    }));
  }

  async list(actor: Actor): Promise<ApiToken[]> {
    let q = this.ctx.catalogue.db.selectFrom('apiTokens').selectAll();
    if (!hasPermission(actor, 'tokens.manage')) {
      assertPermission(actor, 'tokens.own');
      q = q.where('userId', '=', actor.userId ?? '');
    }
    return this.present(await q.orderBy('createdAt', 'desc').execute());
  }

  async create(actor: Actor, input: CreateTokenInput): Promise<{ token: ApiToken; secret: string }> {
    if (!(TOKEN_SCOPES as readonly string[]).includes(input.scope))
      throw new AppError('TOKEN_SCOPE_UNKNOWN', 400, {
        zh: `未知的令牌范围：${input.scope}（可用：station、api）`,
        en: `Unknown token scope: ${input.scope} (use station or api)`,
      });
    const scope = input.scope as TokenScope;
    const name = input.name.trim();
    if (!name || name.length > 100)
      throw errors.validation('令牌名称须为 1–100 个字符 / token name must be 1–100 characters');
    const db = this.ctx.catalogue.db;
    const owner = input.userId
      ? await usersRepository.get(db, input.userId)
      : input.username
        ? await usersRepository.byUsername(db, input.username.trim().toLowerCase())
        : actor.userId
          ? await usersRepository.get(db, actor.userId)
          : undefined;
    if (!owner) throw errors.notFound('user', '用户', input.userId ?? input.username ?? '');
    // Station tokens and tokens for other people are an administrator's act.
    if (owner.id !== actor.userId || scope === 'station') assertPermission(actor, 'tokens.manage');
    else if (!hasPermission(actor, 'tokens.manage')) assertPermission(actor, 'tokens.own');
    if (owner.active !== 1)
      throw new AppError('ACCOUNT_DISABLED', 400, { zh: '该用户已停用', en: 'That user is deactivated' });
    const days = input.expiresInDays ?? null;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650))
      throw errors.validation('有效天数须为 1–3650 / expiresInDays must be 1–3650');
    const secret = newSecret(TOKEN_PREFIX);
    const now = this.ctx.clock.now();
    const row: ApiTokenRow = {
      id: uuidv7(),
      userId: owner.id,
      name,
      scope,
      tokenHash: secretHash(secret),
      prefix: secret.slice(0, 10),
      createdAt: now,
      createdBy: actor.userId,
      lastUsedAt: null,
      expiresAt: days === null ? null : now + days * 86_400_000,
      revokedAt: null,
      revokedBy: null,
    };
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('apiTokens').values(row).execute();
      await this.audit.record(tx, actor, {
        action: 'token.create',
        targetType: 'api_token',
        targetId: row.id,
        details: { owner: owner.username, name, scope, prefix: row.prefix, expiresAt: row.expiresAt },
      });
    });
    return { token: (await this.present([row]))[0]!, secret };
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('apiTokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw errors.notFound('token', '令牌', id);
      if (row.userId !== actor.userId || row.scope === 'station') assertPermission(actor, 'tokens.manage');
      if (row.revokedAt !== null) return;
      await tx
        .updateTable('apiTokens')
        .set({ revokedAt: this.ctx.clock.now(), revokedBy: actor.userId })
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'token.revoke',
        targetType: 'api_token',
        targetId: id,
        details: { name: row.name, prefix: row.prefix, scope: row.scope },
      });
    });
  }
}
