import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Result,
  Row,
  Skeleton,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { DisconnectOutlined, FlagOutlined, LinkOutlined, StarFilled } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { recordings as recordingsApi, type Finding, type RecordingDetail } from '../api/collection';
import { PERM } from '../api/types';
import {
  FindingTag,
  ImportStatusTag,
  JobStatusTag,
  KindIcon,
  MediaStatusTag,
  RecordingThumb,
  useJobKindName,
} from '../components/CollectionTags';
import { LinkRecordingModal } from '../components/LinkRecordingModal';
import { MarkRecordingModal } from '../components/MarkRecordingModal';
import { PageHeader } from '../components/PageHeader';
import { formatBytes, formatDuration } from '../lib/collection';
import { formatOffset, formatTolerance } from '../lib/format';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

const SEVERITY_COLOR: Record<string, string> = { info: 'default', warning: 'orange', serious: 'red' };
const FINDING_STATUS_COLOR: Record<string, string> = {
  open: 'gold',
  explained: 'blue',
  accepted: 'green',
  violation: 'red',
};

/** A finding's detail, minus what the page already says, as compact "key: value" text. */
function detailText(d: Record<string, unknown>): string {
  const skip = new Set(['importId', 'recordingId', 'deviceId', 'holderId']);
  return Object.entries(d)
    .filter(([k, v]) => !skip.has(k) && v !== null && v !== undefined)
    .map(([k, v]) => {
      // Epoch-millisecond times (…At) read as times in the units' zone.
      const text =
        typeof v === 'number' && /At$/.test(k) && v > 1e11
          ? formatTime(v)
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v);
      return `${k}: ${text}`;
    })
    .join('; ');
}

