import { useState } from 'react';
import {
  AutoComplete,
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import {
  DownloadOutlined,
  ReloadOutlined,
  SafetyCertificateOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { audit as auditApi } from '../api/endpoints';
import { OUTCOMES, type AuditEvent, type AuditFilters, type AuditVerify, type Outcome } from '../api/types';
import { useLabels } from '../lib/labels';
import { formatTime, pickedToEpoch } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

const PAGE = 50;
const OUTCOME_COLOR: Record<Outcome, string> = { success: 'success', failure: 'error', denied: 'warning' };

interface FilterValues {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: Outcome;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function toFilters(v: FilterValues): AuditFilters {
  const s = (x?: string) => x?.trim() || undefined;
  const [from, to] = v.range ?? [];
  return {
    actor: s(v.actor),
    action: s(v.action),
    targetType: s(v.targetType),
    targetId: s(v.targetId),
    outcome: v.outcome,
    from: from ? pickedToEpoch(from) : undefined,
    to: to ? pickedToEpoch(to) : undefined,
  };
}

function FilterForm({ onSearch }: { onSearch: (f: AuditFilters) => void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [form] = Form.useForm<FilterValues>();
  return (
    <Form<FilterValues>
      form={form}
      layout="inline"
      className="zl-filters"
      onFinish={(v) => onSearch(toFilters(v))}
      style={{ marginBottom: 8, rowGap: 0 }}
    >
      <Form.Item name="actor" label={t('audit.actor')}>
        <Input allowClear placeholder={t('audit.actorPlaceholder')} style={{ width: 170 }} />
      </Form.Item>
      <Form.Item name="action" label={t('audit.action')}>
        <AutoComplete
          allowClear
          placeholder={t('audit.actionPlaceholder')}
          style={{ width: 230 }}
          options={labels.knownActions.map((a) => ({
            value: a,
            label: t('common.withNote', { main: labels.action(a) ?? a, note: a }),
          }))}
          showSearch={{
            filterOption: (input, option) =>
              !!option &&
              `${option.value} ${String(option.label)}`.toLowerCase().includes(input.toLowerCase()),
          }}
        />
      </Form.Item>
      <Form.Item name="targetType" label={t('audit.targetType')}>
        <AutoComplete
          allowClear
          style={{ width: 130 }}
          options={labels.knownTargetTypes.map((tt) => ({
            value: tt,
            label: t('common.withNote', { main: labels.targetType(tt) ?? tt, note: tt }),
          }))}
        />
      </Form.Item>
      <Form.Item name="targetId" label={t('audit.targetId')}>
        <Input allowClear style={{ width: 170 }} />
      </Form.Item>
      <Form.Item name="outcome" label={t('audit.outcome')}>
        <Select<Outcome>
          allowClear
          placeholder={t('common.all')}
          style={{ width: 110 }}
          options={OUTCOMES.map((o) => ({ value: o, label: labels.outcome(o) }))}
        />
      </Form.Item>
      <Form.Item name="range" label={t('audit.timeRange')}>
        <DatePicker.RangePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          allowEmpty={[true, true]}
          placeholder={[t('audit.startTime'), t('audit.endTime')]}
        />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
            {t('audit.filter')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields();
              onSearch({});
            }}
          >
            {t('common.reset')}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}

/** Long ids shortened to head…tail; the whole id in the tooltip and on copy. */
function ShortId({ id }: { id: string }) {
  const { t } = useTranslation();
  const short = id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id;
  return (
    <Tooltip title={<span className="zl-mono">{id}</span>}>
      <Typography.Text
        type="secondary"
        className="zl-mono"
        style={{ fontSize: 12 }}
        copyable={{ text: id, tooltips: [t('common.copy'), t('common.copied')] }}
      >
        {short}
      </Typography.Text>
    </Tooltip>
  );
}

function ShortHash({ e }: { e: AuditEvent }) {
  const { t } = useTranslation();
  return (
    <Tooltip
      title={
        <div className="zl-mono" style={{ fontSize: 12, wordBreak: 'break-all' }}>
          {t('audit.hash')}: {e.hash}
          <br />
          {t('audit.prevHash')}: {e.prevHash}
        </div>
      }
    >
      <Typography.Text code className="zl-mono">
        {e.hash.slice(0, 10)}…
      </Typography.Text>
    </Tooltip>
  );
}

function useColumns(): TableColumnsType<AuditEvent> {
  const { t } = useTranslation();
  const labels = useLabels();
  return [
    { title: t('audit.seq'), dataIndex: 'seq', key: 'seq', width: 70 },
    { title: t('audit.time'), dataIndex: 'at', key: 'at', width: 170, render: (v: number) => formatTime(v) },
    {
      title: t('audit.actor'),
      key: 'actor',
      render: (_, e) =>
        e.actorName ?? (e.actorId ? <span className="zl-mono">{e.actorId}</span> : t('common.system')),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      key: 'action',
      render: (a: string) => {
        const label = labels.action(a);
        return (
          <>
            {label && <div>{label}</div>}
            <Typography.Text type="secondary" className="zl-mono" style={{ fontSize: 12 }}>
              {a}
            </Typography.Text>
          </>
        );
      },
    },
    {
      title: t('audit.target'),
      key: 'target',
      render: (_, e) =>
        e.targetType ? (
          <>
            <div>{labels.targetType(e.targetType) ?? e.targetType}</div>
            {e.targetId && <ShortId id={e.targetId} />}
          </>
        ) : null,
    },
    {
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      key: 'outcome',
      width: 80,
      render: (o: Outcome) => <Tag color={OUTCOME_COLOR[o]}>{labels.outcome(o)}</Tag>,
    },
    { title: t('audit.clientIp'), dataIndex: 'clientIp', key: 'clientIp', responsive: ['md'] },
    { title: t('audit.hash'), key: 'hash', responsive: ['lg'], render: (_, e) => <ShortHash e={e} /> },
  ];
}

function VerifyResult({ r }: { r: AuditVerify }) {
  const { t } = useTranslation();
  if (r.ok)
    return <Alert type="success" showIcon title={t('audit.verifyOk', { checked: String(r.checked) })} />;
  const b = r.firstBroken;
  return (
    <Alert
      type="error"
      showIcon
      title={t('audit.verifyBroken', {
        seq: String(b?.seq ?? '?'),
        id: b?.id ?? '?',
        reason: b?.reason ?? t('common.unknown'),
        checked: String(r.checked),
      })}
    />
  );
}

export default function AuditPage() {
  const { t } = useTranslation();
  const showError = useErrorMessage();
  const columns = useColumns();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [verified, setVerified] = useState<AuditVerify | null>(null);

  const q = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) => auditApi.list(filters, pageParam, PAGE),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    staleTime: 0,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  const verify = useMutation({ mutationFn: auditApi.verify, onSuccess: setVerified, onError: showError });

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('audit.title')}
        </Typography.Title>
      }
      extra={
        <Space wrap>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => void q.refetch()}
            aria-label={t('common.refresh')}
          />
          <Button icon={<DownloadOutlined />} href={auditApi.exportUrl(filters)} download>
            {t('audit.export')}
          </Button>
          <Button
            icon={<SafetyCertificateOutlined />}
            loading={verify.isPending}
            onClick={() => verify.mutate()}
          >
            {t('audit.verify')}
          </Button>
        </Space>
      }
    >
      <FilterForm onSearch={setFilters} />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('audit.timezoneNote')}
      </Typography.Paragraph>
      <Table<AuditEvent>
        rowKey="seq"
        columns={columns}
        dataSource={items}
        loading={q.isFetching && !q.isFetchingNextPage}
        pagination={false}
        size="small"
        scroll={{ x: 'max-content' }}
        locale={q.isError ? { emptyText: q.error.message } : undefined}
        expandable={{
          expandedRowRender: (e) =>
            Object.keys(e.details).length ? (
              <pre className="zl-json">{JSON.stringify(e.details, null, 2)}</pre>
            ) : (
              <Typography.Text type="secondary">{t('audit.noDetails')}</Typography.Text>
            ),
        }}
      />
      <Space style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">{t('audit.loaded', { count: items.length })}</Typography.Text>
        {q.hasNextPage ? (
          <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        ) : (
          items.length > 0 && <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
        )}
      </Space>
      <Modal
        open={verified !== null}
        title={t('audit.verifyTitle')}
        onOk={() => setVerified(null)}
        onCancel={() => setVerified(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText={t('common.close')}
      >
        {verified && <VerifyResult r={verified} />}
      </Modal>
    </Card>
  );
}
