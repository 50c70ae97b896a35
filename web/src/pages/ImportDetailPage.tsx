import { Alert, Card, Descriptions, Empty, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { imports as importsApi, type Finding, type ImportFile } from '../api/collection';
import {
  FileStatusTag,
  FindingCounts,
  FindingTag,
  FindingTags,
  ImportStatusTag,
  KindIcon,
} from '../components/CollectionTags';
import { PageHeader } from '../components/PageHeader';
import { formatBytes } from '../lib/collection';
import { formatFileSize } from '../lib/format';
import { currentLang } from '../i18n';
import { formatTime } from '../lib/time';

const SEVERITY_COLOR: Record<string, string> = { info: 'default', warning: 'orange', serious: 'red' };

/** What a finding is about, in a few words: the file, the missing numbers, the device. */
function findingAbout(f: Finding, files: ImportFile[]): string {
  const d = f.detail;
  if (f.code === 'SEQUENCE_GAP') {
    const range = d.from === d.to ? `#${String(d.from)}` : `#${String(d.from)}–#${String(d.to)}`;
    return [d.folder, range].filter(Boolean).join(' ');
  }
  const path = typeof d.path === 'string' ? d.path : files.find((x) => x.recordingId === f.subjectId)?.path;
  return path ?? f.subjectId;
}

export default function ImportDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['imports', 'detail', id], queryFn: () => importsApi.get(id) });
  if (q.isPending) return <Skeleton active />;
  if (q.isError)
    return (
      <Result
        status={q.error && 'status' in q.error && q.error.status === 403 ? '403' : '404'}
        title={t('imports.notFound')}
        subTitle={q.error.message}
        extra={<Link to="/imports">{t('common.back')}</Link>}
      />
    );
  const imp = q.data;
  const en = currentLang() === 'en';

  return (
    <>
      <PageHeader
        back="/imports"
        title={`${t('imports.detailTitle')} · ${imp.deviceSerial}`}
        tags={<ImportStatusTag status={imp.status} />}
      />
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {imp.summary.error && (
          <Alert type="error" showIcon title={t('imports.abortedBecause', { error: imp.summary.error })} />
        )}
        <Card size="small" title={t('imports.summary')}>
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label={t('imports.device')}>
              <Link to={`/devices/${imp.deviceId}`} className="zl-mono">
                {imp.deviceSerial}
              </Link>
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.source')}>
              {t(`importSource.${imp.source === 'station' ? 'station' : 'cli'}`)}
              {imp.stationId && <span className="zl-mono"> · {imp.stationId}</span>}
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.actor')}>{imp.actorName}</Descriptions.Item>
            <Descriptions.Item label={t('imports.startedAt')}>{formatTime(imp.startedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('imports.finishedAt')}>
              {formatTime(imp.finishedAt)}
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.sourcePath')}>
              <Typography.Text style={{ wordBreak: 'break-all' }}>{imp.sourcePath ?? '—'}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.files')}>
              <span data-testid="import-summary">
                {t('imports.filesValue', {
                  imported: String(imp.summary.imported),
                  duplicate: String(imp.summary.duplicate),
                  failed: String(imp.summary.failed),
                })}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('imports.bytes')}>{formatBytes(imp.summary.bytes)}</Descriptions.Item>
            <Descriptions.Item label={t('imports.findings')}>
              <FindingCounts counts={imp.summary.findings} />
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <Card size="small" title={t('imports.importFindings')} data-testid="import-findings">
          {imp.findings.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('imports.noFindings')} />
          ) : (
            <Table<Finding>
              rowKey="id"
              size="small"
              pagination={false}
              scroll={{ x: 'max-content' }}
              dataSource={imp.findings}
              columns={[
                {
                  title: t('recording.findingCode'),
                  key: 'code',
                  render: (_, f) => <FindingTag code={f.code} article={f.article} />,
                },
                { title: t('recording.findingArticle'), dataIndex: 'article', key: 'article' },
                {
                  title: t('recording.findingSeverity'),
                  key: 'severity',
                  render: (_, f) => (
                    <Tag color={SEVERITY_COLOR[f.severity]}>
                      {['info', 'warning', 'serious'].includes(f.severity)
                        ? t(`severity.${f.severity}`)
                        : f.severity}
                    </Tag>
                  ),
                },
                {
                  title: t('imports.subject'),
                  key: 'about',
                  render: (_, f) =>
                    f.subjectType === 'recording' ? (
                      <Link to={`/recordings/${f.subjectId}`}>{findingAbout(f, imp.files)}</Link>
                    ) : (
                      findingAbout(f, imp.files)
                    ),
                },
              ]}
            />
          )}
        </Card>
        <Card
          size="small"
          title={t('imports.fileResults')}
          extra={
            imp.filesTotal > imp.files.length && (
              <Typography.Text type="secondary">
                {t('imports.filesShown', { shown: String(imp.files.length), total: String(imp.filesTotal) })}
              </Typography.Text>
            )
          }
        >
          <Table<ImportFile>
            rowKey="id"
            size="small"
            dataSource={imp.files}
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            data-testid="import-files"
            columns={[
              {
                title: t('imports.path'),
                key: 'path',
                render: (_, f) => (
                  <Space size={6}>
                    {f.kind && <KindIcon kind={f.kind} />}
                    {f.recordingId ? (
                      <Link to={`/recordings/${f.recordingId}`} style={{ wordBreak: 'break-all' }}>
                        {f.path}
                      </Link>
                    ) : (
                      <span style={{ wordBreak: 'break-all' }}>{f.path}</span>
                    )}
                  </Space>
                ),
              },
              {
                title: t('imports.fileStatus'),
                key: 'status',
                render: (_, f) => <FileStatusTag status={f.status} />,
              },
              {
                title: t('imports.findings'),
                key: 'findings',
                render: (_, f) => <FindingTags codes={f.findings} />,
              },
              {
                title: t('imports.recordedAt'),
                key: 'recordedAt',
                responsive: ['md'],
                render: (_, f) => formatTime(f.recordedAt),
              },
              {
                title: t('recording.size'),
                key: 'size',
                responsive: ['lg'],
                render: (_, f) => (f.size === null ? '—' : formatFileSize(f.size)),
              },
              {
                title: 'SHA-256',
                key: 'sha256',
                responsive: ['lg'],
                render: (_, f) =>
                  f.sha256 ? (
                    <Typography.Text className="zl-mono" copyable={{ text: f.sha256 }}>
                      {f.sha256.slice(0, 16)}…
                    </Typography.Text>
                  ) : (
                    '—'
                  ),
              },
              {
                title: t('imports.error'),
                key: 'error',
                render: (_, f) =>
                  f.error ? (
                    <Typography.Text type="danger">
                      {en ? f.error.messageEn : f.error.message}
                    </Typography.Text>
                  ) : null,
              },
            ]}
          />
        </Card>
      </Space>
    </>
  );
}
