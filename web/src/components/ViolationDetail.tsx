import { useState } from 'react';
import { Button, Descriptions, Drawer, Empty, List, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  CATEGORY_ARTICLE,
  violations as violationsApi,
  type Violation,
  type ViolationAuditEvent,
  type ViolationStatus,
} from '../api/violations';
import { currentLang } from '../i18n';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { FindingTag } from './CollectionTags';
import { DecideViolationModal, EndViolationModal } from './ViolationForms';

const STATUS_COLOR: Record<ViolationStatus, string> = {
  draft: 'orange',
  decided: 'red',
  closed: 'default',
  withdrawn: 'default',
};

export function ViolationStatusTag({ status }: { status: ViolationStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} data-status={status}>
      {t(`violationStatus.${status}`)}
    </Tag>
  );
}

function Evidence({ v }: { v: Violation }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const en = currentLang() === 'en';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <div>
        <Typography.Title level={5}>{t('violations.findings')}</Typography.Title>
        {v.findings.length === 0 ? (
          <Typography.Text type="secondary">{t('violations.noEvidence')}</Typography.Text>
        ) : (
          <List
            size="small"
            bordered
            dataSource={v.findings}
            renderItem={(f) => (
              <List.Item data-testid="violation-finding">
                <Space orientation="vertical" size={2}>
                  <Space wrap size={4}>
                    <FindingTag code={f.code} article={f.article} />
                    <Typography.Text strong>{en ? f.nameEn : f.nameZh}</Typography.Text>
                    <Typography.Text type="secondary">{f.articles.join('、')}</Typography.Text>
                    {f.withdrawn && <Tag>{t('violations.findingWithdrawn')}</Tag>}
                  </Space>
                  {f.activity && (
                    <Link to={`/activities/${f.activity.id}`}>
                      {t('common.withNote', {
                        main: f.activity.title ?? (en ? f.activity.type : f.activity.typeNameZh),
                        note: formatTime(f.activity.arrivedAt ?? f.createdAt),
                      })}
                    </Link>
                  )}
                </Space>
              </List.Item>
            )}
          />
        )}
      </div>
      <div>
        <Typography.Title level={5}>{t('violations.auditEvents')}</Typography.Title>
        {v.auditEvents.length === 0 ? (
          <Typography.Text type="secondary">{t('violations.noEvidence')}</Typography.Text>
        ) : (
          <Table<ViolationAuditEvent>
            rowKey="seq"
            size="small"
            pagination={false}
            dataSource={v.auditEvents}
            columns={[
              { title: t('violations.seq'), dataIndex: 'seq', width: 80 },
              { title: t('violations.at'), dataIndex: 'at', render: (at: number | null) => formatTime(at) },
              { title: t('violations.actor'), dataIndex: 'actorName' },
              {
                title: t('violations.action'),
                dataIndex: 'action',
                render: (a: string | null) => (a ? (labels.action(a) ?? a) : ''),
              },
            ]}
          />
        )}
      </div>
      {v.evidenceText && (
        <div>
          <Typography.Title level={5}>{t('violations.evidenceText')}</Typography.Title>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{v.evidenceText}</Typography.Paragraph>
        </div>
      )}
    </Space>
  );
}

