import { useState } from 'react';
import { Button, Card, DatePicker, Form, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CheckOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { activities as activitiesApi } from '../api/registry';
import {
  ACTIVITY_STATUSES,
  ACTIVITY_TYPES,
  PERM,
  type Activity,
  type ActivityFilters,
  type ActivityStatus,
  type ActivityType,
} from '../api/types';
import { ActivityStatusTag, ExemptionStatusTag } from '../components/RegistryTags';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { formatTime, pickedToEpoch } from '../lib/time';
import { useMe } from '../lib/useMe';

interface FilterValues {
  scope: 'mine' | 'all';
  range?: [Dayjs | null, Dayjs | null] | null;
  status?: ActivityStatus;
  type?: ActivityType;
}

function toFilters(v: FilterValues): ActivityFilters {
  const [from, to] = v.range ?? [];
  return {
    mine: v.scope === 'mine' || undefined,
    from: from ? pickedToEpoch(from.startOf('day')) : undefined,
    to: to ? pickedToEpoch(to.endOf('day')) : undefined,
    status: v.status,
  };
}

export default function ActivitiesPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const [values, setValues] = useState<FilterValues>({ scope: 'mine' });
  const filters = toFilters(values);
  const q = useQuery({ queryKey: ['activities', filters], queryFn: () => activitiesApi.list(filters) });
  // The API filters by everything but the type; that is narrowed here.
  const rows = (q.data ?? []).filter((a) => !values.type || a.type === values.type);

  const columns: TableColumnsType<Activity> = [
    {
      title: t('activities.plannedAt'),
      key: 'time',
      render: (_, a) => <Link to={`/activities/${a.id}`}>{formatTime(a.arrivedAt ?? a.plannedAt)}</Link>,
    },
    {
      title: t('activities.type'),
      key: 'type',
      render: (_, a) => (
        <>
          <div>{labels.activityType(a.type)}</div>
          {a.title && <div className="zl-meta">{a.title}</div>}
        </>
      ),
    },
    {
      title: t('activities.subject'),
      key: 'subject',
      render: (_, a) => <Link to={`/subjects/${a.subjectId}`}>{a.subjectName}</Link>,
    },
    {
      title: t('activities.status'),
      key: 'status',
      render: (_, a) => (
        <Space size={4} wrap>
          <ActivityStatusTag status={a.status} />
          {a.exemption && <ExemptionStatusTag status={a.exemption.status} />}
        </Space>
      ),
    },
    {
      title: t('activities.officers'),
      key: 'officers',
      responsive: ['md'],
      render: (_, a) =>
        a.officers.map((o) => (
          <Tag key={o.userId} color={o.inCharge ? 'blue' : undefined}>
            {o.name}
          </Tag>
        )),
    },
    {
      title: t('activities.notified'),
      key: 'notified',
      responsive: ['lg'],
      render: (_, a) =>
        a.notifiedAt && <CheckOutlined style={{ color: '#389e0d' }} aria-label={t('notification.done')} />,
    },
    { title: t('activities.address'), dataIndex: 'address', key: 'address', responsive: ['xl'] },
    {
      title: t('activities.case'),
      key: 'case',
      responsive: ['xl'],
      render: (_, a) => a.caseId && <Link to={`/cases/${a.caseId}`}>{a.caseNumber}</Link>,
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('activities.title')}
        </Typography.Title>
      }
      extra={
        can(me, PERM.activitiesManage) && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/activities/new')}>
            {t('activities.create')}
          </Button>
        )
      }
    >
      <Form<FilterValues>
        name="activityFilters"
        layout="inline"
        className="zl-filters"
        style={{ marginBottom: 8 }}
        initialValues={values}
        onValuesChange={(_, all) => setValues(all)}
      >
        <Form.Item name="scope">
          <Segmented
            options={[
              { value: 'mine', label: t('activities.mine') },
              { value: 'all', label: t('activities.all') },
            ]}
          />
        </Form.Item>
        <Form.Item name="range">
          <DatePicker.RangePicker
            allowEmpty={[true, true]}
            placeholder={[t('audit.startTime'), t('audit.endTime')]}
          />
        </Form.Item>
        <Form.Item name="status">
          <Select
            allowClear
            placeholder={t('activities.allStatuses')}
            style={{ width: 130 }}
            options={ACTIVITY_STATUSES.map((s) => ({ value: s, label: labels.activityStatus(s) }))}
          />
        </Form.Item>
        <Form.Item name="type">
          <Select
            allowClear
            placeholder={t('activities.allTypes')}
            style={{ width: 200 }}
            options={ACTIVITY_TYPES.map((s) => ({ value: s, label: labels.activityType(s) }))}
          />
        </Form.Item>
      </Form>
      <Table<Activity>
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? q.error.message : t('activities.empty') }}
        onRow={(a) => ({ onDoubleClick: () => void navigate(`/activities/${a.id}`) })}
      />
    </Card>
  );
}
