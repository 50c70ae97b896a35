import { useState } from 'react';
import { Button, Card, DatePicker, Flex, Form, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { FileExcelOutlined, FileTextOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  CATEGORY_ARTICLE,
  VIOLATION_CATEGORIES,
  VIOLATION_STATUSES,
  VIOLATIONS_RECORD,
  violations as violationsApi,
  type ViolationCategory,
  type ViolationFilters,
  type ViolationItem,
  type ViolationStatus,
} from '../api/violations';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { UserSelect } from '../components/UserSelect';
import { ViolationDetail, ViolationStatusTag } from '../components/ViolationDetail';
import { CategorySelect, CreateViolationModal } from '../components/ViolationForms';
import { can } from '../lib/permissions';
import { DISPLAY_TZ, formatTime, pickedToEpoch } from '../lib/time';
import { useMe } from '../lib/useMe';

const PAGE_SIZE = 20;

/** The filters (and the open record) live in the URL, so a view can be bookmarked and shared. */
function filtersFrom(p: URLSearchParams): ViolationFilters {
  const str = (k: string) => p.get(k) || undefined;
  const int = (k: string) => {
    const v = Number(p.get(k));
    return p.get(k) && Number.isSafeInteger(v) ? v : undefined;
  };
  const category = str('category');
  const status = str('status');
  return {
    officer: str('officer'),
    unit: str('unit'),
    category: (VIOLATION_CATEGORIES as readonly string[]).includes(category ?? '')
      ? (category as ViolationCategory)
      : undefined,
    status: (VIOLATION_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as ViolationStatus)
      : undefined,
    from: int('from'),
    to: int('to'),
  };
}

function Filters({
  value,
  onChange,
  own,
}: {
  value: ViolationFilters;
  onChange: (f: ViolationFilters) => void;
  own: boolean;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<ViolationFilters>) => onChange({ ...value, ...patch });
  const range: [Dayjs, Dayjs] | null =
    value.from !== undefined && value.to !== undefined
      ? [dayjs(value.from).tz(DISPLAY_TZ), dayjs(value.to).tz(DISPLAY_TZ)]
      : null;
  return (
    <Form layout="inline" className="zl-filters" style={{ marginBottom: 12 }} name="violationFilters">
      {!own && (
        <>
          <Form.Item>
            <UserSelect
              allowClear
              placeholder={t('violations.allOfficers')}
              style={{ width: 160 }}
              value={value.officer ?? null}
              onChange={(v) => set({ officer: (v as string | undefined) ?? undefined })}
            />
          </Form.Item>
          <Form.Item>
            <UnitTreeSelect
              placeholder={t('violations.allUnits')}
              style={{ width: 200 }}
              value={value.unit ?? null}
              onChange={(v) => set({ unit: v })}
            />
          </Form.Item>
        </>
      )}
      <Form.Item>
        <CategorySelect
          allowClear
          placeholder={t('violations.allCategories')}
          style={{ width: 220 }}
          value={value.category}
          onChange={(v) => set({ category: v })}
        />
      </Form.Item>
      <Form.Item>
        <Select<ViolationStatus>
          allowClear
          placeholder={t('violations.allStatuses')}
          style={{ width: 150 }}
          value={value.status}
          onChange={(v) => set({ status: v })}
          options={VIOLATION_STATUSES.map((s) => ({ value: s, label: t(`violationStatus.${s}`) }))}
          aria-label={t('violations.status')}
        />
      </Form.Item>
      <Form.Item>
        <DatePicker.RangePicker
          value={range}
          aria-label={t('violations.period')}
          onChange={(r) => {
            const [a, b] = r ?? [];
            set({
              from: a ? pickedToEpoch(a.startOf('day')) : undefined,
              to: b ? pickedToEpoch(b.add(1, 'day').startOf('day')) : undefined,
            });
          }}
        />
      </Form.Item>
    </Form>
  );
}

export default function ViolationsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const manage = can(me.data, VIOLATIONS_RECORD);
  // officers who lead no unit see only their own; the filters by person and unit are for the rest
  const own = !manage && !(me.data?.roles ?? []).some((r) => r === 'leader' || r === 'department_head');
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const open = params.get('id');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const q = useQuery({
    queryKey: ['violations', 'list', filters, page],
    queryFn: () => violationsApi.list(filters, PAGE_SIZE, (page - 1) * PAGE_SIZE),
    placeholderData: (prev) => prev,
  });
  const setFilters = (f: ViolationFilters) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') p.set(k, String(v));
    setPage(1);
    setParams(p);
  };
  const openRecord = (id: string | null) => {
    const p = new URLSearchParams(params);
    if (id) p.set('id', id);
    else p.delete('id');
    setParams(p);
  };

  const columns: TableColumnsType<ViolationItem> = [
    {
      title: t('violations.number'),
      dataIndex: 'number',
      width: 100,
      render: (n: string, v) => (
        <a onClick={() => openRecord(v.id)} data-testid="violation-number">
          {n}
        </a>
      ),
    },
    {
      title: t('violations.officer'),
      key: 'officer',
      render: (_, v) => (
        <Flex vertical>
          <span>{v.officerName}</span>
          {v.unitName && <span className="zl-meta">{v.unitName}</span>}
        </Flex>
      ),
    },
    {
      title: t('violations.category'),
      dataIndex: 'category',
      render: (c: ViolationCategory) => (
        <Flex vertical>
          <span>{t(`violationCategory.${c}`)}</span>
          <span className="zl-meta">{CATEGORY_ARTICLE[c]}</span>
        </Flex>
      ),
    },
    {
      title: t('violations.description'),
      dataIndex: 'description',
      width: 240,
      ellipsis: true,
    },
    {
      title: t('violations.occurredAt'),
      dataIndex: 'occurredAt',
      width: 170,
      render: (ms: number) => formatTime(ms),
    },
    {
      title: t('violations.status'),
      dataIndex: 'status',
      width: 130,
      render: (s: ViolationStatus) => <ViolationStatusTag status={s} />,
    },
    {
      title: t('violations.sanctions'),
      key: 'sanctions',
      render: (_, v) => (
        <Space size={[0, 4]} wrap>
          {v.sanctions.map((s) => (
            <Tag key={s} color="red">
              {t(`sanction.${s}`)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('violations.evidence'),
      key: 'evidence',
      width: 120,
      render: (_, v) =>
        v.findingCount + v.auditEventCount === 0 ? (
          ''
        ) : (
          <span className="zl-meta">{t('violations.findingCount', { count: v.findingCount })}</span>
        ),
    },
  ];

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={4} className="zl-page-title">
          {t('violations.title')}
        </Typography.Title>
        <Space wrap>
          <Button icon={<FileTextOutlined />} href={violationsApi.exportUrl(filters, 'csv')} download>
            {t('violations.exportCsv')}
          </Button>
          <Button icon={<FileExcelOutlined />} href={violationsApi.exportUrl(filters, 'xlsx')} download>
            {t('violations.exportXlsx')}
          </Button>
          {manage && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="create-violation"
            >
              {t('violations.create')}
            </Button>
          )}
        </Space>
      </Flex>
      <Typography.Paragraph type="secondary">
        {own ? t('violations.introOwn') : t('violations.intro')}
      </Typography.Paragraph>
      <Card size="small">
        <Filters value={filters} onChange={setFilters} own={own} />
        <Table<ViolationItem>
          rowKey="id"
          size="small"
          loading={q.isFetching && !q.data}
          columns={columns}
          dataSource={q.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: q.isError ? q.error.message : t('violations.empty') }}
          onRow={(v) => ({ onDoubleClick: () => openRecord(v.id) })}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: q.data?.total ?? 0,
            showSizeChanger: false,
            hideOnSinglePage: true,
            showTotal: (n) => t('violations.total', { count: n }),
            onChange: setPage,
          }}
          data-testid="violations-table"
        />
      </Card>
      {open && <ViolationDetail id={open} manage={manage} onClose={() => openRecord(null)} />}
      {creating && (
        <CreateViolationModal
          onClose={() => setCreating(false)}
          onCreated={(v) => {
            setCreating(false);
            openRecord(v.id);
          }}
        />
      )}
    </>
  );
}
