import { useState } from 'react';
import {
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Row,
  Skeleton,
  Statistic,
  Table,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { FileExcelOutlined, FilePdfOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { reports as reportsApi } from '../api/registry';
import { DEVICE_STATUSES, type EquipmentReport } from '../api/types';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { currentLang } from '../i18n';
import { formatCny } from '../lib/format';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';

type Fleet = EquipmentReport['fleet']['byType'][number];

function Section<T extends object>({
  title,
  rows,
  columns,
  rowKey,
  empty,
}: {
  title: string;
  rows: T[];
  columns: TableColumnsType<T>;
  rowKey: keyof T & string;
  empty: string;
}) {
  return (
    <Card size="small" title={title}>
      <Table<T>
        rowKey={rowKey}
        columns={columns}
        dataSource={rows}
        size="small"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: empty }}
      />
    </Card>
  );
}

function Preview({ r }: { r: EquipmentReport }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const en = currentLang() === 'en';
  const typeName = (x: { typeNameZh: string; typeNameEn?: string }) =>
    en && x.typeNameEn ? x.typeNameEn : x.typeNameZh;
  const fleetColumns: TableColumnsType<Fleet> = [
    { title: t('report.type'), key: 'type', render: (_, x) => typeName(x) },
    ...DEVICE_STATUSES.map((s) => ({
      title: labels.deviceStatus(s),
      dataIndex: s,
      key: s,
      align: 'right' as const,
    })),
    { title: t('report.total'), dataIndex: 'total', key: 'total', align: 'right' },
  ];
  const money = (v: number | null) => formatCny(v);
  return (
    <Flex vertical gap={16}>
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('report.devices')} value={r.totals.devices} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('report.spending')} value={formatCny(r.totals.spendingCostCents)} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('report.lossesThefts')} value={r.totals.losses + r.totals.thefts} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('report.dueForReplacement')} value={r.totals.dueForReplacement} />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('report.summary')}>
        <Descriptions
          column={{ xs: 1, md: 2 }}
          size="small"
          items={[
            {
              key: 'p',
              label: t('report.purchases'),
              children: t('report.countMoney', {
                count: r.purchases.count,
                money: money(r.totals.purchaseCostCents),
              }),
            },
            {
              key: 'm',
              label: t('report.maintenance'),
              children: t('report.countMoney', {
                count: r.maintenance.count,
                money: money(r.totals.maintenanceCostCents),
              }),
            },
            {
              key: 'c',
              label: t('report.consumables'),
              children: t('report.countMoney', {
                count: r.consumables.count,
                money: money(r.totals.consumablesCostCents),
              }),
            },
            { key: 's', label: t('report.spendingTotal'), children: money(r.totals.spendingCostCents) },
            {
              key: 'l',
              label: t('report.losses'),
              children: t('report.lossesValue', {
                loss: String(r.totals.losses),
                theft: String(r.totals.thefts),
                found: String(r.losses.found),
              }),
            },
            { key: 'r', label: t('report.retirements'), children: r.totals.retirements },
            {
              key: 'd',
              label: t('report.dueForReplacement'),
              children: t('report.dueValue', {
                count: r.totals.dueForReplacement,
                money: money(r.dueForReplacement.estimatedCostCents),
              }),
            },
            { key: 'g', label: t('report.generatedAt'), children: formatTime(r.generatedAt) },
          ]}
        />
      </Card>
      <Card size="small" title={t('report.fleet')}>
        <Table<Fleet>
          rowKey="typeId"
          columns={fleetColumns}
          dataSource={r.fleet.byType}
          size="small"
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('report.none') }}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>{t('report.total')}</strong>
              </Table.Summary.Cell>
              {[...DEVICE_STATUSES, 'total' as const].map((s, i) => (
                <Table.Summary.Cell key={s} index={i + 1} align="right">
                  <strong>{r.fleet.totals[s]}</strong>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          )}
        />
      </Card>
      <Section
        title={t('report.purchases')}
        rows={r.purchases.items}
        rowKey="deviceId"
        empty={t('report.none')}
        columns={[
          { title: t('report.date'), dataIndex: 'purchaseDate', key: 'd' },
          { title: t('devices.serial'), dataIndex: 'serial', key: 's' },
          { title: t('report.type'), key: 't', render: (_, x) => x.typeNameZh },
          {
            title: t('devices.makerModel'),
            key: 'm',
            render: (_, x) => [x.maker, x.model].filter(Boolean).join(' '),
          },
          { title: t('report.amount'), dataIndex: 'costCents', key: 'c', align: 'right', render: money },
        ]}
      />
      <Section
        title={t('report.maintenance')}
        rows={r.maintenance.items}
        rowKey="eventId"
        empty={t('report.none')}
        columns={[
          { title: t('report.date'), dataIndex: 'occurredOn', key: 'd' },
          { title: t('devices.serial'), dataIndex: 'serial', key: 's' },
          { title: t('devices.description'), dataIndex: 'description', key: 'x' },
          { title: t('devices.vendor'), dataIndex: 'vendor', key: 'v' },
          { title: t('report.amount'), dataIndex: 'costCents', key: 'c', align: 'right', render: money },
        ]}
      />
      <Section
        title={t('report.consumables')}
        rows={r.consumables.byItem}
        rowKey="item"
        empty={t('report.none')}
        columns={[
          { title: t('devices.consumableItem'), key: 'i', render: (_, x) => labels.consumable(x.item) },
          { title: t('report.times'), dataIndex: 'count', key: 'n', align: 'right' },
          { title: t('devices.quantity'), dataIndex: 'quantity', key: 'q', align: 'right' },
          { title: t('report.amount'), dataIndex: 'costCents', key: 'c', align: 'right', render: money },
        ]}
      />
      <Section
        title={t('report.losses')}
        rows={r.losses.items}
        rowKey="eventId"
        empty={t('report.none')}
        columns={[
          { title: t('report.date'), dataIndex: 'occurredOn', key: 'd' },
          { title: t('devices.eventKind'), key: 'k', render: (_, x) => labels.deviceEvent(x.kind) },
          { title: t('devices.serial'), dataIndex: 'serial', key: 's' },
          { title: t('devices.holder'), dataIndex: 'holderName', key: 'h' },
          { title: t('devices.status'), key: 'st', render: (_, x) => labels.deviceStatus(x.status) },
          { title: t('devices.description'), dataIndex: 'description', key: 'x' },
        ]}
      />
      <Section
        title={t('report.retirements')}
        rows={r.retirements.items}
        rowKey="eventId"
        empty={t('report.none')}
        columns={[
          { title: t('report.date'), dataIndex: 'occurredOn', key: 'd' },
          { title: t('devices.serial'), dataIndex: 'serial', key: 's' },
          { title: t('devices.purchaseDate'), dataIndex: 'purchaseDate', key: 'p' },
          {
            title: t('report.originalValue'),
            dataIndex: 'purchaseCostCents',
            key: 'c',
            align: 'right',
            render: money,
          },
          { title: t('devices.description'), dataIndex: 'description', key: 'x' },
        ]}
      />
      <Section
        title={t('report.dueForReplacement')}
        rows={r.dueForReplacement.items}
        rowKey="deviceId"
        empty={t('report.none')}
        columns={[
          { title: t('devices.serial'), dataIndex: 'serial', key: 's' },
          { title: t('report.type'), dataIndex: 'typeNameZh', key: 't' },
          { title: t('devices.purchaseDate'), dataIndex: 'purchaseDate', key: 'p' },
          {
            title: t('report.serviceLife'),
            key: 'l',
            render: (_, x) => t('cases.yearsValue', { count: x.serviceLifeYears }),
          },
          { title: t('report.dueOn'), dataIndex: 'dueOn', key: 'd' },
          { title: t('devices.holder'), dataIndex: 'holderName', key: 'h' },
          {
            title: t('report.originalValue'),
            dataIndex: 'purchaseCostCents',
            key: 'c',
            align: 'right',
            render: money,
          },
        ]}
      />
      {r.dueForReplacement.undatedCount > 0 && (
        <Typography.Text type="secondary">
          {t('report.undated', { count: r.dueForReplacement.undatedCount })}
        </Typography.Text>
      )}
    </Flex>
  );
}

