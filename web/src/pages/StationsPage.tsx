import { Badge, Card, Col, Descriptions, Empty, Row, Skeleton, Space, Tabs, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { stations as stationsApi, type Station } from '../api/collection';
import { PERM } from '../api/types';
import { ImportStatusTag } from '../components/CollectionTags';
import { FailedJobsPanel } from '../components/FailedJobsPanel';
import { formatBytes } from '../lib/collection';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

/** The server's STATION_ONLINE_MS (upload.service.ts): silent longer than this = offline. */
const ONLINE_SECONDS = 90;

function StationCard({ s }: { s: Station }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid={`station-${s.id}`}
      title={
        <Space>
          <Badge status={s.online ? 'success' : 'default'} />
          <span className="zl-mono">{s.id}</span>
          <Tag color={s.online ? 'green' : 'default'}>
            {s.online ? t('stations.online') : t('stations.offline')}
          </Tag>
        </Space>
      }
    >
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('stations.lastSeen')}>{formatTime(s.lastSeenAt)}</Descriptions.Item>
        <Descriptions.Item label={t('stations.freeSpace')}>
          {s.freeBytes === null ? '—' : formatBytes(s.freeBytes)}
        </Descriptions.Item>
        <Descriptions.Item label={t('stations.queue')}>
          {t('stations.queueValue', { count: s.queue })}
        </Descriptions.Item>
        <Descriptions.Item label={t('stations.docked')}>
          {s.docked.length === 0 ? (
            t('stations.noDocked')
          ) : (
            <Space size={[0, 4]} wrap>
              {s.docked.map((d) => (
                <Tag key={d} className="zl-mono">
                  {d}
                </Tag>
              ))}
            </Space>
          )}
        </Descriptions.Item>
        {s.lastError && (
          <Descriptions.Item label={t('stations.lastError')}>
            <Typography.Text type="danger">{s.lastError}</Typography.Text>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('stations.version')}>{s.version}</Descriptions.Item>
      </Descriptions>
      <Typography.Text strong>{t('stations.recentImports')}</Typography.Text>
      {s.imports.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('stations.noImports')}</Typography.Paragraph>
      ) : (
        <ul style={{ paddingLeft: 18, margin: '4px 0 0' }}>
          {s.imports.map((i) => (
            <li key={i.id}>
              <Link to={`/imports/${i.id}`}>{formatTime(i.startedAt)}</Link> ·{' '}
              <span className="zl-mono">{i.deviceSerial}</span> <ImportStatusTag status={i.status} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function StationList() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['stations'], queryFn: stationsApi.list, refetchInterval: 30_000 });
  if (q.isPending) return <Skeleton active />;
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t('stations.intro', { seconds: String(ONLINE_SECONDS) })}
      </Typography.Paragraph>
      {q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : q.data.length === 0 ? (
        <Empty description={t('stations.empty')} />
      ) : (
        <Row gutter={[16, 16]}>
          {q.data.map((s) => (
            <Col key={s.id} xs={24} md={12} xl={8}>
              <StationCard s={s} />
            </Col>
          ))}
        </Row>
      )}
    </>
  );
}

export default function StationsPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const seesJobs = can(me, PERM.settingsManage) || can(me, PERM.devicesManage);
  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('stations.title')}
        </Typography.Title>
      }
    >
      {seesJobs ? (
        <Tabs
          items={[
            { key: 'stations', label: t('stations.tabStations'), children: <StationList /> },
            { key: 'jobs', label: t('stations.tabJobs'), children: <FailedJobsPanel /> },
          ]}
        />
      ) : (
        <StationList />
      )}
    </Card>
  );
}
