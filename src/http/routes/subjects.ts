import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SUBJECT_TYPES } from '../../services/subjects.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';
import { ActivitySchema } from './activities.js';
import { CaseSchema, NumberOrNull } from './cases.js';
import { DocumentSchema } from './documents.js';
import { ExemptionSchema } from './exemptions.js';

export const SubjectTypeSchema = Type.Enum([...SUBJECT_TYPES]);

export const SubjectSchema = Type.Object({
  id: Type.String(),
  type: SubjectTypeSchema,
  name: Type.String(),
  creditCode: Nullable(Type.String()),
  idNumber: Nullable(Type.String()),
  legalRepresentative: Nullable(Type.String()),
  address: Nullable(Type.String()),
  contact: Nullable(Type.String()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  unitId: Nullable(Type.String()),
  createdAt: Type.Number(),
});

const DossierEntrySchema = Type.Object({
  at: Type.Number(),
  kind: Type.String(),
  id: Type.String(),
  title: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

// The limits here only stop oversized bodies; the service gives the precise rules and messages.
const fields = {
  name: Type.String({ minLength: 1, maxLength: 400 }),
  creditCode: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  idNumber: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  legalRepresentative: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 600 }))),
  contact: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  latitude: Type.Optional(NumberOrNull),
  longitude: Type.Optional(NumberOrNull),
  unitId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
};

const subjectRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/subjects',
    {
      schema: {
        tags: ['subjects'],
        summary: '执法对象列表 / Subjects',
        querystring: strictObject({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          type: Type.Optional(SubjectTypeSchema),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(SubjectSchema) }) },
      },
    },
    async (request) => ({ items: await services.subjects.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/subjects',
    {
      schema: {
        tags: ['subjects'],
        summary: '登记执法对象 / Register a subject',
        body: strictObject({ type: SubjectTypeSchema, ...fields }),
        response: { 201: SubjectSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.subjects.create(requireAuth(request).actor, request.body)),
  );

  app.get(
    '/subjects/:id',
    {
      schema: {
        tags: ['subjects'],
        summary: '执法对象详情 / A subject',
        params: IdParams,
        response: { 200: SubjectSchema },
      },
    },
    async (request) => services.subjects.get(requireAuth(request).actor, request.params.id),
  );

  app.patch(
    '/subjects/:id',
    {
      schema: {
        tags: ['subjects'],
        summary: '修改执法对象 / Update a subject',
        params: IdParams,
        body: strictObject({
          type: Type.Optional(SubjectTypeSchema),
          ...fields,
          name: Type.Optional(fields.name),
        }),
        response: { 200: SubjectSchema },
      },
    },
    async (request) => services.subjects.update(requireAuth(request).actor, request.params.id, request.body),
  );

  app.get(
    '/subjects/:id/dossier',
    {
      schema: {
        tags: ['subjects'],
        summary: '一户一档 / The dossier of a subject (A14.1)',
        params: IdParams,
        response: {
          200: Type.Object(
            {
              subject: SubjectSchema,
              activities: Type.Array(ActivitySchema),
              cases: Type.Array(CaseSchema),
              documents: Type.Array(DocumentSchema),
              exemptions: Type.Array(ExemptionSchema),
              timeline: Type.Array(DossierEntrySchema),
            },
            { additionalProperties: true },
          ),
        },
      },
    },
    async (request) => services.dossier.get(requireAuth(request).actor, request.params.id),
  );
};

export default subjectRoutes;