export default function EquipmentReportPage() {
  const { t } = useTranslation();
  const [year, setYear] = useState(() => dayjs().year());
  const [unitId, setUnitId] = useState<string | undefined>();
  const q = useQuery({
    queryKey: ['reports', 'equipment', year, unitId],
    queryFn: () => reportsApi.equipment(year, unitId),
  });
  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('report.title')}
        </Typography.Title>
      }
    >
      <Form name="reportFilters" layout="inline" className="zl-filters" style={{ marginBottom: 16 }}>
        <Form.Item label={t('report.year')}>
          <DatePicker
            picker="year"
            allowClear={false}
            value={dayjs().year(year)}
            onChange={(d: Dayjs | null) => d && setYear(d.year())}
          />
        </Form.Item>
        <Form.Item label={t('report.unit')}>
          <UnitTreeSelect
            value={unitId}
            onChange={setUnitId}
            placeholder={t('report.allUnits')}
            style={{ width: 220 }}
          />
        </Form.Item>
        <Form.Item>
          <Flex gap={8} wrap>
            <Button icon={<FilePdfOutlined />} href={reportsApi.equipmentUrl(year, 'pdf', unitId)} download>
              {t('report.downloadPdf')}
            </Button>
            <Button
              icon={<FileExcelOutlined />}
              href={reportsApi.equipmentUrl(year, 'xlsx', unitId)}
              download
            >
              {t('report.downloadXlsx')}
            </Button>
          </Flex>
        </Form.Item>
      </Form>
      <Typography.Paragraph type="secondary">{t('report.intro')}</Typography.Paragraph>
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : (
        <Preview r={q.data} />
      )}
    </Card>
  );
}
