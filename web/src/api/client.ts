import { currentLang } from '../i18n';
import i18n from '../i18n';

/** An error answered by the server ({ code, message, details }) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Set when the client already navigated away (login page, forced password change). */
  redirected = false;
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

type AuthHandlers = {
  onUnauthorized: () => void;
  onPasswordChangeRequired: () => void;
  onMfaEnrolmentRequired: () => void;
};

let handlers: AuthHandlers = {
  onUnauthorized: () => {},
  onPasswordChangeRequired: () => {},
  onMfaEnrolmentRequired: () => {},
};

/** The router registers where 401, forced-password-change and forced-MFA answers lead. */
export function setAuthHandlers(h: AuthHandlers): void {
  handlers = h;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** A multipart body (file uploads); the browser sets the boundary. */
  form?: FormData;
  query?: Record<string, string | number | boolean | undefined | null>;
  /**
   * Credential checks (login, MFA, current password) answer 401 for a wrong secret;
   * those must stay on the page instead of bouncing to the login screen.
   */
  credentialCheck?: boolean;
  /** Base other than /api/v1 (the health check lives at /api/health). */
  base?: string;
}

export const API_BASE = '/api/v1';

export function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function readError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON (proxy error page etc.)
  }
  if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
    const b = body as { code: string; message: string; details?: Record<string, unknown> };
    return new ApiError(res.status, String(b.code), String(b.message), b.details ?? {});
  }
  return new ApiError(
    res.status,
    `HTTP_${res.status}`,
    i18n.t('errors.http', { status: String(res.status) }),
  );
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLang() === 'en' ? 'en' : 'zh-CN',
  };
  // CSRF guard required by the server on every state-changing browser request.
  if (method !== 'GET') headers['X-Requested-With'] = 'zhilu';
  // Only declare JSON when there is a body: Fastify rejects an empty JSON body.
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';

  let res: Response;
  try {
    res = await fetch(`${opts.base ?? API_BASE}${path}${buildQuery(opts.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', i18n.t('errors.network'));
  }

  if (!res.ok) {
    const err = await readError(res);
    if (res.status === 401 && !(opts.credentialCheck && err.code !== 'UNAUTHENTICATED')) {
      err.redirected = true;
      handlers.onUnauthorized();
    } else if (res.status === 403 && err.code === 'PASSWORD_CHANGE_REQUIRED') {
      err.redirected = true;
      handlers.onPasswordChangeRequired();
    } else if (res.status === 403 && err.code === 'MFA_ENROLMENT_REQUIRED') {
      err.redirected = true;
      handlers.onMfaEnrolmentRequired();
    }
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
