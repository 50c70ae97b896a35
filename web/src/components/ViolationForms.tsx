import { useEffect } from 'react';
import { Alert, App, Checkbox, DatePicker, Empty, Form, Input, Modal, Select, Space, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  SANCTIONS,
  VIOLATION_CATEGORIES,
  violations as violationsApi,
  type Sanction,
  type Violation,
  type ViolationCategory,
} from '../api/violations';
import { applyFieldError } from '../lib/formErrors';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { FindingTag } from './CollectionTags';
import { DateTimeInput } from './DateTimeInput';
import { UserSelect } from './UserSelect';

/** The A21.1 item a finding code points to (as in the server's FINDING_CODES articles). */
const CATEGORY_OF_CODE: Record<string, ViolationCategory> = {
  SEQUENCE_GAP: 'evidence_deleted',
  HOLDER_MISMATCH: 'device_lent',
  NOT_RECORDED: 'not_recorded',
  EDITED: 'evidence_falsified',
};

export function CategorySelect({
  value,
  onChange,
  id,
  allowClear,
  placeholder,
  style,
}: {
  value?: ViolationCategory;
  onChange?: (v: ViolationCategory | undefined) => void;
  id?: string;
  allowClear?: boolean;
  placeholder?: string;
  style?: React.CSSProperties;
}) {
  const { t } = useTranslation();
  return (
    <Select<ViolationCategory>
      id={id}
      value={value}
      onChange={(v) => onChange?.(v)}
      allowClear={allowClear}
      placeholder={placeholder}
      style={style}
      popupMatchSelectWidth={false}
      options={VIOLATION_CATEGORIES.map((c, i) => ({
        value: c,
        label: `（${i + 1}）${t(`violationCategory.${c}`)}`,
      }))}
    />
  );
}

interface CreateValues {
  officerId?: string;
  category?: ViolationCategory;
  description?: string;
  occurredAt?: number | null;
  findingIds?: string[];
  auditSeqs?: string;
  evidenceText?: string;
}

