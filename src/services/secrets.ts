// Bearer secrets (session cookies, API tokens): random, shown once, stored as SHA-256.
import { createHash, randomBytes } from 'node:crypto';

export const newSecret = (prefix = ''): string => prefix + randomBytes(32).toString('base64url');
export const secretHash = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('hex');
