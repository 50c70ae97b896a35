import { useState } from 'react';
import {
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined, ShoppingCartOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { consumables as consumablesApi, devices as devicesApi } from '../api/registry';
import {
  CONSUMABLE_ITEMS,
  DEVICE_STATUSES,
  PERM,
  type ConsumableItem,
  type Device,
  type DeviceFilters,
} from '../api/types';
import { DeviceFormModal, useDeviceTypes } from '../components/DeviceFormModal';
import { CheckResultTag, DeviceStatusTag } from '../components/RegistryTags';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { UserSelect } from '../components/UserSelect';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { toDay, yuanToCents } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

interface ConsumableValues {
  unitId?: string;
  occurredOn: Dayjs;
  item: ConsumableItem;
  quantity: number;
  costYuan: number;
  description: string;
  vendor?: string;
}

/** Batteries and memory cards bought for stock, not for one device (A23.1 budget). */
function StockConsumableModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<ConsumableValues>();
  const save = useMutation({
    mutationFn: (v: ConsumableValues) =>
      consumablesApi.buyForStock({
        unitId: v.unitId ?? null,
        occurredOn: toDay(v.occurredOn),
        item: v.item,
        quantity: v.quantity,
        costCents: yuanToCents(v.costYuan) ?? 0,
        description: v.description.trim(),
        vendor: v.vendor?.trim() || null,
      }),
    onSuccess: () => {
      void message.success(t('devices.consumableSaved'));
      void qc.invalidateQueries({ queryKey: ['reports'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('devices.stockConsumableTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<ConsumableValues>
        form={form}
        layout="vertical"
        initialValues={{ occurredOn: dayjs(), item: 'battery', quantity: 1 }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="item" label={t('devices.consumableItem')} rules={[{ required: true }]}>
          <Select options={CONSUMABLE_ITEMS.map((i) => ({ value: i, label: labels.consumable(i) }))} />
        </Form.Item>
        <Form.Item
          name="quantity"
          label={t('devices.quantity')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <InputNumber min={1} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="costYuan"
          label={t('devices.cost')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <InputNumber min={0} precision={2} suffix={t('common.yuan')} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="occurredOn"
          label={t('devices.purchasedOn')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="unitId" label={t('devices.unit')}>
          <UnitTreeSelect placeholder={t('devices.noUnit')} />
        </Form.Item>
        <Form.Item name="vendor" label={t('devices.vendor')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('devices.description')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Filters({ onChange }: { onChange: (f: DeviceFilters) => void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const types = useDeviceTypes();
  return (
    <Form<DeviceFilters>
      name="deviceFilters"
      layout="inline"
      className="zl-filters"
      style={{ marginBottom: 8 }}
      onValuesChange={(_, all) => onChange({ ...all, q: all.q?.trim() || undefined })}
    >
      <Form.Item name="q">
        <Input.Search
          allowClear
          placeholder={t('devices.searchPlaceholder')}
          style={{ width: 220 }}
          aria-label={t('common.search')}
        />
      </Form.Item>
      <Form.Item name="typeId">
        <Select
          allowClear
          placeholder={t('devices.allTypes')}
          style={{ width: 150 }}
          options={(types.data ?? []).map((ty) => ({ value: ty.id, label: labels.typeName(ty) }))}
        />
      </Form.Item>
      <Form.Item name="status">
        <Select
          allowClear
          placeholder={t('devices.allStatuses')}
          style={{ width: 120 }}
          options={DEVICE_STATUSES.map((s) => ({ value: s, label: labels.deviceStatus(s) }))}
        />
      </Form.Item>
      <Form.Item name="holderId">
        <UserSelect allowClear placeholder={t('devices.allHolders')} style={{ width: 180 }} />
      </Form.Item>
      <Form.Item name="unitId">
        <UnitTreeSelect placeholder={t('devices.allUnits')} style={{ width: 200 }} />
      </Form.Item>
    </Form>
  );
}

export default function DevicesPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const { data: me } = useMe();
  const manage = can(me, PERM.devicesManage);
  const [filters, setFilters] = useState<DeviceFilters>({});
  const [editing, setEditing] = useState<{ device?: Device } | null>(null);
  const [buying, setBuying] = useState(false);
  const q = useQuery({ queryKey: ['devices', filters], queryFn: () => devicesApi.list(filters) });

  const columns: TableColumnsType<Device> = [
    {
      title: t('devices.serial'),
      dataIndex: 'serial',
      key: 'serial',
      fixed: 'left',
      render: (s: string, d) => (
        <Link to={`/devices/${d.id}`} className="zl-mono">
          {s}
        </Link>
      ),
    },
    { title: t('devices.type'), key: 'type', render: (_, d) => labels.deviceType(d) },
    {
      title: t('devices.status'),
      key: 'status',
      render: (_, d) => (
        <Space size={4}>
          <DeviceStatusTag status={d.status} />
          {d.openCheckout?.overdue && <Tag color="red">{t('devices.overdue')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('devices.holder'),
      key: 'holder',
      render: (_, d) =>
        d.holderName ?? <Typography.Text type="secondary">{t('devices.noHolder')}</Typography.Text>,
    },
    {
      title: t('devices.lastCheck'),
      key: 'lastCheck',
      render: (_, d) => (d.lastCheck ? <CheckResultTag check={d.lastCheck} /> : null),
    },
    { title: t('devices.assetNumber'), dataIndex: 'assetNumber', key: 'assetNumber', responsive: ['md'] },
    {
      title: t('devices.makerModel'),
      key: 'model',
      responsive: ['lg'],
      render: (_, d) => [d.maker, d.model].filter(Boolean).join(' '),
    },
    { title: t('devices.unit'), dataIndex: 'unitName', key: 'unit', responsive: ['lg'] },
    {
      title: t('devices.registeredAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      responsive: ['xl'],
      render: (v: number) => formatTime(v),
    },
  ];
  if (manage)
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, d) => (
        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ device: d })}>
          {t('common.edit')}
        </Button>
      ),
    });

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('devices.title')}
        </Typography.Title>
      }
      extra={
        manage && (
          <Space wrap>
            <Button icon={<ShoppingCartOutlined />} onClick={() => setBuying(true)}>
              {t('devices.stockConsumable')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})}>
              {t('devices.create')}
            </Button>
          </Space>
        )
      }
    >
      <Filters onChange={setFilters} />
      <Table<Device>
        rowKey="id"
        columns={columns}
        dataSource={q.data}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? q.error.message : t('devices.empty') }}
      />
      {editing && <DeviceFormModal device={editing.device} onClose={() => setEditing(null)} />}
      {buying && <StockConsumableModal onClose={() => setBuying(false)} />}
    </Card>
  );
}
