import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Segmented,
  Skeleton,
  Space,
  Typography,
} from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { exemptions as exemptionsApi } from '../api/registry';
import type { ExemptionListItem, ExemptionStatus } from '../api/types';
import { ExemptionStatusTag } from '../components/RegistryTags';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

type Decision = 'approve' | 'reject';

function ReviewModal({
  item,
  decision,
  onClose,
}: {
  item: ExemptionListItem;
  decision: Decision;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ comment?: string }>();
  const review = useMutation({
    mutationFn: (comment: string) => exemptionsApi.review(item.id, decision, comment),
    onSuccess: () => {
      void message.success(decision === 'approve' ? t('review.approved') : t('review.rejected'));
      void qc.invalidateQueries({ queryKey: ['exemptions'] });
      void qc.invalidateQueries({ queryKey: ['activities'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      void qc.invalidateQueries({ queryKey: ['dossier'] });
      onClose();
    },
    onError: (err) => {
      if (!applyFieldError(form, err, { EXEMPTION_COMMENT_REQUIRED: 'comment' })) showError(err);
    },
  });
  return (
    <Modal
      open
      title={decision === 'approve' ? t('review.approveTitle') : t('review.rejectTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={decision === 'approve' ? t('review.approve') : t('review.reject')}
      okButtonProps={{ danger: decision === 'reject' }}
      confirmLoading={review.isPending}
    >
      <Form form={form} layout="vertical" onFinish={(v) => review.mutate(v.comment?.trim() ?? '')}>
        <Form.Item
          name="comment"
          label={t('review.comment')}
          extra={decision === 'reject' ? t('review.rejectHint') : undefined}
          rules={
            decision === 'reject'
              ? [{ required: true, whitespace: true, message: t('review.commentRequired') }]
              : []
          }
        >
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ExemptionItem({ e, onDecide }: { e: ExemptionListItem; onDecide?: (d: Decision) => void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const act = e.activity;
  return (
    <Card
      size="small"
      data-testid="exemption-item"
      title={
        <Space wrap size={4}>
          <Link to={`/activities/${e.activityId}`}>
            {act ? `${labels.activityType(act.type)} · ${act.subjectName}` : t('review.activity')}
          </Link>
          <ExemptionStatusTag status={e.status} />
        </Space>
      }
      extra={act && <span className="zl-meta">{formatTime(act.plannedAt)}</span>}
      actions={
        onDecide && [
          <Button key="approve" type="link" icon={<CheckOutlined />} onClick={() => onDecide('approve')}>
            {t('review.approve')}
          </Button>,
          <Button key="reject" type="link" danger icon={<CloseOutlined />} onClick={() => onDecide('reject')}>
            {t('review.reject')}
          </Button>,
        ]
      }
    >
      <Descriptions
        column={1}
        size="small"
        items={[
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
    </Card>
  );
}

export default function ExemptionReviewPage() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ExemptionStatus>('pending');
  const q = useQuery({ queryKey: ['exemptions', { status }], queryFn: () => exemptionsApi.list({ status }) });
  const [deciding, setDeciding] = useState<{ item: ExemptionListItem; decision: Decision } | null>(null);
  return (
    <>
      <Typography.Title level={4} className="zl-page-title">
        {t('review.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('review.intro')}</Typography.Paragraph>
      <Segmented<ExemptionStatus>
        value={status}
        onChange={setStatus}
        style={{ marginBottom: 16 }}
        options={[
          { value: 'pending', label: t('review.pending') },
          { value: 'approved', label: t('exemptionStatus.approved') },
          { value: 'rejected', label: t('exemptionStatus.rejected') },
        ]}
      />
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : q.data.length === 0 ? (
        <Card>
          <Empty description={status === 'pending' ? t('review.emptyPending') : t('review.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          {q.data.map((e) => (
            <Col key={e.id} xs={24} xl={12}>
              <ExemptionItem
                e={e}
                onDecide={
                  e.status === 'pending' ? (decision) => setDeciding({ item: e, decision }) : undefined
                }
              />
            </Col>
          ))}
        </Row>
      )}
      {deciding && <ReviewModal {...deciding} onClose={() => setDeciding(null)} />}
    </>
  );
}
