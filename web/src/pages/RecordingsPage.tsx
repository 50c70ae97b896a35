import { Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { StarFilled } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  RECORDING_FINDING_CODES,
  RECORDING_KINDS,
  recordings as recordingsApi,
  type RecordingFilters,
  type RecordingItem,
  type RecordingKind,
} from '../api/collection';
import { activities as activitiesApi, devices as devicesApi } from '../api/registry';
import {
  FindingTags,
  KindIcon,
  MediaStatusTag,
  RecordingThumb,
  useFindingName,
} from '../components/CollectionTags';
import { SubjectSelect } from '../components/SubjectSelect';
import { UserSelect } from '../components/UserSelect';
import { formatDuration } from '../lib/collection';
import { formatFileSize } from '../lib/format';
import { DISPLAY_TZ, formatTime, pickedToEpoch } from '../lib/time';

const PAGE_SIZE = 20;

/** The filters live in the URL, so a filtered list can be bookmarked, shared and gone back to. */
function filtersFrom(p: URLSearchParams): RecordingFilters {
  const str = (k: string) => p.get(k) || undefined;
  const int = (k: string) => {
    const v = Number(p.get(k));
    return p.get(k) && Number.isSafeInteger(v) ? v : undefined;
  };
  const kind = str('kind');
  const linked = p.get('linked');
  return {
    officer: str('officer'),
    device: str('device'),
    subject: str('subject'),
    activity: str('activity'),
    from: int('from'),
    to: int('to'),
    kind: (RECORDING_KINDS as readonly string[]).includes(kind ?? '') ? (kind as RecordingKind) : undefined,
    finding: str('finding'),
    q: str('q'),
    linked: linked === 'true' ? true : linked === 'false' ? false : undefined,
    page: int('page'),
  };
}

function toParams(f: RecordingFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '' && v !== null) p.set(k, String(v));
  return p;
}

function Filters({ value, onChange }: { value: RecordingFilters; onChange: (f: RecordingFilters) => void }) {
  const { t } = useTranslation();
  const findingName = useFindingName();
  const devices = useQuery({
    queryKey: ['devices', {}],
    queryFn: () => devicesApi.list({}),
    staleTime: 60_000,
  });
  const activity = useQuery({
    queryKey: ['activities', 'detail', value.activity],
    queryFn: () => activitiesApi.get(value.activity!),
    enabled: !!value.activity,
  });
  const set = (patch: Partial<RecordingFilters>) => onChange({ ...value, ...patch, page: undefined });
  const range: [Dayjs, Dayjs] | null =
    value.from !== undefined && value.to !== undefined
      ? [dayjs(value.from).tz(DISPLAY_TZ), dayjs(value.to).tz(DISPLAY_TZ)]
      : null;
  return (
    <Form layout="inline" className="zl-filters" style={{ marginBottom: 8 }} name="recordingFilters">
      <Form.Item>
        <Input.Search
          allowClear
          defaultValue={value.q}
          placeholder={t('recordings.searchPlaceholder')}
          style={{ width: 260 }}
          aria-label={t('common.search')}
          onSearch={(q) => set({ q: q.trim() || undefined })}
          data-testid="recordings-search"
        />
      </Form.Item>
      <Form.Item>
        <UserSelect
          allowClear
          placeholder={t('recordings.allOfficers')}
          style={{ width: 160 }}
          value={value.officer ?? null}
          onChange={(v) => set({ officer: (v as string | undefined) ?? undefined })}
        />
      </Form.Item>
      <Form.Item>
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('recordings.allDevices')}
          style={{ width: 160 }}
          value={value.device}
          onChange={(v?: string) => set({ device: v })}
          options={(devices.data ?? []).map((d) => ({ value: d.id, label: d.serial }))}
          aria-label={t('recordings.device')}
        />
      </Form.Item>
      <Form.Item>
        <SubjectSelect
          allowClear
          placeholder={t('recordings.allSubjects')}
          style={{ width: 180 }}
          value={value.subject}
          onChange={(v) => set({ subject: v })}
        />
      </Form.Item>
      <Form.Item>
        <DatePicker.RangePicker
          value={range}
          aria-label={t('recordings.dateRange')}
          onChange={(r) => {
            const [a, b] = r ?? [];
            set({
              from: a ? pickedToEpoch(a.startOf('day')) : undefined,
              to: b ? pickedToEpoch(b.endOf('day')) : undefined,
            });
          }}
        />
      </Form.Item>
      <Form.Item>
        <Select
          allowClear
          placeholder={t('recordings.allKinds')}
          style={{ width: 120 }}
          value={value.kind}
          onChange={(v?: RecordingKind) => set({ kind: v })}
          options={RECORDING_KINDS.map((k) => ({ value: k, label: t(`recordingKind.${k}`) }))}
          aria-label={t('recordings.kind')}
          data-testid="filter-kind"
        />
      </Form.Item>
      <Form.Item>
        <Select
          allowClear
          placeholder={t('recordings.allFindings')}
          style={{ width: 190 }}
          value={value.finding}
          onChange={(v?: string) => set({ finding: v })}
          options={RECORDING_FINDING_CODES.map((c) => ({ value: c, label: findingName(c) }))}
          aria-label={t('recordings.finding')}
          data-testid="filter-finding"
        />
      </Form.Item>
      <Form.Item>
        <Select
          allowClear
          placeholder={t('recordings.allLinks')}
          style={{ width: 130 }}
          value={value.linked === undefined ? undefined : String(value.linked)}
          onChange={(v?: string) => set({ linked: v === undefined ? undefined : v === 'true' })}
          options={[
            { value: 'true', label: t('recordings.linkedYes') },
            { value: 'false', label: t('recordings.linkedNo') },
          ]}
          aria-label={t('recordings.linked')}
          data-testid="filter-linked"
        />
      </Form.Item>
      {value.activity && (
        <Form.Item>
          <Tag closable onClose={() => set({ activity: undefined })} color="blue">
            {t('common.labelValue', {
              label: t('recordings.activity'),
              value: activity.data?.title ?? activity.data?.subjectName ?? value.activity,
            })}
          </Tag>
        </Form.Item>
      )}
    </Form>
  );
}

