import { useState } from 'react';
import { App, Alert, Button, Card, Descriptions, Form, Input, Modal, Radio, Typography } from 'antd';
import { FileProtectOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { activities as activitiesApi } from '../api/registry';
import { EXEMPTION_CATEGORIES, type Activity, type Exemption, type ExemptionCategory } from '../api/types';
import { useLabels } from '../lib/labels';
import { canRequestExemption } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { ExemptionStatusTag } from './RegistryTags';

interface FormValues {
  category: ExemptionCategory;
  reason: string;
  basis: string;
}

function RequestModal({ activity, onClose }: { activity: Activity; onClose: () => void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const save = useMutation({
    mutationFn: (v: FormValues) =>
      activitiesApi.requestExemption(activity.id, {
        category: v.category,
        reason: v.reason.trim(),
        basis: v.basis.trim(),
      }),
    onSuccess: () => {
      void message.success(t('exemption.submitted'));
      void qc.invalidateQueries({ queryKey: ['activities'] });
      void qc.invalidateQueries({ queryKey: ['exemptions'] });
      void qc.invalidateQueries({ queryKey: ['dossier', activity.subjectId] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('exemption.requestTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('exemption.submit')}
      confirmLoading={save.isPending}
    >
      <Typography.Paragraph type="secondary">{t('exemption.intro')}</Typography.Paragraph>
      <Form<FormValues> form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item
          name="category"
          label={t('exemption.category')}
          rules={[{ required: true, message: t('exemption.categoryRequired') }]}
        >
          <Radio.Group
            style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
            options={EXEMPTION_CATEGORIES.map((c) => ({ value: c, label: labels.exemptionCategory(c) }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('exemption.reason')}
          rules={[{ required: true, whitespace: true, message: t('exemption.reasonRequired') }]}
        >
          <Input.TextArea
            rows={4}
            maxLength={2000}
            showCount
            placeholder={t('exemption.reasonPlaceholder')}
          />
        </Form.Item>
        <Form.Item
          name="basis"
          label={t('exemption.basis')}
          rules={[{ required: true, whitespace: true, message: t('exemption.basisRequired') }]}
        >
          <Input.TextArea rows={2} maxLength={1000} placeholder={t('exemption.basisPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ExemptionFacts({ e }: { e: Exemption }) {
  const { t } = useTranslation();
  const labels = useLabels();
  return (
    <Descriptions
      column={1}
      size="small"
      items={[
        { key: 'status', label: t('exemption.status'), children: <ExemptionStatusTag status={e.status} /> },
        { key: 'category', label: t('exemption.category'), children: labels.exemptionCategory(e.category) },
        {
          key: 'reason',
          label: t('exemption.reason'),
          children: <span style={{ whiteSpace: 'pre-wrap' }}>{e.reason}</span>,
        },
        { key: 'basis', label: t('exemption.basis'), children: e.basis },
        {
          key: 'author',
          label: t('exemption.author'),
          children: t('common.withNote', { main: e.authorName, note: formatTime(e.createdAt) }),
        },
        ...(e.reviewedAt
          ? [
              {
                key: 'reviewer',
                label: t('exemption.reviewer'),
                children: t('common.withNote', {
                  main: e.reviewerName ?? '',
                  note: formatTime(e.reviewedAt),
                }),
              },
              { key: 'comment', label: t('exemption.comment'), children: e.reviewComment },
            ]
          : []),
      ]}
    />
  );
}

/** A7.1/A7.2: why this activity was (partly) not recorded, and the leader's answer. */
export function ActivityExemption({ activity: a, canRequest }: { activity: Activity; canRequest: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const e = a.exemption;
  const offer = canRequest && canRequestExemption(e);
  return (
    <Card
      title={
        <span>
          <FileProtectOutlined /> {t('exemption.title')}
        </span>
      }
      extra={
        offer && (
          <Button onClick={() => setOpen(true)}>
            {e ? t('exemption.requestAgain') : t('exemption.request')}
          </Button>
        )
      }
      data-testid="exemption-card"
    >
      {e ? (
        <>
          {e.status === 'rejected' && (
            <Alert type="warning" showIcon title={t('exemption.rejectedHint')} style={{ marginBottom: 12 }} />
          )}
          {e.status === 'pending' && (
            <Alert type="info" showIcon title={t('exemption.pendingHint')} style={{ marginBottom: 12 }} />
          )}
          <ExemptionFacts e={e} />
        </>
      ) : (
        <Typography.Text type="secondary">{t('exemption.none')}</Typography.Text>
      )}
      {open && <RequestModal activity={a} onClose={() => setOpen(false)} />}
    </Card>
  );
}
