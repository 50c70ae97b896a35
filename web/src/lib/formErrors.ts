import type { FormInstance } from 'antd';
import { isApiError } from '../api/client';

/**
 * Puts a server error on the form field it concerns (e.g. USERNAME_TAKEN → username).
 * Returns false when the code is not mapped, so the caller shows it as a message.
 */
export function applyFieldError(
  form: FormInstance,
  err: unknown,
  fieldsByCode: Record<string, string>,
): boolean {
  if (!isApiError(err)) return false;
  const field = fieldsByCode[err.code];
  if (!field) return false;
  form.setFields([{ name: field, errors: [err.message] }]);
  return true;
}