export default function RecordingsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const q = useQuery({
    queryKey: ['recordings', filters],
    queryFn: () => recordingsApi.list({ ...filters, pageSize: PAGE_SIZE }),
    placeholderData: (prev) => prev,
  });

  const columns: TableColumnsType<RecordingItem> = [
    {
      title: t('recordings.thumbnail'),
      key: 'thumb',
      width: 112,
      render: (_, r) => (
        <Link to={`/recordings/${r.id}`} aria-label={r.originalPath}>
          <RecordingThumb id={r.id} kind={r.kind} hasThumbnail={r.hasThumbnail} width={96} />
        </Link>
      ),
    },
    {
      title: t('recordings.recordedAt'),
      key: 'time',
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/recordings/${r.id}`}>
            {r.recordedAt === null ? t('recordings.noTime') : formatTime(r.recordedAt)}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            <KindIcon kind={r.kind} /> {t(`recordingKind.${r.kind}`)}
            {r.durationMs !== null && r.kind !== 'photo' ? ` · ${formatDuration(r.durationMs)}` : ''}
            {r.important && (
              <StarFilled
                style={{ color: '#faad14', marginLeft: 4 }}
                aria-label={t('recordings.important')}
              />
            )}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('recordings.device'),
      key: 'device',
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <span className="zl-mono">{r.deviceSerial}</span>
          <Typography.Text type="secondary">{r.holderName ?? t('recordings.noHolder')}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('recordings.activity'),
      key: 'activity',
      responsive: ['md'],
      render: (_, r) =>
        r.activityId ? (
          <Space orientation="vertical" size={0}>
            <Link to={`/activities/${r.activityId}`}>{r.activityTitle ?? r.subjectName}</Link>
            {r.activityTitle && <Typography.Text type="secondary">{r.subjectName}</Typography.Text>}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('recordings.linkedNo')}</Typography.Text>
        ),
    },
    {
      title: t('recordings.findings'),
      key: 'findings',
      render: (_, r) => <FindingTags codes={r.findings} />,
    },
    {
      title: t('recordings.file'),
      key: 'file',
      responsive: ['xl'],
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Typography.Text ellipsis style={{ maxWidth: 220 }} title={r.originalPath}>
            {r.originalPath.split('/').pop()}
          </Typography.Text>
          <Typography.Text type="secondary" className="zl-mono" style={{ fontSize: 12 }}>
            {r.sha256.slice(0, 12)}… · {formatFileSize(r.size)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('recordings.media'),
      key: 'media',
      responsive: ['lg'],
      render: (_, r) => <MediaStatusTag status={r.mediaStatus} />,
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('recordings.title')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t('recordings.intro')}
      </Typography.Paragraph>
      <Filters
        key={params.get('q') ?? ''}
        value={filters}
        onChange={(f) => setParams(toParams(f), { replace: true })}
      />
      <Table<RecordingItem>
        rowKey="id"
        columns={columns}
        dataSource={q.data?.items}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        onRow={(r) => ({
          onClick: (e) => {
            if ((e.target as HTMLElement).closest('a')) return;
            void navigate(`/recordings/${r.id}`);
          },
          style: { cursor: 'pointer' },
        })}
        pagination={{
          current: filters.page ?? 1,
          pageSize: PAGE_SIZE,
          total: q.data?.total ?? 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
          showTotal: (n) => t('recordings.total', { count: n }),
          onChange: (page) => setParams(toParams({ ...filters, page: page > 1 ? page : undefined })),
        }}
        locale={{ emptyText: q.isError ? q.error.message : t('recordings.empty') }}
      />
    </Card>
  );
}
