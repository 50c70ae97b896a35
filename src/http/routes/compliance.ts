// Compliance as people answer it: an activity's verdict, timeline and findings; the
// officers' interruption records (A11) and the department head's and leader's acts on them;
// markers on recordings (A8.1, A10.1); acts on findings; the in-app bell.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MARKER_KINDS } from '../../domain/compliance.js';
import { INTERRUPTION_REASONS } from '../../domain/compliance-findings.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

const Epoch = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000 });
const Comment = Type.String({ maxLength: 5000 });
const Created = Type.Object({ id: Type.String() });

/** The compliance view is large and nested; its fields are documented in docs/api.md. */
const ComplianceView = Type.Object(
  {
    activityId: Type.String(),
    verdict: Type.String(),
    phase: Type.String(),
    coveredMs: Type.Number(),
    windowMs: Type.Number(),
    share: Nullable(Type.Number()),
    computedAt: Type.Number(),
    reasons: Type.Array(Type.Unknown()),
    timeline: Type.Unknown(),
    findings: Type.Array(Type.Unknown()),
    interruptions: Type.Array(Type.Unknown()),
    markers: Type.Array(Type.Unknown()),
    may: Type.Object({ explain: Type.Boolean(), decide: Type.Boolean(), mark: Type.Boolean() }),
  },
  { additionalProperties: true },
);

const InterruptionBody = {
  reason: Type.Enum([...INTERRUPTION_REASONS]),
  reasonText: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  spokenConfirmed: Type.Boolean(),
  stoppedForGood: Type.Boolean(),
};

const complianceRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/activities/:id/compliance',
    {
      schema: {
        tags: ['compliance'],
        summary: '执法活动的合规结论、时间轴与核查发现 / Verdict, timeline and findings of an activity',
        params: IdParams,
        response: { 200: ComplianceView },
      },
    },
    async (request) => services.findings.forActivity(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/activities/:id/interruptions',
    {
      schema: {
        tags: ['compliance'],
        summary: '说明录制中断（A11）/ Explain an interruption (A11)',
        params: IdParams,
        body: strictObject({
          gapFrom: Epoch,
          gapTo: Epoch,
          ...InterruptionBody,
          report: Type.Optional(Type.Boolean()),
        }),
        response: { 201: Created },
      },
    },
    async (request, reply) => {
      const out = await services.interruptions.create(
        requireAuth(request).actor,
        request.params.id,
        request.body,
      );
      return reply.code(201).send(out);
    },
  );

  app.put(
    '/interruptions/:id',
    {
      schema: {
        tags: ['compliance'],
        summary: '修改中断说明 / Correct an interruption record',
        params: IdParams,
        body: strictObject(InterruptionBody),
        response: { 200: Created },
      },
    },
    async (request) =>
      services.interruptions.update(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/interruptions/:id/report',
    {
      schema: {
        tags: ['compliance'],
        summary: '向部门负责人报告无法继续录制（A11.3）/ Report to the department head (A11.3)',
        params: IdParams,
        response: { 200: Created },
      },
    },
    async (request) => services.interruptions.report(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/interruptions/:id/acknowledge',
    {
      schema: {
        tags: ['compliance'],
        summary: '部门负责人确认收到报告 / The department head acknowledges the report',
        params: IdParams,
        response: { 200: Created },
      },
    },
    async (request) => services.interruptions.acknowledge(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/interruptions/:id/written',
    {
      schema: {
        tags: ['compliance'],
        summary: '事后书面说明（A11.3）/ The written explanation afterwards (A11.3)',
        params: IdParams,
        body: strictObject({ text: Type.String({ minLength: 1, maxLength: 5000 }) }),
        response: { 200: Created },
      },
    },
    async (request) =>
      services.interruptions.explainInWriting(
        requireAuth(request).actor,
        request.params.id,
        request.body.text,
      ),
  );

  app.post(
    '/interruptions/:id/decision',
    {
      schema: {
        tags: ['compliance'],
        summary: '认可或驳回中断说明 / Accept or reject an interruption record',
        params: IdParams,
        body: strictObject({
          decision: Type.Enum(['accepted', 'rejected']),
          comment: Type.Optional(Nullable(Comment)),
        }),
        response: { 200: Created },
      },
    },
    async (request) =>
      services.interruptions.decide(
        requireAuth(request).actor,
        request.params.id,
        request.body.decision,
        request.body.comment ?? null,
      ),
  );

  app.post(
    '/recordings/:id/markers',
    {
      schema: {
        tags: ['compliance'],
        summary: '在录像上标记时刻（告知、违法行为、物证、询问）/ Mark a moment on a recording',
        params: IdParams,
        body: strictObject({
          kind: Type.Enum([...MARKER_KINDS]),
          offsetMs: Type.Integer({ minimum: 0 }),
          note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
        }),
        response: { 201: Created },
      },
    },
    async (request, reply) => {
      const out = await services.interruptions.mark(
        requireAuth(request).actor,
        request.params.id,
        request.body,
      );
      return reply.code(201).send(out);
    },
  );

  app.post(
    '/findings/:id/acts',
    {
      schema: {
        tags: ['compliance'],
        summary: '说明、认可或驳回核查发现 / Explain, accept or reject a finding',
        params: IdParams,
        body: strictObject({
          act: Type.Enum(['explain', 'accept', 'reject']),
          comment: Type.Optional(Nullable(Comment)),
        }),
        response: {
          200: Type.Object({ id: Type.String(), status: Type.String() }, { additionalProperties: true }),
        },
      },
    },
    async (request) =>
      services.findings.act(
        requireAuth(request).actor,
        request.params.id,
        request.body.act,
        request.body.comment ?? null,
      ),
  );

  app.get(
    '/notifications',
    {
      schema: {
        tags: ['compliance'],
        summary: '通知与待办核查发现 / Notifications and the findings awaiting me',
        response: {
          200: Type.Object({
            unread: Type.Integer(),
            notifications: Type.Array(Type.Unknown()),
            awaiting: Type.Array(Type.Unknown()),
          }),
        },
      },
    },
    async (request) => services.notifications.bell(requireAuth(request).actor),
  );

  app.post(
    '/notifications/:id/read',
    {
      schema: {
        tags: ['compliance'],
        summary: '标记通知已读（或确认）/ Mark a notification read (or acknowledged)',
        params: IdParams,
        body: Type.Optional(strictObject({ acknowledge: Type.Optional(Type.Boolean()) })),
        response: { 200: Type.Object({ id: Type.String() }, { additionalProperties: true }) },
      },
    },
    async (request) =>
      services.notifications.mark(
        requireAuth(request).actor,
        request.params.id,
        request.body?.acknowledge === true,
      ),
  );
};

export default complianceRoutes;
