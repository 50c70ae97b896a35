import { useState } from 'react';
import { App, Button, Flex, Input, Modal, Space, Switch, Table, Tag, Timeline, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  ANSWERED_BY_INTERRUPTION,
  compliance as complianceApi,
  type ActivityCompliance,
  type Finding,
} from '../api/compliance';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useInvalidateCompliance, type GapTarget } from './InterruptionDialog';
import { FindingStatusTag, named } from './VerdictTag';

type Act = 'explain' | 'accept' | 'reject';

const SEVERITY_COLOR: Record<string, string> = { info: 'default', warning: 'orange', serious: 'red' };

/** The gap or early stop a finding answered through an interruption record is about. */
export function gapOf(f: Finding, view: ActivityCompliance): GapTarget | null {
  const d = f.detail;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  if (f.code === 'EARLY_STOP') {
    const from = num(d.stoppedAt);
    const to = num(d.endedAt);
    if (from === null || to === null) return null;
    return { from, to, interruptionId: (d.interruptionId as string | null) ?? null, earlyStop: true };
  }
  const from = num(d.from) ?? num(d.gapFrom);
  const gap =
    view.timeline.gaps.find((g) => g.from === from) ??
    (f.subjectType === 'recording'
      ? view.timeline.gaps.find((g) => g.resumedByRecordingId === f.subjectId)
      : undefined);
  if (gap) return gap;
  const interruption = view.interruptions.find((i) => i.id === d.interruptionId);
  return interruption
    ? { from: interruption.gapFrom, to: interruption.gapTo, interruptionId: interruption.id }
    : null;
}

/**
 * The activity's findings with their status and history. Officers of the activity explain
 * a finding with a comment; leaders and department heads not on it accept or reject an
 * explanation. Gaps are answered through their interruption record instead.
 */
