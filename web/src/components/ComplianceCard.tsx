import { useState } from 'react';
import { Alert, Card, Flex, Progress, Skeleton, Space, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { compliance as complianceApi } from '../api/compliance';
import type { Activity } from '../api/types';
import { formatDuration } from '../lib/collection';
import { formatTime } from '../lib/time';
import { ActivityTimeline } from './ActivityTimeline';
import { FindingsTable } from './FindingsTable';
import { InterruptionDialog, type GapTarget } from './InterruptionDialog';
import { FindingStatusTag, named, VerdictTag } from './VerdictTag';

/**
 * The activity's compliance (合规): the verdict with its reasons and article IDs, the
 * coverage, the timeline of the team's recording, and the findings with their acts.
 */
export function ComplianceCard({ activity }: { activity: Activity }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['compliance', activity.id],
    queryFn: () => complianceApi.forActivity(activity.id),
  });
  const [target, setTarget] = useState<GapTarget | null>(null);

  if (q.isPending)
    return (
      <Card title={t('compliance.title')}>
        <Skeleton active />
      </Card>
    );
  if (q.isError)
    return (
      <Card title={t('compliance.title')}>
        <Alert type="error" showIcon title={t('errors.loadFailed')} description={q.error.message} />
      </Card>
    );
  const v = q.data;
  const share = v.share ?? (v.windowMs > 0 ? v.coveredMs / v.windowMs : null);

  return (
    <Card
      title={
        <Space size={8}>
          <span>{t('compliance.title')}</span>
          <VerdictTag verdict={v.verdict} />
        </Space>
      }
      extra={
        <span className="zl-meta">
          {t('compliance.phaseAt', {
            phase: t(`compliancePhase.${v.phase as 'final'}`, { defaultValue: v.phase }),
            at: formatTime(v.computedAt),
          })}
        </span>
      }
      data-testid="compliance-card"
    >
      <Flex vertical gap={16}>
        <Flex gap={24} wrap align="flex-start">
          <div style={{ flex: '1 1 320px', minWidth: 0 }} data-testid="verdict-reasons">
            {v.reasons.length === 0 ? (
              <Typography.Text type="success">{t('compliance.noReasons')}</Typography.Text>
            ) : (
              <Flex vertical gap={6}>
                {v.reasons.map((r) => (
                  <Flex key={`${r.code}-${r.status}`} gap={6} wrap align="center">
                    <Typography.Text type={r.effect === 'non_compliant' ? 'danger' : undefined}>
                      {named(r)}
                      {r.count > 1 ? ` ×${r.count}` : ''}
                    </Typography.Text>
                    <FindingStatusTag status={r.status} />
                    {r.effect === 'non_compliant' && <Tag color="error">{t('verdict.non_compliant')}</Tag>}
                    {r.articles.map((a) => (
                      <Tag key={a} className="zl-mono">
                        {a}
                      </Tag>
                    ))}
                  </Flex>
                ))}
              </Flex>
            )}
          </div>
          {v.windowMs > 0 && share !== null && (
            <Flex vertical gap={2} style={{ flex: '0 1 260px' }} data-testid="coverage">
              <Typography.Text type="secondary">{t('compliance.coverage')}</Typography.Text>
              <Progress
                percent={Math.round(share * 1000) / 10}
                status={share >= 0.999 ? 'success' : 'normal'}
                size="small"
              />
              <span className="zl-meta">
                {t('compliance.coveredOf', {
                  covered: formatDuration(v.coveredMs),
                  window: formatDuration(v.windowMs),
                })}
              </span>
            </Flex>
          )}
        </Flex>
        <ActivityTimeline activity={activity} view={v} onGap={setTarget} />
        <FindingsTable activityId={activity.id} view={v} onGap={setTarget} />
      </Flex>
      {target && (
        <InterruptionDialog
          activityId={activity.id}
          target={target}
          view={v}
          onClose={() => setTarget(null)}
        />
      )}
    </Card>
  );
}
