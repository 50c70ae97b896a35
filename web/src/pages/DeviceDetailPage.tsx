import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Result,
  Row,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import {
  CheckCircleOutlined,
  EditOutlined,
  SafetyCertificateOutlined,
  SwapOutlined,
  ToolOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { devices as devicesApi } from '../api/registry';
import {
  CONSUMABLE_ITEMS,
  PERM,
  type Checkout,
  type ConsumableItem,
  type DeviceCheck,
  type DeviceDetail,
  type DeviceEvent,
  type DeviceEventKind,
} from '../api/types';
import { DeviceFormModal } from '../components/DeviceFormModal';
import { PageHeader } from '../components/PageHeader';
import { CheckResultTag, DeviceStatusTag } from '../components/RegistryTags';
import { UserSelect } from '../components/UserSelect';
import { formatCny, formatOffset, formatStorage } from '../lib/format';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { deviceEventsFor, toDay, yuanToCents } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

const DASH = '—';

function HolderModal({ device, onClose }: { device: DeviceDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ holderId?: string; reason: string }>();
  const save = useMutation({
    mutationFn: (v: { holderId?: string; reason: string }) =>
      devicesApi.changeHolder(device.id, v.holderId ?? null, v.reason.trim()),
    onSuccess: () => {
      void message.success(t('devices.holderChanged'));
      void qc.invalidateQueries({ queryKey: ['devices'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('devices.changeHolderTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Typography.Paragraph type="secondary">{t('devices.changeHolderHint')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ holderId: device.holderId ?? undefined }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="holderId" label={t('devices.newHolder')}>
          <UserSelect allowClear placeholder={t('devices.noHolder')} />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('devices.reason')}
          rules={[{ required: true, whitespace: true, message: t('devices.reasonRequired') }]}
        >
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface EventValues {
  kind: DeviceEventKind;
  occurredOn: Dayjs;
  description: string;
  item?: ConsumableItem;
  quantity?: number;
  costYuan?: number | null;
  vendor?: string;
}

const COSTED: DeviceEventKind[] = ['maintenance', 'consumable', 'retirement'];

function EventModal({
  device,
  kinds,
  initialKind,
  onClose,
}: {
  device: DeviceDetail;
  kinds: DeviceEventKind[];
  initialKind: DeviceEventKind;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<EventValues>();
  const kind = Form.useWatch('kind', form) ?? initialKind;
  const save = useMutation({
    mutationFn: (v: EventValues) =>
      devicesApi.addEvent(device.id, {
        kind: v.kind,
        occurredOn: toDay(v.occurredOn),
        description: v.description.trim(),
        ...(v.kind === 'consumable' ? { item: v.item ?? 'other', quantity: v.quantity ?? 1 } : {}),
        ...(COSTED.includes(v.kind) ? { costCents: yuanToCents(v.costYuan) } : {}),
        ...(v.vendor?.trim() ? { vendor: v.vendor.trim() } : {}),
      }),
    onSuccess: () => {
      void message.success(t('devices.eventSaved'));
      void qc.invalidateQueries({ queryKey: ['devices'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('devices.eventTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<EventValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: initialKind, occurredOn: dayjs(), item: 'battery', quantity: 1 }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="kind" label={t('devices.eventKind')} rules={[{ required: true }]}>
          <Select options={kinds.map((k) => ({ value: k, label: labels.deviceEvent(k) }))} />
        </Form.Item>
        {(kind === 'loss' || kind === 'theft') && (
          <Typography.Paragraph type="warning">{t('devices.lossHint')}</Typography.Paragraph>
        )}
        {kind === 'retirement' && (
          <Typography.Paragraph type="warning">{t('devices.retireHint')}</Typography.Paragraph>
        )}
        <Form.Item
          name="occurredOn"
          label={t('devices.occurredOn')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        {kind === 'consumable' && (
          <Space.Compact block>
            <Form.Item name="item" label={t('devices.consumableItem')} style={{ flex: 1 }}>
              <Select options={CONSUMABLE_ITEMS.map((i) => ({ value: i, label: labels.consumable(i) }))} />
            </Form.Item>
            <Form.Item name="quantity" label={t('devices.quantity')} style={{ width: 120 }}>
              <InputNumber min={1} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Space.Compact>
        )}
        {COSTED.includes(kind) && (
          <Form.Item name="costYuan" label={t('devices.cost')}>
            <InputNumber min={0} precision={2} suffix={t('common.yuan')} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {(kind === 'maintenance' || kind === 'consumable') && (
          <Form.Item name="vendor" label={t('devices.vendor')}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        <Form.Item
          name="description"
          label={t('devices.description')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function useCheckColumns(): TableColumnsType<DeviceCheck> {
  const { t } = useTranslation();
  const labels = useLabels();
  return [
    { title: t('check.checkedAt'), dataIndex: 'checkedAt', key: 'at', render: (v: number) => formatTime(v) },
    { title: t('check.officer'), dataIndex: 'officerName', key: 'officer' },
    {
      title: t('check.result'),
      key: 'result',
      render: (_, c) => (
        <>
          <CheckResultTag check={c} />
          {c.failures.map((f) => (
            <div key={f} style={{ color: '#cf1322', fontSize: 12 }}>
              {labels.checkFailure(f)}
            </div>
          ))}
        </>
      ),
    },
    {
      title: t('check.offset'),
      key: 'offset',
      render: (_, c) => (
        <span
          style={{
            color: c.failures.includes('CLOCK_OFFSET') ? '#cf1322' : undefined,
            fontVariantNumeric: 'tabular-nums',
          }}
        >
          {formatOffset(c.offsetMs)}
        </span>
      ),
    },
    {
      title: t('check.battery'),
      dataIndex: 'batteryPercent',
      key: 'battery',
      render: (v: number) => `${v}%`,
    },
    {
      title: t('check.storage'),
      dataIndex: 'freeStorageMb',
      key: 'storage',
      render: (v: number) => formatStorage(v),
    },
    {
      title: t('check.deviceTime'),
      dataIndex: 'deviceTime',
      key: 'deviceTime',
      responsive: ['md'],
      render: (v: number) => formatTime(v),
    },
  ];
}

function useCheckoutColumns(): TableColumnsType<Checkout> {
  const { t } = useTranslation();
  return [
    { title: t('checkout.officer'), dataIndex: 'officerName', key: 'officer' },
    {
      title: t('checkout.checkedOutAt'),
      dataIndex: 'checkedOutAt',
      key: 'out',
      render: (v: number) => formatTime(v),
    },
    { title: t('checkout.dueAt'), dataIndex: 'dueAt', key: 'due', render: (v: number) => formatTime(v) },
    {
      title: t('checkout.checkedInAt'),
      key: 'in',
      render: (_, c) =>
        c.checkedInAt ? (
          formatTime(c.checkedInAt)
        ) : (
          <Tag color={c.overdue ? 'red' : 'blue'}>
            {c.overdue ? t('devices.overdue') : t('checkout.open')}
          </Tag>
        ),
    },
    {
      title: t('checkout.remoteWork'),
      key: 'remote',
      render: (_, c) =>
        c.remoteWork
          ? c.returnedAt
            ? t('checkout.returnedAtValue', { time: formatTime(c.returnedAt) })
            : t('common.yes')
          : '',
    },
    {
      title: t('checkout.activity'),
      key: 'activity',
      render: (_, c) => c.activityId && <Link to={`/activities/${c.activityId}`}>{t('common.view')}</Link>,
    },
    {
      title: t('checkout.notes'),
      key: 'notes',
      responsive: ['lg'],
      render: (_, c) => (
        <>
          {c.reassignedBy && <Tag color="orange">{t('checkout.reassigned')}</Tag>}
          {c.notes}
        </>
      ),
    },
  ];
}

function useEventColumns(): TableColumnsType<DeviceEvent> {
  const { t } = useTranslation();
  const labels = useLabels();
  return [
    { title: t('devices.occurredOn'), dataIndex: 'occurredOn', key: 'on' },
    {
      title: t('devices.eventKind'),
      key: 'kind',
      render: (_, e) => (
        <Tag
          color={e.kind === 'loss' || e.kind === 'theft' ? 'red' : e.kind === 'found' ? 'green' : undefined}
        >
          {labels.deviceEvent(e.kind)}
        </Tag>
      ),
    },
    {
      title: t('devices.description'),
      key: 'desc',
      render: (_, e) => (
        <>
          {e.item && (
            <div>
              {t('devices.itemQuantity', { item: labels.consumable(e.item), count: e.quantity ?? 1 })}
            </div>
          )}
          {e.description}
        </>
      ),
    },
    {
      title: t('devices.cost'),
      dataIndex: 'costCents',
      key: 'cost',
      render: (v: number | null) => formatCny(v),
    },
    { title: t('devices.vendor'), dataIndex: 'vendor', key: 'vendor', responsive: ['md'] },
    { title: t('devices.recordedBy'), dataIndex: 'recordedByName', key: 'by', responsive: ['md'] },
  ];
}

export default function DeviceDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const manage = can(me, PERM.devicesManage);
  const q = useQuery({ queryKey: ['devices', 'detail', id], queryFn: () => devicesApi.get(id) });
  const [editing, setEditing] = useState(false);
  const [holder, setHolder] = useState(false);
  const [event, setEvent] = useState<{ kinds: DeviceEventKind[]; initial: DeviceEventKind } | null>(null);
  const checkColumns = useCheckColumns();
  const checkoutColumns = useCheckoutColumns();
  const eventColumns = useEventColumns();
  const workshop = useMutation({
    mutationFn: (status: 'in_stock' | 'maintenance') => devicesApi.update(id, { status }),
    onSuccess: () => {
      void message.success(t('devices.updated'));
      void qc.invalidateQueries({ queryKey: ['devices'] });
    },
    onError: showError,
  });

  if (q.isPending) return <Skeleton active />;
  if (q.isError) return <Result status="error" title={t('errors.loadFailed')} subTitle={q.error.message} />;
  const d = q.data;
  const mine = d.holderId === me?.id && can(me, PERM.checkoutsOwn);
  const active = d.status !== 'retired';
  const possible = deviceEventsFor(d.status);
  const reportKinds: DeviceEventKind[] = manage
    ? possible
    : mine
      ? possible.filter((k) => k === 'loss' || k === 'theft')
      : [];

  return (
    <>
      <PageHeader
        back={manage || !mine ? '/devices' : '/my-devices'}
        title={<span className="zl-mono">{d.serial}</span>}
        tags={
          <>
            <Tag>{labels.deviceType(d)}</Tag>
            <DeviceStatusTag status={d.status} />
            {d.openCheckout?.overdue && <Tag color="red">{t('devices.overdue')}</Tag>}
          </>
        }
        extra={
          <>
            {mine && active && d.status !== 'lost' && (
              <Link to={`/my-devices/${d.id}/check`}>
                <Button type="primary" icon={<SafetyCertificateOutlined />}>
                  {t('myDevices.check')}
                </Button>
              </Link>
            )}
            {manage && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            )}
            {manage && active && (
              <Button icon={<SwapOutlined />} onClick={() => setHolder(true)}>
                {t('devices.changeHolder')}
              </Button>
            )}
            {manage && d.status === 'in_stock' && (
              <Popconfirm
                title={t('devices.toMaintenanceConfirm')}
                onConfirm={() => workshop.mutate('maintenance')}
              >
                <Button icon={<ToolOutlined />}>{t('devices.toMaintenance')}</Button>
              </Popconfirm>
            )}
            {manage && d.status === 'maintenance' && (
              <Button icon={<CheckCircleOutlined />} onClick={() => workshop.mutate('in_stock')}>
                {t('devices.backInStock')}
              </Button>
            )}
            {active && reportKinds.length > 0 && (
              <Button
                danger={!manage}
                icon={manage ? <EditOutlined /> : <WarningOutlined />}
                onClick={() => setEvent({ kinds: reportKinds, initial: reportKinds[0]! })}
              >
                {manage ? t('devices.addEvent') : t('devices.reportLoss')}
              </Button>
            )}
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('devices.info')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'type', label: t('devices.type'), children: labels.deviceType(d) },
                { key: 'asset', label: t('devices.assetNumber'), children: d.assetNumber ?? DASH },
                { key: 'maker', label: t('devices.maker'), children: d.maker ?? DASH },
                { key: 'model', label: t('devices.model'), children: d.model ?? DASH },
                { key: 'unit', label: t('devices.unit'), children: d.unitName ?? DASH },
                { key: 'date', label: t('devices.purchaseDate'), children: d.purchaseDate ?? DASH },
                {
                  key: 'cost',
                  label: t('devices.purchaseCost'),
                  children: formatCny(d.purchaseCostCents) || DASH,
                },
                { key: 'notes', label: t('devices.notes'), children: d.notes ?? DASH },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('devices.custody')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                {
                  key: 'holder',
                  label: t('devices.holder'),
                  children: d.holderName ?? (
                    <Typography.Text type="secondary">{t('devices.noHolder')}</Typography.Text>
                  ),
                },
                {
                  key: 'out',
                  label: t('devices.openCheckout'),
                  children: d.openCheckout
                    ? t('devices.openCheckoutValue', {
                        officer: d.openCheckout.officerName,
                        from: formatTime(d.openCheckout.checkedOutAt),
                        due: formatTime(d.openCheckout.dueAt),
                      })
                    : t('devices.notOut'),
                },
                {
                  key: 'check',
                  label: t('devices.lastCheck'),
                  children: d.lastCheck ? (
                    <Space wrap size={4}>
                      <CheckResultTag check={d.lastCheck} withReasons />
                      <span>{formatTime(d.lastCheck.checkedAt)}</span>
                      <span>{t('check.offsetValue', { offset: formatOffset(d.lastCheck.offsetMs) })}</span>
                    </Space>
                  ) : (
                    t('devices.neverChecked')
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t('devices.checks')}>
            <Table<DeviceCheck>
              rowKey="id"
              columns={checkColumns}
              dataSource={d.checks}
              size="small"
              scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: t('devices.noChecks') }}
            />
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t('devices.checkouts')}>
            <Table<Checkout>
              rowKey="id"
              columns={checkoutColumns}
              dataSource={d.checkouts}
              size="small"
              scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: t('devices.noCheckouts') }}
            />
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t('devices.events')}>
            <Table<DeviceEvent>
              rowKey="id"
              columns={eventColumns}
              dataSource={d.events}
              size="small"
              scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
              locale={{ emptyText: t('devices.noEvents') }}
            />
          </Card>
        </Col>
      </Row>
      {editing && <DeviceFormModal device={d} onClose={() => setEditing(false)} />}
      {holder && <HolderModal device={d} onClose={() => setHolder(false)} />}
      {event && (
        <EventModal
          device={d}
          kinds={event.kinds}
          initialKind={event.initial}
          onClose={() => setEvent(null)}
        />
      )}
    </>
  );
}