export function FindingsTable({
  activityId,
  view,
  onGap,
}: {
  activityId: string;
  view: ActivityCompliance;
  onGap: (target: GapTarget) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const invalidate = useInvalidateCompliance(activityId);
  const [showWithdrawn, setShowWithdrawn] = useState(false);
  const [acting, setActing] = useState<{ finding: Finding; act: Act } | null>(null);
  const [comment, setComment] = useState('');
  const act = useMutation({
    mutationFn: (a: { finding: Finding; act: Act; comment: string }) =>
      complianceApi.act(a.finding.id, a.act, a.comment.trim()),
    onSuccess: (_r, a) => {
      invalidate();
      setActing(null);
      setComment('');
      void message.success(t(`compliance.done_${a.act}`));
    },
    onError: showError,
  });

  const withdrawn = view.findings.filter((f) => f.withdrawn).length;
  const rows = view.findings.filter((f) => showWithdrawn || !f.withdrawn);
  const open = (finding: Finding, a: Act) => {
    setComment('');
    // Accepting needs no words; explaining and rejecting do.
    if (a === 'accept') act.mutate({ finding, act: a, comment: '' });
    else setActing({ finding, act: a });
  };

  const subject = (f: Finding) => {
    if (f.subjectType === 'recording')
      return <Link to={`/recordings/${f.subjectId}`}>{t('compliance.subjectRecording')}</Link>;
    if (f.subjectType === 'device')
      return <Link to={`/devices/${f.subjectId}`}>{t('compliance.subjectDevice')}</Link>;
    return <span>{t('compliance.subjectActivity')}</span>;
  };

  const actions = (f: Finding) => {
    if (f.withdrawn) return null;
    if (ANSWERED_BY_INTERRUPTION.includes(f.code)) {
      const target = gapOf(f, view);
      if (!target) return <span className="zl-meta">{t('compliance.viaInterruption')}</span>;
      const label = view.may.explain
        ? target.interruptionId
          ? t('compliance.openInterruption')
          : t('compliance.explainInterruption')
        : t('compliance.openInterruption');
      return (
        <Button size="small" onClick={() => onGap(target)} data-testid="finding-interruption">
          {label}
        </Button>
      );
    }
    return (
      <Space size={4} wrap>
        {view.may.explain && f.status === 'open' && (
          <Button size="small" type="primary" onClick={() => open(f, 'explain')}>
            {t('compliance.explain')}
          </Button>
        )}
        {view.may.decide && f.status === 'explained' && (
          <>
            <Button
              size="small"
              type="primary"
              loading={act.isPending && act.variables?.finding.id === f.id}
              onClick={() => open(f, 'accept')}
            >
              {t('compliance.accept')}
            </Button>
            <Button size="small" danger onClick={() => open(f, 'reject')}>
              {t('compliance.reject')}
            </Button>
          </>
        )}
      </Space>
    );
  };

  return (
    <>
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }} wrap gap={8}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('compliance.findings')}
        </Typography.Title>
        {withdrawn > 0 && (
          <Space size={6}>
            <Switch size="small" checked={showWithdrawn} onChange={setShowWithdrawn} />
            <span className="zl-meta">{t('compliance.showWithdrawn', { count: withdrawn })}</span>
          </Space>
        )}
      </Flex>
      <Table<Finding>
        size="small"
        rowKey="id"
        data-testid="compliance-findings"
        dataSource={rows}
        pagination={false}
        scroll={{ x: 760 }}
        locale={{ emptyText: t('compliance.noFindings') }}
        expandable={{
          rowExpandable: (f) => f.history.length > 0,
          expandedRowRender: (f) => (
            <Timeline
              style={{ marginTop: 8, marginBottom: -16 }}
              items={f.history.map((h, i) => ({
                key: i,
                content: (
                  <span>
                    <span className="zl-meta">{formatTime(h.at)}</span>{' '}
                    {t('compliance.historyLine', {
                      who: h.actorName,
                      act: t(`findingAct.${h.act as 'explain'}`, { defaultValue: h.act }),
                    })}
                    {h.comment ? t('common.metaSeparator') + h.comment : ''}
                  </span>
                ),
              }))}
            />
          ),
        }}
        columns={[
          {
            title: t('compliance.finding'),
            key: 'name',
            render: (_v, f) => (
              <Flex vertical gap={2}>
                <Space size={4} wrap>
                  <Typography.Text strong delete={f.withdrawn}>
                    {named(f.name)}
                  </Typography.Text>
                  <Tag color={SEVERITY_COLOR[f.severity]}>
                    {t(`severity.${f.severity as 'info'}`, { defaultValue: f.severity })}
                  </Tag>
                </Space>
                {named(f.detail) && <span className="zl-meta">{named(f.detail)}</span>}
              </Flex>
            ),
          },
          {
            title: t('compliance.articles'),
            key: 'articles',
            width: 120,
            render: (_v, f) => (
              <Space size={2} wrap>
                {(f.articles.length ? f.articles : [f.article]).map((a) => (
                  <Tag key={a} className="zl-mono">
                    {a}
                  </Tag>
                ))}
              </Space>
            ),
          },
          { title: t('compliance.subject'), key: 'subject', width: 90, render: (_v, f) => subject(f) },
          {
            title: t('compliance.status'),
            key: 'status',
            width: 90,
            render: (_v, f) => <FindingStatusTag status={f.status} withdrawn={f.withdrawn} />,
          },
          { title: t('common.actions'), key: 'actions', width: 170, render: (_v, f) => actions(f) },
        ]}
      />
      {acting && (
        <Modal
          open
          title={
            acting.act === 'explain'
              ? t('compliance.explainTitle', { name: named(acting.finding.name) })
              : t('compliance.rejectTitleOf', { name: named(acting.finding.name) })
          }
          okText={acting.act === 'explain' ? t('compliance.explain') : t('compliance.reject')}
          okButtonProps={{ disabled: !comment.trim(), danger: acting.act === 'reject' }}
          confirmLoading={act.isPending}
          onOk={() => act.mutate({ ...acting, comment })}
          onCancel={() => setActing(null)}
          destroyOnHidden
        >
          <Input.TextArea
            rows={4}
            maxLength={2000}
            autoFocus
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            aria-label={t('compliance.comment')}
            placeholder={
              acting.act === 'explain'
                ? t('compliance.explainPlaceholder')
                : t('compliance.rejectNeedsReason')
            }
          />
        </Modal>
      )}
    </>
  );
}
