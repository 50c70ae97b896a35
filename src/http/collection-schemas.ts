// Schemas shared by the recordings and imports routes (the collection's read side).
import { Type, type TSchema } from 'typebox';
import { MAX_PAGE_SIZE } from '../services/recordings.service.js';
import { strictObject } from './schemas.js';

/** Catalogue ids are uuidv7 strings; anything else is refused before a query runs. */
export const CatalogueId = Type.String({ pattern: '^[0-9A-Za-z_-]{1,64}$' });
export const CatalogueIdParams = strictObject({ id: CatalogueId });
export const Instant = Type.Integer({ minimum: 0 });

export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE })),
};

export function pagedSchema<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });
}

export const FindingSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  article: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number(),
  updatedAt: Type.Number(),
});
