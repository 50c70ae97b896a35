import { useState } from 'react';
import { Button, Card, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { cases as casesApi } from '../api/registry';
import { CASE_STATUSES, PERM, type Case, type CaseStatus } from '../api/types';
import { CaseFormModal } from '../components/CaseFormModal';
import { CaseStatusTag } from '../components/RegistryTags';
import { formatRetention } from '../lib/format';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { useMe } from '../lib/useMe';

interface Filters {
  q?: string;
  status?: CaseStatus;
}

export default function CasesPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const manage = can(me, PERM.casesManage);
  const [filters, setFilters] = useState<Filters>({});
  const [creating, setCreating] = useState(false);
  const q = useQuery({ queryKey: ['cases', filters], queryFn: () => casesApi.list(filters) });

  const columns: TableColumnsType<Case> = [
    {
      title: t('cases.caseNumber'),
      dataIndex: 'caseNumber',
      key: 'number',
      fixed: 'left',
      render: (n: string, c) => <Link to={`/cases/${c.id}`}>{n}</Link>,
    },
    { title: t('cases.caseTitle'), dataIndex: 'title', key: 'title' },
    {
      title: t('cases.subject'),
      key: 'subject',
      render: (_, c) => <Link to={`/subjects/${c.subjectId}`}>{c.subjectName}</Link>,
    },
    { title: t('cases.status'), key: 'status', render: (_, c) => <CaseStatusTag status={c.status} /> },
    { title: t('cases.filedOn'), dataIndex: 'filedOn', key: 'filedOn', responsive: ['md'] },
    {
      title: t('cases.officers'),
      key: 'officers',
      responsive: ['lg'],
      render: (_, c) =>
        c.officers.map((o) => (
          <Tag key={o.userId} color={o.lead ? 'blue' : undefined}>
            {o.lead ? t('common.withNote', { main: o.name, note: t('cases.lead') }) : o.name}
          </Tag>
        )),
    },
    {
      title: t('cases.retention'),
      key: 'retention',
      responsive: ['xl'],
      render: (_, c) => formatRetention(c.retentionYears),
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cases.title')}
        </Typography.Title>
      }
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('cases.create')}
          </Button>
        )
      }
    >
      <Form<Filters>
        name="caseFilters"
        layout="inline"
        className="zl-filters"
        style={{ marginBottom: 8 }}
        onValuesChange={(_, all) => setFilters({ q: all.q?.trim() || undefined, status: all.status })}
      >
        <Form.Item name="q">
          <Input.Search
            allowClear
            placeholder={t('cases.searchPlaceholder')}
            style={{ width: 260 }}
            aria-label={t('common.search')}
          />
        </Form.Item>
        <Form.Item name="status">
          <Select
            allowClear
            placeholder={t('cases.allStatuses')}
            style={{ width: 140 }}
            options={CASE_STATUSES.map((s) => ({ value: s, label: labels.caseStatus(s) }))}
          />
        </Form.Item>
      </Form>
      <Table<Case>
        rowKey="id"
        columns={columns}
        dataSource={q.data}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? q.error.message : t('cases.empty') }}
      />
      {creating && (
        <CaseFormModal
          onClose={() => setCreating(false)}
          onCreated={(c) => void navigate(`/cases/${c.id}`)}
        />
      )}
    </Card>
  );
}
