import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  CHECK_FAILURES,
  CONSUMABLE_ITEMS,
  DEVICE_EVENT_KINDS,
  DEVICE_STATUSES,
} from '../../domain/device-check.js';
import { MAX_COST_CENTS } from '../../services/devices.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Cents = Type.Integer({
  minimum: 0,
  maximum: MAX_COST_CENTS,
  description: '金额（分）/ amount in cents',
});
const StatusSchema = Type.Enum([...DEVICE_STATUSES]);

export const DeviceTypeSchema = Type.Object({
  id: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  serviceLifeYears: Type.Integer(),
  active: Type.Boolean(),
});

export const CheckoutSchema = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  deviceSerial: Type.String(),
  officerId: Type.String(),
  officerName: Type.String(),
  activityId: Nullable(Type.String()),
  checkedOutAt: Type.Number(),
  dueAt: Type.Number(),
  checkedInAt: Nullable(Type.Number()),
  remoteWork: Type.Boolean(),
  returnedAt: Nullable(Type.Number()),
  reassignedBy: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  overdue: Type.Boolean(),
});

export const DeviceCheckSchema = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  officerId: Type.String(),
  officerName: Type.String(),
  checkoutId: Nullable(Type.String()),
  checkedAt: Type.Number(),
  batteryPercent: Type.Integer(),
  freeStorageMb: Type.Integer(),
  deviceTime: Type.Number(),
  offsetMs: Type.Number(),
  toleranceMs: Type.Number(),
  result: Type.Enum(['pass', 'fail']),
  failures: Type.Array(Type.Enum([...CHECK_FAILURES])),
});

export const DeviceSchema = Type.Object({
  id: Type.String(),
  serial: Type.String(),
  assetNumber: Nullable(Type.String()),
  typeId: Type.String(),
  typeNameZh: Type.String(),
  typeNameEn: Type.String(),
  maker: Nullable(Type.String()),
  model: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  unitName: Nullable(Type.String()),
  purchaseDate: Nullable(Type.String()),
  purchaseCostCents: Nullable(Type.Integer()),
  status: StatusSchema,
  holderId: Nullable(Type.String()),
  holderName: Nullable(Type.String()),
  holderUsername: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  openCheckout: Nullable(CheckoutSchema),
  lastCheck: Nullable(DeviceCheckSchema),
  createdAt: Type.Number(),
});

export const DeviceEventSchema = Type.Object({
  id: Type.String(),
  deviceId: Nullable(Type.String()),
  unitId: Nullable(Type.String()),
  kind: Type.Enum([...DEVICE_EVENT_KINDS]),
  occurredOn: Type.String(),
  item: Nullable(Type.Enum([...CONSUMABLE_ITEMS])),
  quantity: Nullable(Type.Integer()),
  costCents: Nullable(Type.Integer()),
  vendor: Nullable(Type.String()),
  description: Type.String(),
  recordedBy: Type.String(),
  recordedByName: Type.String(),
  createdAt: Type.Number(),
});

const DeviceDetailSchema = Type.Object({
  ...DeviceSchema.properties,
  events: Type.Array(DeviceEventSchema),
  checks: Type.Array(DeviceCheckSchema),
  checkouts: Type.Array(CheckoutSchema),
});

const deviceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/device-types',
    {
      schema: {
        tags: ['devices'],
        summary: '设备类型 / Device types',
        response: { 200: Type.Object({ items: Type.Array(DeviceTypeSchema) }) },
      },
    },
    async (request) => ({ items: await services.devices.listTypes(requireAuth(request).actor) }),
  );

  app.post(
    '/device-types',
    {
      schema: {
        tags: ['devices'],
        summary: '新增设备类型 / Add a device type',
        body: strictObject({
          id: Type.String({ minLength: 2, maxLength: 32 }),
          nameZh: Type.String({ minLength: 1, maxLength: 50 }),
          nameEn: Type.String({ minLength: 1, maxLength: 100 }),
          serviceLifeYears: Type.Integer({ minimum: 1, maximum: 50 }),
        }),
        response: { 201: DeviceTypeSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.devices.addType(requireAuth(request).actor, request.body)),
  );

  app.get(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: '设备台账 / Devices',
        querystring: strictObject({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          typeId: Type.Optional(Type.String({ maxLength: 32 })),
          status: Type.Optional(StatusSchema),
          holderId: Type.Optional(Id),
          unitId: Type.Optional(Id),
        }),
        response: { 200: Type.Object({ items: Type.Array(DeviceSchema) }) },
      },
    },
    async (request) => ({ items: await services.devices.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/devices',
    {
      schema: {
        tags: ['devices'],
        summary: '登记设备 / Register a device',
        body: strictObject({
          serial: Type.String({ minLength: 1, maxLength: 64 }),
          typeId: Type.String({ minLength: 1, maxLength: 32 }),
          assetNumber: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          maker: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          model: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          unitId: Type.Optional(Nullable(Id)),
          purchaseDate: Type.Optional(Nullable(DateString)),
          purchaseCostCents: Type.Optional(Nullable(Cents)),
          holderId: Type.Optional(Nullable(Id)),
          notes: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
        }),
        response: { 201: DeviceSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.devices.create(requireAuth(request).actor, request.body)),
  );

  app.get(
    '/devices/:id',
    {
      schema: {
        tags: ['devices'],
        summary: '设备详情 / A device with its history',
        params: IdParams,
        response: { 200: DeviceDetailSchema },
      },
    },
    async (request) => services.devices.get(requireAuth(request).actor, request.params.id),
  );

  app.patch(
    '/devices/:id',
    {
      schema: {
        tags: ['devices'],
        summary: '修改设备 / Update a device',
        params: IdParams,
        body: strictObject({
          assetNumber: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          maker: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          model: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          unitId: Type.Optional(Nullable(Id)),
          purchaseDate: Type.Optional(Nullable(DateString)),
          purchaseCostCents: Type.Optional(Nullable(Cents)),
          notes: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
          status: Type.Optional(Type.Enum(['in_stock', 'maintenance'])),
        }),
        response: { 200: DeviceSchema },
      },
    },
    async (request) => services.devices.update(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/devices/:id/holder',
    {
      schema: {
        tags: ['devices'],
        summary: '调配保管使用人 / Change the holder',
        params: IdParams,
        body: strictObject({ holderId: Nullable(Id), reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: DeviceSchema },
      },
    },
    async (request) =>
      services.devices.changeHolder(
        requireAuth(request).actor,
        request.params.id,
        request.body.holderId,
        request.body.reason,
      ),
  );

  app.post(
    '/devices/:id/events',
    {
      schema: {
        tags: ['devices'],
        summary:
          '维修、耗材、遗失、被盗、找回、报废 / Maintenance, consumable, loss, theft, found, retirement',
        params: IdParams,
        body: strictObject({
          kind: Type.Enum([...DEVICE_EVENT_KINDS]),
          occurredOn: DateString,
          description: Type.String({ minLength: 1, maxLength: 1000 }),
          item: Type.Optional(Nullable(Type.Enum([...CONSUMABLE_ITEMS]))),
          quantity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100_000 }))),
          costCents: Type.Optional(Nullable(Cents)),
          vendor: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
        }),
        response: { 201: DeviceEventSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await services.devices.addEvent(requireAuth(request).actor, request.params.id, request.body)),
  );

  app.post(
    '/consumables',
    {
      schema: {
        tags: ['devices'],
        summary: '库存耗材采购 / Consumables bought for stock',
        body: strictObject({
          unitId: Type.Optional(Nullable(Id)),
          occurredOn: DateString,
          item: Type.Enum([...CONSUMABLE_ITEMS]),
          quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
          costCents: Cents,
          description: Type.String({ minLength: 1, maxLength: 1000 }),
          vendor: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
        }),
        response: { 201: DeviceEventSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await services.devices.addStockConsumable(requireAuth(request).actor, request.body)),
  );

  app.post(
    '/devices/:id/checkout',
    {
      schema: {
        tags: ['checkouts'],
        summary: '领用设备 / Check a device out',
        params: IdParams,
        body: strictObject({
          officerId: Type.Optional(Nullable(Id)),
          activityId: Type.Optional(Nullable(Id)),
          dueAt: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
          remoteWork: Type.Optional(Type.Boolean()),
          notes: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
        }),
        response: { 201: CheckoutSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await services.checkouts.checkout(requireAuth(request).actor, request.params.id, request.body)),
  );

  app.post(
    '/devices/:id/checks',
    {
      schema: {
        tags: ['checkouts'],
        summary: '使用前检查 / Pre-use check (A5.1)',
        params: IdParams,
        body: strictObject({
          batteryPercent: Type.Integer({ minimum: 0, maximum: 100 }),
          freeStorageMb: Type.Integer({ minimum: 0 }),
          deviceTime: Type.Integer({
            minimum: 0,
            description: '设备显示的日期时间（毫秒）/ the time the device shows, epoch ms',
          }),
        }),
        response: { 201: DeviceCheckSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await services.checkouts.recordCheck(requireAuth(request).actor, request.params.id, request.body),
        ),
  );
};

export default deviceRoutes;