function FindingsCard({ findings }: { findings: Finding[] }) {
  const { t } = useTranslation();
  return (
    <Card title={t('recording.findings')} size="small" data-testid="recording-findings">
      {findings.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('recording.noFindings')} />
      ) : (
        <Table<Finding>
          rowKey="id"
          size="small"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={findings}
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
              title: t('recording.findingStatus'),
              key: 'status',
              render: (_, f) => (
                <Tag color={FINDING_STATUS_COLOR[f.status]}>
                  {['open', 'explained', 'accepted', 'violation'].includes(f.status)
                    ? t(`findingStatus.${f.status}`)
                    : f.status}
                </Tag>
              ),
            },
            {
              title: t('recording.findingDetail'),
              key: 'detail',
              render: (_, f) => (
                <Typography.Text
                  type="secondary"
                  style={{ fontSize: 12, maxWidth: 420 }}
                  ellipsis={{ tooltip: true }}
                >
                  {detailText(f.detail)}
                </Typography.Text>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function MediaCard({ r }: { r: RecordingDetail }) {
  const { t } = useTranslation();
  const jobName = useJobKindName();
  const m = r.mediaInfo;
  const video = m?.video;
  const audio = m?.audio;
  return (
    <Card title={t('recording.mediaInfo')} size="small">
      {!r.mediaOk && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('recording.unreadable', { error: m?.error ?? t('common.unknown') })}
        />
      )}
      <Descriptions column={1} size="small">
        {m?.container && (
          <Descriptions.Item label={t('recording.container')}>{String(m.container)}</Descriptions.Item>
        )}
        {r.durationMs !== null && (
          <Descriptions.Item label={t('recording.durationLabel')}>
            {formatDuration(r.durationMs)}
          </Descriptions.Item>
        )}
        {video && (
          <Descriptions.Item label={t('recording.videoStream')}>
            {[
              video.codec,
              video.width && video.height ? `${video.width}×${video.height}` : null,
              video.fps ? `${video.fps} fps` : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Descriptions.Item>
        )}
        {audio && (
          <Descriptions.Item label={t('recording.audioStream')}>
            {[
              audio.codec,
              audio.sampleRate ? `${audio.sampleRate} Hz` : null,
              audio.channels ? `${audio.channels} ch` : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Descriptions.Item>
        )}
        {m?.creationTime && (
          <Descriptions.Item label={t('recording.creationTime')}>
            {typeof m.creationTime === 'number' ? formatTime(m.creationTime) : String(m.creationTime)}
          </Descriptions.Item>
        )}
        {m?.gps && (
          <Descriptions.Item label={t('recording.gps')}>
            {m.gps.lat.toFixed(5)}, {m.gps.lng.toFixed(5)}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('recording.speech')}>
          {r.speech.atStart === null
            ? t('recording.speechUnknown')
            : r.speech.atStart
              ? t('recording.speechYes', {
                  ms: String(r.speech.speechMs ?? 0),
                  at: formatDuration(r.speech.firstSpeechAtMs ?? 0),
                })
              : t('recording.speechNo')}
        </Descriptions.Item>
        <Descriptions.Item label={t('recording.pipeline')}>
          <MediaStatusTag status={r.mediaStatus} />
        </Descriptions.Item>
        {r.mediaError && (
          <Descriptions.Item label={t('recording.mediaError')}>
            <Typography.Text type="danger">{r.mediaError}</Typography.Text>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('recording.derivatives')}>
          {r.derivatives.length === 0
            ? t('recording.noDerivatives')
            : r.derivatives
                .map((d) => `${jobName(d.kind)} ${formatBytes(d.size)}`)
                .join(t('common.listSeparator'))}
        </Descriptions.Item>
        {r.jobs.length > 0 && (
          <Descriptions.Item label={t('recording.jobs')}>
            <Space orientation="vertical" size={2}>
              {r.jobs.map((j) => (
                <span key={j.id}>
                  {jobName(j.kind)} <JobStatusTag status={j.status} />
                  {j.status !== 'done' && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('recording.jobAttempts', {
                        attempts: String(j.attempts),
                        max: String(j.maxAttempts),
                      })}
                    </Typography.Text>
                  )}
                  {j.lastError && j.status !== 'done' && (
                    <Typography.Text type="danger" style={{ fontSize: 12, display: 'block' }}>
                      {j.lastError}
                    </Typography.Text>
                  )}
                </span>
              ))}
            </Space>
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}

export default function RecordingDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const { data: me } = useMe();
  const [linking, setLinking] = useState<'link' | 'unlink' | null>(null);
  const [marking, setMarking] = useState(false);
  const q = useQuery({ queryKey: ['recordings', 'detail', id], queryFn: () => recordingsApi.get(id) });
  if (q.isPending) return <Skeleton active />;
  if (q.isError)
    return (
      <Result
        status={isApiError(q.error) && q.error.status === 403 ? '403' : '404'}
        title={
          isApiError(q.error) && q.error.status === 403 ? t('recording.forbidden') : t('recording.notFound')
        }
        subTitle={q.error.message}
        extra={<Link to="/recordings">{t('common.back')}</Link>}
      />
    );
  const r = q.data;
  const custodian = can(me, PERM.checkoutsManage) || can(me, PERM.devicesManage);
  const fileName = r.originalPath.split('/').pop() ?? r.originalPath;
  const openFindings = r.allFindings.filter((f) => f.status === 'open');

  return (
    <>
      <PageHeader
        back="/recordings"
        title={
          <span>
            <KindIcon kind={r.kind} /> {fileName}
          </span>
        }
        tags={
          <Space size={4} wrap>
            <Tag>{t(`recordingKind.${r.kind}`)}</Tag>
            {r.important && (
              <Tag color="gold" icon={<StarFilled />}>
                {t('recordings.important')}
              </Tag>
            )}
            {openFindings.map((f) => (
              <FindingTag key={f.id} code={f.code} article={f.article} />
            ))}
          </Space>
        }
        extra={
          <>
            {(r.kind === 'video' || r.kind === 'audio') && can(me, PERM.activitiesManage) && (
              <Button icon={<FlagOutlined />} onClick={() => setMarking(true)} data-testid="mark-open">
                {t('marker.open')}
              </Button>
            )}
            {r.mayLink && (
              <>
                <Button icon={<LinkOutlined />} onClick={() => setLinking('link')} data-testid="link-open">
                  {r.activityId ? t('recording.changeLink') : t('recording.link')}
                </Button>
                {r.activityId && (
                  <Button icon={<DisconnectOutlined />} danger onClick={() => setLinking('unlink')}>
                    {t('recording.unlink')}
                  </Button>
                )}
              </>
            )}
          </>
        }
      />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('recording.noPlayback')}
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('recording.basics')}>
              <Row gutter={16} wrap={false} style={{ flexWrap: 'wrap' }}>
                <Col flex="none" style={{ marginBottom: 12 }}>
                  <RecordingThumb id={r.id} kind={r.kind} hasThumbnail={r.hasThumbnail} width={200} />
                </Col>
                <Col flex="auto" style={{ minWidth: 260 }}>
                  <Descriptions column={1} size="small">
                    <Descriptions.Item label={t('recording.sha256')}>
                      <Typography.Text
                        className="zl-mono"
                        copyable
                        style={{ wordBreak: 'break-all' }}
                        data-testid="recording-sha256"
                      >
                        {r.sha256}
                      </Typography.Text>
                    </Descriptions.Item>
                    <Descriptions.Item label={t('recording.size')}>
                      {formatBytes(r.size)} ({r.size.toLocaleString()} B)
                    </Descriptions.Item>
                    <Descriptions.Item label={t('recording.originalPath')}>
                      <Typography.Text style={{ wordBreak: 'break-all' }}>{r.originalPath}</Typography.Text>
                    </Descriptions.Item>
                    {r.originalPathBytes && (
                      <Descriptions.Item label={t('recording.originalPathBytes')}>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('recording.pathNotExact')}
                        </Typography.Text>
                        <Typography.Text
                          className="zl-mono"
                          copyable
                          style={{ wordBreak: 'break-all', display: 'block' }}
                        >
                          {r.originalPathBytes}
                        </Typography.Text>
                      </Descriptions.Item>
                    )}
                    <Descriptions.Item label={t('recording.nameScheme')}>
                      <span className="zl-mono">{r.nameScheme}</span>
                    </Descriptions.Item>
                    {r.sequence !== null && (
                      <Descriptions.Item label={t('recording.sequence')}>
                        {r.sequence}
                        {r.sequenceGroup ? ` (${r.sequenceGroup})` : ''}
                      </Descriptions.Item>
                    )}
                  </Descriptions>
                </Col>
              </Row>
            </Card>
            <Card size="small" title={t('recording.time')}>
              <Descriptions column={{ xs: 1, md: 2 }} size="small">
                <Descriptions.Item label={t('recording.recordedAt')}>
                  {r.recordedAt === null ? t('recordings.noTime') : formatTime(r.recordedAt)}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.endedAt')}>{formatTime(r.endedAt)}</Descriptions.Item>
                <Descriptions.Item label={t('recording.rawRecordedAt')}>
                  {formatTime(r.rawRecordedAt)}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.deviceLocalTime')}>
                  {r.deviceLocalTime ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.timeSource')}>
                  {['name', 'container', 'exif', 'file', 'none'].includes(r.timeSource)
                    ? t(`timeSource.${r.timeSource as 'name'}`)
                    : r.timeSource}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.clockOffset')}>
                  {r.clockOffsetMs === null ? '—' : formatOffset(r.clockOffsetMs)}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.clockCheck')} span={{ xs: 1, md: 2 }}>
                  {r.clockCheck
                    ? t('recording.clockCheckValue', {
                        time: formatTime(r.clockCheck.checkedAt),
                        offset: formatOffset(r.clockCheck.offsetMs),
                        tolerance: formatTolerance(r.clockCheck.toleranceMs),
                      })
                    : t('recording.noClockCheck')}
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <FindingsCard findings={r.allFindings} />
          </Space>
        </Col>
        <Col xs={24} xl={9}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small" title={t('recording.activity')}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('recording.activity')}>
                  {r.activity ? (
                    <Space orientation="vertical" size={0}>
                      <Link to={`/activities/${r.activity.id}`} data-testid="recording-activity">
                        {r.activity.title ?? labels.activityType(r.activity.type as 'routine_inspection')}
                      </Link>
                      <Typography.Text type="secondary">
                        {r.activity.subjectName} · {formatTime(r.activity.arrivedAt)}
                      </Typography.Text>
                    </Space>
                  ) : (
                    <Typography.Text type="warning">{t('recording.notLinked')}</Typography.Text>
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.device')}>
                  <Link to={`/devices/${r.device.id}`} className="zl-mono">
                    {r.device.serial}
                  </Link>
                  {r.device.model ? ` · ${[r.device.maker, r.device.model].filter(Boolean).join(' ')}` : ''}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.holder')}>
                  {r.holder ? `${r.holder.name}（${r.holder.code}）` : t('recording.noHolder')}
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.import')}>
                  <Space orientation="vertical" size={0}>
                    <Link to={`/imports/${r.import.id}`}>
                      {t('recording.importValue', {
                        source: t(`importSource.${r.import.source === 'station' ? 'station' : 'cli'}`),
                        time: formatTime(r.import.startedAt),
                        actor: r.import.actorName,
                      })}
                    </Link>
                    <span>
                      <ImportStatusTag status={r.import.status} />
                      {r.import.stationId && <span className="zl-mono">{r.import.stationId}</span>}
                    </span>
                  </Space>
                </Descriptions.Item>
                <Descriptions.Item label={t('recording.importedAt')}>
                  {formatTime(r.importedAt)}
                </Descriptions.Item>
              </Descriptions>
              {r.linkHistory.length > 0 && (
                <>
                  <Typography.Text strong style={{ display: 'block', marginTop: 12 }}>
                    {t('recording.linkHistory')}
                  </Typography.Text>
                  <Timeline
                    style={{ marginTop: 12 }}
                    data-testid="link-history"
                    items={r.linkHistory.map((l) => ({
                      color: l.auto ? 'gray' : 'blue',
                      content: (
                        <span>
                          {formatTime(l.at)} · {l.auto ? t('recording.linkAuto') : t('recording.linkManual')}{' '}
                          · {l.actorName}
                          <br />
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {l.fromLabel ?? t('recording.linkNone')} → {l.toLabel ?? t('recording.linkNone')}
                            {l.reason ? ` · ${l.reason}` : ''}
                          </Typography.Text>
                        </span>
                      ),
                    }))}
                  />
                </>
              )}
            </Card>
            <MediaCard r={r} />
          </Space>
        </Col>
      </Row>
      {marking && <MarkRecordingModal recording={r} onClose={() => setMarking(false)} />}
      {linking && (
        <LinkRecordingModal
          recording={r}
          unlink={linking === 'unlink'}
          custodian={custodian}
          onClose={() => setLinking(null)}
        />
      )}
    </>
  );
}
