import { useMemo } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Drawer,
  Flex,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { FileExcelOutlined, FilePdfOutlined, FileTextOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  compliance as complianceApi,
  VERDICT_KEYS,
  type ComplianceMetrics,
  type DrillActivity,
  type DrillQuery,
  type VerdictKey,
} from '../api/compliance';
import { PERM } from '../api/types';
import { EChart } from '../components/EChart';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { UserSelect } from '../components/UserSelect';
import { named, VerdictTag } from '../components/VerdictTag';
import { currentLang } from '../i18n';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { DISPLAY_TZ, formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

type PeriodKind = 'month' | 'year' | 'custom';
const DAY = 'YYYY-MM-DD';
const DRILL_PAGE = 20;
const VERDICT_COLOR: Record<VerdictKey, string> = {
  compliant: '#52c41a',
  awaiting_explanation: '#faad14',
  non_compliant: '#f5222d',
  not_computed: '#bfbfbf',
};

const percent = (v: number | null) => (v === null ? '—' : `${(Math.round(v * 1000) / 10).toFixed(1)}%`);

/** The filters live in the URL, so a drill-down survives the way to an activity and back. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const today = dayjs().tz(DISPLAY_TZ);
  const kind = (params.get('period') as PeriodKind | null) ?? 'month';
  const from = params.get('from') ?? today.startOf('month').format(DAY);
  const to = params.get('to') ?? today.endOf('month').format(DAY);
  const unit = params.get('unit') ?? undefined;
  const officer = params.get('officer') ?? undefined;
  const drillRaw = params.get('drill');
  const drill = useMemo<Omit<DrillQuery, 'from' | 'to'> | null>(() => {
    if (!drillRaw) return null;
    try {
      return JSON.parse(drillRaw) as Omit<DrillQuery, 'from' | 'to'>;
    } catch {
      return null;
    }
  }, [drillRaw]);
  const page = Number(params.get('page') ?? '1') || 1;
  const set = (patch: Record<string, string | undefined | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  return { kind, from, to, unit, officer, drill, page, set };
}

export default function ComplianceDashboardPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const f = useFilters();
  const en = currentLang() === 'en';
  const query = { from: f.from, to: f.to, unit: f.unit, officer: f.officer };
  const q = useQuery({
    queryKey: ['compliance-dashboard', query],
    queryFn: () => complianceApi.dashboard(query),
    placeholderData: keepPreviousData,
  });
  const drillQuery = f.drill ? { ...query, ...f.drill } : null;
  const drill = useQuery({
    queryKey: ['compliance-drill', drillQuery, f.page],
    queryFn: () =>
      complianceApi.drill({ ...drillQuery!, limit: DRILL_PAGE, offset: (f.page - 1) * DRILL_PAGE }),
    enabled: !!drillQuery,
    placeholderData: keepPreviousData,
  });

  const openDrill = (d: Omit<DrillQuery, 'from' | 'to'>) => f.set({ drill: JSON.stringify(d), page: null });
  const setPeriod = (kind: PeriodKind, d: Dayjs, end?: Dayjs) => {
    const unitOf = kind === 'year' ? 'year' : 'month';
    f.set({
      period: kind,
      from: (kind === 'custom' ? d : d.startOf(unitOf)).format(DAY),
      to: (kind === 'custom' ? (end ?? d) : d.endOf(unitOf)).format(DAY),
      drill: null,
      page: null,
    });
  };

  const d = q.data;
  const typeName = (x: { nameZh: string; nameEn: string }) => (en ? x.nameEn : x.nameZh);
  const verdictName = (v: VerdictKey) => t(`verdict.${v}`);

  const byTypeOption = useMemo(() => {
    if (!d) return null;
    const types = d.byType.filter((x) => x.activities > 0);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: {
        type: 'category',
        data: types.map(typeName),
        axisLabel: { interval: 0, rotate: types.length > 4 ? 20 : 0 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: VERDICT_KEYS.map((v) => ({
        name: verdictName(v),
        type: 'bar',
        stack: 'verdict',
        barMaxWidth: 56,
        itemStyle: { color: VERDICT_COLOR[v] },
        data: types.map((x) => ({ value: x.verdicts[v], type: x.type, verdict: v })),
      })),
    };
  }, [d, en]);
  const verdictOption = useMemo(() => {
    if (!d) return null;
    return {
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '44%'],
          label: { formatter: '{b}\n{c}' },
          data: VERDICT_KEYS.filter((v) => d.totals.verdicts[v] > 0).map((v) => ({
            name: verdictName(v),
            value: d.totals.verdicts[v],
            verdict: v,
            itemStyle: { color: VERDICT_COLOR[v] },
          })),
        },
      ],
    };
  }, [d, en]);
  const findingsOption = useMemo(() => {
    if (!d) return null;
    const codes = d.findings.byCode.filter((c) => c.pending > 0).reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 8, right: 24, top: 8, bottom: 36, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: codes.map((c) => `${named(c)} ${c.articles[0] ?? ''}`) },
      series: (['open', 'explained'] as const).map((s) => ({
        name: t(`findingStatus.${s}`),
        type: 'bar',
        stack: 'pending',
        barMaxWidth: 28,
        itemStyle: { color: s === 'open' ? '#f5222d' : '#1677ff' },
        data: codes.map((c) => ({ value: c[s], code: c.code })),
      })),
    };
  }, [d, en]);
  const coverageOption = useMemo(() => {
    if (!d) return null;
    const types = d.byType.filter((x) => x.requiringRecording > 0);
    return {
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        valueFormatter: (v: number) => `${v}%`,
      },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: types.map(typeName) },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: t('dashboard.shareRecorded'),
          type: 'bar',
          barMaxWidth: 48,
          itemStyle: { color: '#1677ff' },
          data: types.map((x) => ({
            value: x.shareRecorded === null ? 0 : Math.round(x.shareRecorded * 1000) / 10,
            type: x.type,
          })),
        },
        {
          name: t('dashboard.coverage'),
          type: 'bar',
          barMaxWidth: 48,
          itemStyle: { color: '#13c2c2' },
          data: types.map((x) => ({
            value: x.coverage === null ? 0 : Math.round(x.coverage * 1000) / 10,
            type: x.type,
          })),
        },
      ],
    };
  }, [d, en]);

  /** A number that opens the activities behind it. */
  const num = (value: number, drillTo: Omit<DrillQuery, 'from' | 'to'> | null, testId?: string) =>
    value > 0 && drillTo ? (
      <Typography.Link onClick={() => openDrill(drillTo)} data-testid={testId}>
        {value}
      </Typography.Link>
    ) : (
      <span>{value}</span>
    );

  function metricColumns<T extends ComplianceMetrics>(
    scope: (row: T) => Omit<DrillQuery, 'from' | 'to'> | null,
  ): TableColumnsType<T> {
    return [
      {
        title: t('dashboard.activities'),
        key: 'activities',
        align: 'right',
        render: (_v, r) => num(r.activities, scope(r)),
      },
      {
        title: t('dashboard.requiring'),
        key: 'requiring',
        align: 'right',
        render: (_v, r) => num(r.requiringRecording, scope(r) && { ...scope(r), recording: 'required' }),
      },
      {
        title: t('dashboard.missing'),
        key: 'missing',
        align: 'right',
        render: (_v, r) =>
          num(r.requiringRecording - r.recorded, scope(r) && { ...scope(r), recording: 'missing' }),
      },
      {
        title: t('dashboard.shareRecorded'),
        key: 'share',
        align: 'right',
        render: (_v, r) => percent(r.shareRecorded),
      },
      {
        title: t('dashboard.coverage'),
        key: 'coverage',
        align: 'right',
        render: (_v, r) => percent(r.coverage),
      },
      ...(['compliant', 'awaiting_explanation', 'non_compliant'] as const).map((v) => ({
        title: verdictName(v),
        key: v,
        align: 'right' as const,
        render: (_v: unknown, r: T) => num(r.verdicts[v], scope(r) && { ...scope(r), verdict: v }),
      })),
      { title: t('dashboard.openFindings'), dataIndex: 'openFindings', key: 'open', align: 'right' },
    ];
  }

  const drillColumns: TableColumnsType<DrillActivity> = [
    {
      title: t('dashboard.activity'),
      key: 'activity',
      render: (_v, a) => (
        <Flex vertical>
          <Typography.Link onClick={() => void navigate(`/activities/${a.id}`)}>
            {a.title ?? labels.activityType(a.type as 'routine_inspection')}
          </Typography.Link>
          <span className="zl-meta">
            {[
              formatTime(a.at),
              a.subjectName,
              a.unitName,
              a.officers.map((o) => o.name).join(t('common.listSeparator')),
            ]
              .filter(Boolean)
              .join(t('common.metaSeparator'))}
          </span>
        </Flex>
      ),
    },
    {
      title: t('dashboard.verdict'),
      key: 'verdict',
      width: 100,
      render: (_v, a) => <VerdictTag verdict={a.verdict} />,
    },
    {
      title: t('dashboard.coverage'),
      key: 'coverage',
      width: 90,
      align: 'right',
      render: (_v, a) => (a.windowMs ? percent((a.coveredMs ?? 0) / a.windowMs) : '—'),
    },
    {
      title: t('dashboard.openFindings'),
      key: 'codes',
      render: (_v, a) => (
        <Space size={2} wrap>
          {a.openCodes.map((c) => (
            <Tag key={c}>
              {d?.findings.byCode.find((x) => x.code === c)
                ? named(d.findings.byCode.find((x) => x.code === c)!)
                : c}
            </Tag>
          ))}
        </Space>
      ),
    },
  ];

  const drillTitle = () => {
    if (!f.drill) return '';
    const parts: string[] = [];
    const dd = f.drill;
    if (dd.unit) parts.push(d?.byUnit.find((u) => u.unitId === dd.unit)?.unitName ?? '');
    if (dd.officer) parts.push(d?.byOfficer.find((o) => o.userId === dd.officer)?.name ?? '');
    if (dd.type) {
      const ty = d?.byType.find((x) => x.type === dd.type);
      parts.push(ty ? typeName(ty) : dd.type);
    }
    if (dd.verdict) parts.push(verdictName(dd.verdict));
    if (dd.recording) parts.push(t(`dashboard.recording_${dd.recording}`));
    if (dd.code) {
      const c = d?.findings.byCode.find((x) => x.code === dd.code);
      parts.push(c ? named(c) : dd.code);
    }
    return parts.filter(Boolean).join(t('common.metaSeparator')) || t('dashboard.allActivities');
  };

  const reportQuery = { from: f.from, to: f.to, unit: f.unit };
  const pickerValue = dayjs.tz(`${f.from}T12:00:00`, DISPLAY_TZ);
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <Typography.Title level={3} className="zl-page-title" style={{ margin: 0 }}>
          {t('dashboard.title')}
        </Typography.Title>
        <Space wrap>
          <Button
            icon={<FilePdfOutlined />}
            href={complianceApi.reportUrl(reportQuery, 'pdf')}
            download
            data-testid="report-pdf"
          >
            {t('dashboard.downloadPdf')}
          </Button>
          <Button icon={<FileExcelOutlined />} href={complianceApi.reportUrl(reportQuery, 'xlsx')} download>
            {t('dashboard.downloadXlsx')}
          </Button>
          <Button icon={<FileTextOutlined />} href={complianceApi.reportUrl(reportQuery, 'json')} download>
            {t('dashboard.downloadJson')}
          </Button>
        </Space>
      </Flex>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={12} align="center">
          <Segmented<PeriodKind>
            value={f.kind}
            options={[
              { value: 'month', label: t('dashboard.month') },
              { value: 'year', label: t('dashboard.year') },
              { value: 'custom', label: t('dashboard.custom') },
            ]}
            onChange={(k) => setPeriod(k, pickerValue)}
          />
          {f.kind === 'custom' ? (
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(f.from), dayjs(f.to)]}
              onChange={(v) => v?.[0] && v[1] && setPeriod('custom', v[0], v[1])}
            />
          ) : (
            <DatePicker
              picker={f.kind}
              allowClear={false}
              value={dayjs(f.from)}
              aria-label={t('dashboard.period')}
              onChange={(v) => v && setPeriod(f.kind, v)}
            />
          )}
          {can(me, PERM.unitsRead) && (
            <UnitTreeSelect
              value={f.unit}
              onChange={(u) => f.set({ unit: u, drill: null, page: null })}
              placeholder={t('dashboard.allUnits')}
              style={{ minWidth: 220 }}
            />
          )}
          {can(me, PERM.usersRead) && (
            <UserSelect
              value={f.officer}
              onChange={(u) =>
                f.set({ officer: typeof u === 'string' ? u : undefined, drill: null, page: null })
              }
              placeholder={t('dashboard.allOfficers')}
              allowClear
              style={{ minWidth: 180 }}
            />
          )}
          {d && <Tag color="geekblue">{t(`dashboard.visibility_${d.scope.visibility}`)}</Tag>}
        </Flex>
      </Card>
      {q.isError && (
        <Alert type="error" showIcon title={t('errors.loadFailed')} description={q.error.message} />
      )}
      {q.isPending && <Skeleton active />}
      {d && (
        <Flex vertical gap={16} data-testid="compliance-dashboard">
          <Row gutter={[12, 12]}>
            {[
              {
                key: 'activities',
                title: t('dashboard.activities'),
                value: num(d.totals.activities, {}, 'total-activities'),
              },
              {
                key: 'share',
                title: t('dashboard.shareRecorded'),
                value: percent(d.totals.shareRecorded),
                sub: t('dashboard.recordedOf', {
                  recorded: String(d.totals.recorded),
                  requiring: String(d.totals.requiringRecording),
                }),
              },
              { key: 'coverage', title: t('dashboard.coverage'), value: percent(d.totals.coverage) },
              ...(['compliant', 'awaiting_explanation', 'non_compliant'] as const).map((v) => ({
                key: v,
                title: verdictName(v),
                value: num(d.totals.verdicts[v], { verdict: v }, `total-${v}`),
              })),
              {
                key: 'open',
                title: t('dashboard.openFindings'),
                value: <span>{d.totals.openFindings}</span>,
              },
            ].map((s) => (
              <Col key={s.key} flex="1 1 150px">
                <Card size="small">
                  <Statistic title={s.title} valueRender={() => s.value} />
                  {'sub' in s && s.sub && <span className="zl-meta">{s.sub}</span>}
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('dashboard.byTypeChart')}>
                {byTypeOption && (
                  <EChart
                    option={byTypeOption}
                    testId="chart-by-type"
                    onClick={(p) => {
                      const x = p.data as { type: string; verdict: VerdictKey };
                      openDrill({ type: x.type, verdict: x.verdict });
                    }}
                  />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('dashboard.verdictChart')}>
                {verdictOption && (
                  <EChart
                    option={verdictOption}
                    testId="chart-verdicts"
                    onClick={(p) => openDrill({ verdict: (p.data as { verdict: VerdictKey }).verdict })}
                  />
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('dashboard.findingsChart')}>
                {d.findings.byCode.some((c) => c.pending > 0) ? (
                  findingsOption && (
                    <EChart
                      option={findingsOption}
                      height={Math.max(220, 40 + 28 * d.findings.byCode.filter((c) => c.pending > 0).length)}
                      testId="chart-findings"
                      onClick={(p) => openDrill({ code: (p.data as { code: string }).code })}
                    />
                  )
                ) : (
                  <Typography.Text type="secondary">{t('dashboard.noOpenFindings')}</Typography.Text>
                )}
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t('dashboard.coverageChart')}>
                {coverageOption && (
                  <EChart
                    option={coverageOption}
                    testId="chart-coverage"
                    onClick={(p) =>
                      openDrill({ type: (p.data as { type: string }).type, recording: 'required' })
                    }
                  />
                )}
              </Card>
            </Col>
          </Row>
          <Card size="small" title={t('dashboard.byUnit')}>
            <Table
              size="small"
              rowKey={(r) => r.unitId ?? '-'}
              dataSource={d.byUnit}
              pagination={false}
              scroll={{ x: 'max-content' }}
              data-testid="by-unit"
              columns={[
                {
                  title: t('dashboard.unit'),
                  key: 'unit',
                  render: (_v, r) => r.unitName ?? t('dashboard.noUnit'),
                },
                ...metricColumns<(typeof d.byUnit)[number]>((r) =>
                  r.unitId ? { unit: r.unitId, unitOnly: true } : null,
                ),
              ]}
            />
          </Card>
          <Card size="small" title={t('dashboard.byOfficer')}>
            <Table
              size="small"
              rowKey="userId"
              dataSource={d.byOfficer}
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: 'max-content' }}
              data-testid="by-officer"
              columns={[
                {
                  title: t('dashboard.officer'),
                  key: 'officer',
                  render: (_v, r) => (
                    <Flex vertical>
                      <span>{r.name}</span>
                      <span className="zl-meta">
                        {[r.code, r.unitName].filter(Boolean).join(t('common.metaSeparator'))}
                      </span>
                    </Flex>
                  ),
                },
                ...metricColumns<(typeof d.byOfficer)[number]>((r) => ({ officer: r.userId })),
              ]}
            />
          </Card>
        </Flex>
      )}
      <Drawer
        open={!!f.drill}
        onClose={() => f.set({ drill: null, page: null })}
        size="large"
        title={t('dashboard.drillTitle', { what: drillTitle(), count: drill.data?.total ?? 0 })}
      >
        <Table<DrillActivity>
          size="small"
          rowKey="id"
          loading={drill.isFetching}
          dataSource={drill.data?.items ?? []}
          columns={drillColumns}
          data-testid="drill-activities"
          onRow={(a) => ({
            onClick: () => void navigate(`/activities/${a.id}`),
            style: { cursor: 'pointer' },
          })}
          pagination={{
            current: f.page,
            pageSize: DRILL_PAGE,
            total: drill.data?.total ?? 0,
            hideOnSinglePage: true,
            showSizeChanger: false,
            onChange: (p) => f.set({ page: String(p) }),
          }}
        />
      </Drawer>
    </>
  );
}