/** Records a violation: the officer, the A21.1 category, what happened, and the evidence. */
export function CreateViolationModal({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (v: Violation) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<CreateValues>();
  const officerId = Form.useWatch('officerId', form);
  const findingIds = Form.useWatch('findingIds', form);
  const category = Form.useWatch('category', form);
  const candidates = useQuery({
    queryKey: ['violations', 'candidates', officerId],
    queryFn: () => violationsApi.candidates(officerId!),
    enabled: !!officerId,
  });
  // a new officer: their findings, not the last one's
  useEffect(() => form.setFieldValue('findingIds', []), [officerId, form]);
  const chosen = (candidates.data ?? []).filter((f) => findingIds?.includes(f.id));
  const suggested = chosen.map((f) => CATEGORY_OF_CODE[f.code]).find((c) => c !== undefined);

  const create = useMutation({
    mutationFn: (v: CreateValues) =>
      violationsApi.record({
        officerId: v.officerId!,
        category: v.category!,
        description: v.description!.trim(),
        occurredAt: v.occurredAt ?? null,
        findingIds: v.findingIds ?? [],
        auditSeqs: (v.auditSeqs ?? '')
          .split(/[\s,，、]+/)
          .filter(Boolean)
          .map(Number),
        evidenceText: v.evidenceText?.trim() || null,
      }),
    onSuccess: (v) => {
      void message.success(t('violations.recordedOk', { number: v.number }));
      void qc.invalidateQueries({ queryKey: ['violations'] });
      onCreated(v);
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          VIOLATION_CATEGORY_INVALID: 'category',
          VIOLATION_OCCURRED_AT_REQUIRED: 'occurredAt',
          VIOLATION_OCCURRED_IN_FUTURE: 'occurredAt',
          AUDIT_EVENT_NOT_FOUND: 'auditSeqs',
          FINDING_STATUS_INVALID: 'findingIds',
          FINDING_WITHDRAWN: 'findingIds',
          USER_NOT_FOUND: 'officerId',
        })
      )
        showError(err);
    },
  });
  const required = [{ required: true, message: t('violations.required') }];
  return (
    <Modal
      open
      width={720}
      title={t('violations.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('violations.create')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="createViolation" onFinish={(v) => create.mutate(v)}>
        <Form.Item name="officerId" label={t('violations.officer')} rules={required}>
          <UserSelect />
        </Form.Item>
        <Form.Item name="findingIds" label={t('violations.findings')} extra={t('violations.findingsHint')}>
          {!officerId ? (
            <Typography.Text type="secondary">{t('violations.pickOfficerFirst')}</Typography.Text>
          ) : candidates.data && candidates.data.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('violations.noCandidates')} />
          ) : (
            <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
              {(candidates.data ?? []).map((f) => (
                <Checkbox key={f.id} value={f.id} data-testid="candidate-finding">
                  <Space size={4} wrap>
                    <FindingTag code={f.code} article={f.article} />
                    <span>{f.article}</span>
                    {f.activityId && (
                      <Typography.Text type="secondary">
                        {t('common.withNote', {
                          main: f.activityTitle ?? f.activityTypeNameZh ?? t('violations.activity'),
                          note: formatTime(f.activityArrivedAt ?? f.createdAt),
                        })}
                      </Typography.Text>
                    )}
                  </Space>
                </Checkbox>
              ))}
            </Checkbox.Group>
          )}
        </Form.Item>
        <Form.Item name="category" label={t('violations.category')} rules={required}>
          <CategorySelect />
        </Form.Item>
        {suggested && suggested !== category && (
          <Alert
            type="info"
            showIcon
            style={{ marginTop: -12, marginBottom: 16 }}
            title={t('violations.suggested', { category: t(`violationCategory.${suggested}`) })}
            action={<a onClick={() => form.setFieldValue('category', suggested)}>{t('common.confirm')}</a>}
          />
        )}
        <Form.Item
          name="description"
          label={t('violations.description')}
          rules={[{ required: true, whitespace: true, message: t('violations.required') }]}
        >
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
        <Form.Item name="occurredAt" label={t('violations.occurredAt')} extra={t('violations.occurredHint')}>
          <DateTimeInput />
        </Form.Item>
        <Form.Item name="auditSeqs" label={t('violations.auditSeqs')} extra={t('violations.auditSeqsHint')}>
          <Input inputMode="numeric" placeholder="1024, 1031" />
        </Form.Item>
        <Form.Item name="evidenceText" label={t('violations.evidenceText')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface DecideValues {
  sanctions?: Sanction[];
  decisionText?: string;
  period?: [Dayjs, Dayjs] | null;
}

/** A22.1: one or more sanctions, the decision's text, and a suspension's days. */
export function DecideViolationModal({ violation, onClose }: { violation: Violation; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<DecideValues>();
  const sanctions = Form.useWatch('sanctions', form) ?? [];
  const decide = useMutation({
    mutationFn: (v: DecideValues) =>
      violationsApi.decide(violation.id, {
        sanctions: v.sanctions ?? [],
        decisionText: v.decisionText!.trim(),
        suspensionFrom: v.period?.[0]?.format('YYYY-MM-DD') ?? null,
        suspensionTo: v.period?.[1]?.format('YYYY-MM-DD') ?? null,
      }),
    onSuccess: () => {
      void message.success(t('violations.decidedOk'));
      void qc.invalidateQueries({ queryKey: ['violations'] });
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          VIOLATION_SANCTIONS_REQUIRED: 'sanctions',
          SANCTION_INVALID: 'sanctions',
          SUSPENSION_PERIOD_REQUIRED: 'period',
          SUSPENSION_PERIOD_INVALID: 'period',
        })
      )
        showError(err);
    },
  });
  return (
    <Modal
      open
      width={640}
      title={`${t('violations.decideTitle')} · ${violation.number}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('violations.decide')}
      confirmLoading={decide.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" name="decideViolation" onFinish={(v) => decide.mutate(v)}>
        <Form.Item
          name="sanctions"
          label={t('violations.sanctions')}
          rules={[{ required: true, type: 'array', min: 1, message: t('violations.sanctionsRequired') }]}
        >
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
            {SANCTIONS.map((s, i) => (
              <Checkbox key={s} value={s}>
                {`（${i + 1}）${t(`sanction.${s}`)}`}
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
        {sanctions.includes('suspension') && (
          <Form.Item
            name="period"
            label={t('violations.suspension')}
            rules={[{ required: true, message: t('violations.periodRequired') }]}
          >
            <DatePicker.RangePicker
              placeholder={[t('violations.suspensionFrom'), t('violations.suspensionTo')]}
              style={{ width: '100%' }}
            />
          </Form.Item>
        )}
        <Form.Item
          name="decisionText"
          label={t('violations.decisionText')}
          rules={[{ required: true, whitespace: true, message: t('violations.required') }]}
        >
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Closing (note optional) or withdrawing (reason required) a record. */
export function EndViolationModal({
  violation,
  act,
  onClose,
}: {
  violation: Violation;
  act: 'close' | 'withdraw';
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ text?: string }>();
  const end = useMutation({
    mutationFn: (text: string) =>
      act === 'close'
        ? violationsApi.close(violation.id, text || null)
        : violationsApi.withdraw(violation.id, text),
    onSuccess: () => {
      void message.success(act === 'close' ? t('violations.closedOk') : t('violations.withdrawnOk'));
      void qc.invalidateQueries({ queryKey: ['violations'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={`${act === 'close' ? t('violations.closeTitle') : t('violations.withdrawTitle')} · ${violation.number}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={act === 'close' ? t('violations.close') : t('violations.withdraw')}
      okButtonProps={{ danger: act === 'withdraw' }}
      confirmLoading={end.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => end.mutate(v.text?.trim() ?? '')}>
        <Form.Item
          name="text"
          label={act === 'close' ? t('violations.closeNote') : t('violations.withdrawReason')}
          rules={
            act === 'withdraw'
              ? [{ required: true, whitespace: true, message: t('violations.required') }]
              : []
          }
        >
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
