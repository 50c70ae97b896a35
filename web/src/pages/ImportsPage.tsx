import { Card, DatePicker, Form, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  IMPORT_STATUSES,
  imports as importsApi,
  type ImportItem,
  type ImportStatus,
} from '../api/collection';
import { devices as devicesApi } from '../api/registry';
import { FindingCounts, ImportStatusTag } from '../components/CollectionTags';
import { formatBytes } from '../lib/collection';
import { DISPLAY_TZ, formatTime, pickedToEpoch } from '../lib/time';

const PAGE_SIZE = 20;

export default function ImportsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const int = (k: string) =>
    params.get(k) && Number.isSafeInteger(Number(params.get(k))) ? Number(params.get(k)) : undefined;
  const status = params.get('status');
  const filters = {
    device: params.get('device') || undefined,
    status: (IMPORT_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as ImportStatus)
      : undefined,
    from: int('from'),
    to: int('to'),
    page: int('page'),
  };
  const set = (patch: Partial<typeof filters>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filters, page: undefined, ...patch }))
      if (v !== undefined) next.set(k, String(v));
    setParams(next, { replace: true });
  };
  const devices = useQuery({
    queryKey: ['devices', {}],
    queryFn: () => devicesApi.list({}),
    staleTime: 60_000,
  });
  const q = useQuery({
    queryKey: ['imports', filters],
    queryFn: () => importsApi.list({ ...filters, pageSize: PAGE_SIZE }),
    placeholderData: (prev) => prev,
  });

  const columns: TableColumnsType<ImportItem> = [
    {
      title: t('imports.startedAt'),
      key: 'startedAt',
      render: (_, i) => <Link to={`/imports/${i.id}`}>{formatTime(i.startedAt)}</Link>,
    },
    {
      title: t('imports.device'),
      key: 'device',
      render: (_, i) => <span className="zl-mono">{i.deviceSerial}</span>,
    },
    { title: t('imports.status'), key: 'status', render: (_, i) => <ImportStatusTag status={i.status} /> },
    {
      title: t('imports.files'),
      key: 'files',
      render: (_, i) =>
        t('imports.filesValue', {
          imported: String(i.summary.imported),
          duplicate: String(i.summary.duplicate),
          failed: String(i.summary.failed),
        }),
    },
    {
      title: t('imports.findings'),
      key: 'findings',
      render: (_, i) => <FindingCounts counts={i.summary.findings} />,
    },
    {
      title: t('imports.source'),
      key: 'source',
      responsive: ['md'],
      render: (_, i) => (
        <Space orientation="vertical" size={0}>
          <span>{t(`importSource.${i.source === 'station' ? 'station' : 'cli'}`)}</span>
          {i.stationId && (
            <Typography.Text type="secondary" className="zl-mono">
              {i.stationId}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t('imports.actor'), dataIndex: 'actorName', key: 'actor', responsive: ['lg'] },
    {
      title: t('imports.bytes'),
      key: 'bytes',
      responsive: ['lg'],
      render: (_, i) => formatBytes(i.summary.bytes),
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('imports.title')}
        </Typography.Title>
      }
    >
      <Form layout="inline" className="zl-filters" style={{ marginBottom: 8 }} name="importFilters">
        <Form.Item>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('imports.allDevices')}
            style={{ width: 180 }}
            value={filters.device}
            onChange={(v?: string) => set({ device: v })}
            options={(devices.data ?? []).map((d) => ({ value: d.id, label: d.serial }))}
            aria-label={t('imports.device')}
          />
        </Form.Item>
        <Form.Item>
          <Select
            allowClear
            placeholder={t('imports.allStatuses')}
            style={{ width: 140 }}
            value={filters.status}
            onChange={(v?: ImportStatus) => set({ status: v })}
            options={IMPORT_STATUSES.map((s) => ({ value: s, label: t(`importStatus.${s}`) }))}
            aria-label={t('imports.status')}
          />
        </Form.Item>
        <Form.Item>
          <DatePicker.RangePicker
            value={
              filters.from !== undefined && filters.to !== undefined
                ? [dayjs(filters.from).tz(DISPLAY_TZ), dayjs(filters.to).tz(DISPLAY_TZ)]
                : null
            }
            onChange={(r) => {
              const [a, b] = r ?? [];
              set({
                from: a ? pickedToEpoch(a.startOf('day')) : undefined,
                to: b ? pickedToEpoch(b.endOf('day')) : undefined,
              });
            }}
          />
        </Form.Item>
      </Form>
      <Table<ImportItem>
        rowKey="id"
        columns={columns}
        dataSource={q.data?.items}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        onRow={(i) => ({
          onClick: (e) => {
            if ((e.target as HTMLElement).closest('a')) return;
            void navigate(`/imports/${i.id}`);
          },
          style: { cursor: 'pointer' },
        })}
        pagination={{
          current: filters.page ?? 1,
          pageSize: PAGE_SIZE,
          total: q.data?.total ?? 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
          onChange: (page) => set({ page: page > 1 ? page : undefined }),
        }}
        locale={{ emptyText: q.isError ? q.error.message : t('imports.empty') }}
      />
    </Card>
  );
}
