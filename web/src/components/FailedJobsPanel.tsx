import { Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { jobs as jobsApi, type Job } from '../api/collection';
import { formatTime } from '../lib/time';
import { useJobKindName } from './CollectionTags';

/** Media jobs that failed for good (GET /jobs?status=failed): administrators and custodians. */
export function FailedJobsPanel() {
  const { t } = useTranslation();
  const jobName = useJobKindName();
  const q = useQuery({ queryKey: ['jobs', 'failed'], queryFn: jobsApi.failed, refetchInterval: 60_000 });
  return (
    <>
      <Typography.Paragraph type="secondary">{t('jobs.intro')}</Typography.Paragraph>
      <Table<Job>
        rowKey="id"
        size="small"
        dataSource={q.data}
        loading={q.isFetching}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? q.error.message : t('jobs.empty') }}
        data-testid="failed-jobs"
        columns={[
          { title: t('jobs.updatedAt'), key: 'updatedAt', render: (_, j) => formatTime(j.updatedAt) },
          { title: t('jobs.kind'), key: 'kind', render: (_, j) => jobName(j.kind) },
          {
            title: t('jobs.recording'),
            key: 'recording',
            render: (_, j) =>
              j.recordingId ? (
                <Link to={`/recordings/${j.recordingId}`} className="zl-mono">
                  {j.recordingId.slice(-12)}
                </Link>
              ) : null,
          },
          { title: t('jobs.attempts'), key: 'attempts', render: (_, j) => `${j.attempts}/${j.maxAttempts}` },
          {
            title: t('jobs.lastError'),
            key: 'lastError',
            render: (_, j) => (
              <Typography.Text type="danger" style={{ maxWidth: 520 }} ellipsis={{ tooltip: j.lastError }}>
                {j.lastError}
              </Typography.Text>
            ),
          },
        ]}
      />
    </>
  );
}
