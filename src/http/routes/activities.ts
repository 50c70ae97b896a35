import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACTIVITY_STATUSES, ACTIVITY_TYPE_NAMES, ACTIVITY_TYPES } from '../../domain/activity.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';
import { ExemptionSchema } from './exemptions.js';

const ActivityTypeSchema = Type.Enum([...ACTIVITY_TYPES]);
const ActivityStatusSchema = Type.Enum([...ACTIVITY_STATUSES]);
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Instant = Type.Integer({ minimum: 0 });

export const ActivitySchema = Type.Object({
  id: Type.String(),
  type: ActivityTypeSchema,
  title: Nullable(Type.String()),
  subjectId: Type.String(),
  subjectName: Type.String(),
  caseId: Nullable(Type.String()),
  caseNumber: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  address: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  plannedAt: Type.Number(),
  arrivedAt: Nullable(Type.Number()),
  endedAt: Nullable(Type.Number()),
  remoteWork: Type.Boolean(),
  returnedAt: Nullable(Type.Number()),
  status: ActivityStatusSchema,
  notifiedAt: Nullable(Type.Number()),
  notifiedBy: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  officers: Type.Array(
    Type.Object({
      userId: Type.String(),
      name: Type.String(),
      code: Type.String(),
      inCharge: Type.Boolean(),
    }),
  ),
  devices: Type.Array(
    Type.Object({
      deviceId: Type.String(),
      serial: Type.String(),
      typeId: Type.String(),
      officerId: Nullable(Type.String()),
      checkoutId: Nullable(Type.String()),
    }),
  ),
  exemption: Nullable(ExemptionSchema),
  createdAt: Type.Number(),
});

// Lengths here only stop oversized bodies; the service gives the precise, coded refusals.
const Title = Nullable(Type.String({ maxLength: 400 }));
const Address = Type.String({ minLength: 1, maxLength: 800 });
const Notes = Nullable(Type.String({ maxLength: 8000 }));
const OfficerIds = Type.Array(Id, { maxItems: 100 });

const activityRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/activity-types',
    { schema: { tags: ['activities'], summary: '执法活动类型（第六条） / Activity types (A6.1)' } },
    async (request) => {
      requireAuth(request);
      return {
        items: ACTIVITY_TYPES.map((id) => ({
          id,
          item: ACTIVITY_TYPE_NAMES[id].item,
          nameZh: ACTIVITY_TYPE_NAMES[id].zh,
          nameEn: ACTIVITY_TYPE_NAMES[id].en,
          mandatory: ACTIVITY_TYPE_NAMES[id].mandatory,
        })),
      };
    },
  );

  app.get(
    '/activities',
    {
      schema: {
        tags: ['activities'],
        summary: '执法活动列表 / Activities',
        querystring: strictObject({
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          subjectId: Type.Optional(Id),
          caseId: Type.Optional(Id),
          officerId: Type.Optional(Id),
          status: Type.Optional(ActivityStatusSchema),
          mine: Type.Optional(Type.Boolean()),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(ActivitySchema) }) },
      },
    },
    async (request) => ({ items: await services.activities.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/activities',
    {
      schema: {
        tags: ['activities'],
        summary: '登记执法活动 / Register an activity',
        body: strictObject({
          type: ActivityTypeSchema,
          title: Type.Optional(Title),
          subjectId: Id,
          caseId: Type.Optional(Nullable(Id)),
          unitId: Type.Optional(Nullable(Id)),
          address: Address,
          latitude: Type.Optional(Nullable(Type.Number())),
          longitude: Type.Optional(Nullable(Type.Number())),
          plannedAt: Instant,
          arrivedAt: Type.Optional(Nullable(Instant)),
          endedAt: Type.Optional(Nullable(Instant)),
          remoteWork: Type.Optional(Type.Boolean()),
          returnedAt: Type.Optional(Nullable(Instant)),
          officerIds: OfficerIds,
          inChargeId: Id,
          notes: Type.Optional(Notes),
        }),
        response: { 201: ActivitySchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.activities.create(requireAuth(request).actor, request.body)),
  );

  app.get(
    '/activities/:id',
    {
      schema: {
        tags: ['activities'],
        summary: '执法活动详情 / An activity',
        params: IdParams,
        response: { 200: ActivitySchema },
      },
    },
    async (request) => services.activities.get(requireAuth(request).actor, request.params.id),
  );

  app.patch(
    '/activities/:id',
    {
      schema: {
        tags: ['activities'],
        summary: '修改执法活动 / Update an activity',
        params: IdParams,
        body: strictObject({
          type: Type.Optional(ActivityTypeSchema),
          title: Type.Optional(Title),
          caseId: Type.Optional(Nullable(Id)),
          address: Type.Optional(Address),
          latitude: Type.Optional(Nullable(Type.Number())),
          longitude: Type.Optional(Nullable(Type.Number())),
          plannedAt: Type.Optional(Instant),
          arrivedAt: Type.Optional(Nullable(Instant)),
          endedAt: Type.Optional(Nullable(Instant)),
          remoteWork: Type.Optional(Type.Boolean()),
          returnedAt: Type.Optional(Nullable(Instant)),
          status: Type.Optional(ActivityStatusSchema),
          notes: Type.Optional(Notes),
          officerIds: Type.Optional(OfficerIds),
          inChargeId: Type.Optional(Id),
        }),
        response: { 200: ActivitySchema },
      },
    },
    async (request) =>
      services.activities.update(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/activities/:id/devices',
    {
      schema: {
        tags: ['activities'],
        summary: '登记本次活动使用的设备 / Register a device used on the activity',
        params: IdParams,
        body: strictObject({ deviceId: Id }),
        response: { 201: ActivitySchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await services.activities.attachDevice(
            requireAuth(request).actor,
            request.params.id,
            request.body.deviceId,
          ),
        ),
  );

  app.delete(
    '/activities/:id/devices/:deviceId',
    {
      schema: {
        tags: ['activities'],
        summary: '撤销误登记的设备 / Remove a device registered by mistake',
        params: strictObject({ id: Id, deviceId: Id }),
        response: { 200: ActivitySchema },
      },
    },
    async (request) =>
      services.activities.detachDevice(
        requireAuth(request).actor,
        request.params.id,
        request.params.deviceId,
      ),
  );

  app.post(
    '/activities/:id/notified',
    {
      schema: {
        tags: ['activities'],
        summary: '登记已告知当事人（第八条） / Record the notification (A8.1)',
        params: IdParams,
        body: strictObject({ at: Type.Optional(Instant) }),
        response: { 200: ActivitySchema },
      },
    },
    async (request) =>
      services.activities.recordNotified(requireAuth(request).actor, request.params.id, request.body?.at),
  );

  app.get(
    '/activities/:id/notification-script',
    {
      schema: {
        tags: ['activities'],
        summary: '告知用语（第八条） / Notification script (A8.1)',
        params: IdParams,
        response: {
          200: Type.Object({
            text: Type.String(),
            unitName: Type.String(),
            officerNames: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request) => services.notificationTemplates.script(requireAuth(request).actor, request.params.id),
  );
};

export default activityRoutes;