/** One record with its evidence; a supervisor (`manage`) also decides, closes or withdraws it. */
export function ViolationDetail({
  id,
  manage,
  onClose,
}: {
  id: string;
  manage: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['violations', 'detail', id], queryFn: () => violationsApi.get(id) });
  const [modal, setModal] = useState<'decide' | 'close' | 'withdraw' | null>(null);
  const v = q.data;
  const actions =
    manage && v ? (
      <Space>
        {v.status === 'draft' && (
          <>
            <Button onClick={() => setModal('withdraw')} danger>
              {t('violations.withdraw')}
            </Button>
            <Button type="primary" onClick={() => setModal('decide')} data-testid="decide-violation">
              {t('violations.decide')}
            </Button>
          </>
        )}
        {v.status === 'decided' && (
          <Button type="primary" onClick={() => setModal('close')}>
            {t('violations.close')}
          </Button>
        )}
      </Space>
    ) : null;
  return (
    <Drawer
      open
      size={760}
      onClose={onClose}
      title={v ? t('violations.detailTitle', { number: v.number }) : t('common.loading')}
      extra={actions}
      data-testid="violation-detail"
    >
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Empty description={q.error.message} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <Descriptions
            column={1}
            size="small"
            bordered
            items={[
              {
                key: 'status',
                label: t('violations.status'),
                children: <ViolationStatusTag status={v!.status} />,
              },
              {
                key: 'officer',
                label: t('violations.officer'),
                children: v!.unitName
                  ? t('common.withNote', { main: v!.officerName, note: v!.unitName })
                  : v!.officerName,
              },
              {
                key: 'category',
                label: t('violations.category'),
                children: `${t(`violationCategory.${v!.category}`)}（${CATEGORY_ARTICLE[v!.category]}）`,
              },
              { key: 'occurredAt', label: t('violations.occurredAt'), children: formatTime(v!.occurredAt) },
              {
                key: 'description',
                label: t('violations.description'),
                children: <span style={{ whiteSpace: 'pre-wrap' }}>{v!.description}</span>,
              },
              {
                key: 'recorded',
                label: t('violations.recordedBy'),
                children: t('common.withNote', { main: v!.createdByName, note: formatTime(v!.createdAt) }),
              },
              ...(v!.decidedAt
                ? [
                    {
                      key: 'sanctions',
                      label: t('violations.sanctions'),
                      children: (
                        <Space wrap size={4}>
                          {v!.sanctions.map((s) => (
                            <Tag key={s} color="red">
                              {t(`sanction.${s}`)}
                            </Tag>
                          ))}
                        </Space>
                      ),
                    },
                    ...(v!.suspensionFrom
                      ? [
                          {
                            key: 'suspension',
                            label: t('violations.suspension'),
                            children: t('time.range', { from: v!.suspensionFrom, to: v!.suspensionTo ?? '' }),
                          },
                        ]
                      : []),
                    {
                      key: 'decision',
                      label: t('violations.decisionText'),
                      children: <span style={{ whiteSpace: 'pre-wrap' }}>{v!.decisionText}</span>,
                    },
                    {
                      key: 'decided',
                      label: t('violations.decided'),
                      children: t('common.withNote', {
                        main: v!.decidedByName ?? '',
                        note: formatTime(v!.decidedAt),
                      }),
                    },
                  ]
                : []),
              ...(v!.closedAt
                ? [
                    {
                      key: 'closed',
                      label: t('violations.closed'),
                      children: t('common.withNote', {
                        main: v!.closedByName ?? '',
                        note: formatTime(v!.closedAt),
                      }),
                    },
                    ...(v!.closeNote
                      ? [{ key: 'closeNote', label: t('violations.closeNote'), children: v!.closeNote }]
                      : []),
                  ]
                : []),
              ...(v!.withdrawnAt
                ? [
                    {
                      key: 'withdrawn',
                      label: t('violations.withdrawn'),
                      children: t('common.withNote', {
                        main: v!.withdrawnByName ?? '',
                        note: formatTime(v!.withdrawnAt),
                      }),
                    },
                    {
                      key: 'withdrawReason',
                      label: t('violations.withdrawReason'),
                      children: v!.withdrawReason,
                    },
                  ]
                : []),
            ]}
          />
          <Evidence v={v!} />
        </Space>
      )}
      {v && modal === 'decide' && <DecideViolationModal violation={v} onClose={() => setModal(null)} />}
      {v && (modal === 'close' || modal === 'withdraw') && (
        <EndViolationModal violation={v} act={modal} onClose={() => setModal(null)} />
      )}
    </Drawer>
  );
}
