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

/**
 * Puts a server error on the field named in its details (`details.field`), for codes whose
 * field depends on the input (e.g. SUBJECT_EXISTS on the credit code or the ID number).
 */
export function applyDetailsField(form: FormInstance, err: unknown, fields: readonly string[]): boolean {
  if (!isApiError(err)) return false;
  const field = err.details.field;
  if (typeof field !== 'string' || !fields.includes(field)) return false;
  form.setFields([{ name: field, errors: [err.message] }]);
  return true;
}
