import { useState } from 'react';
import { Button, Card, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { subjects as subjectsApi } from '../api/registry';
import { PERM, SUBJECT_TYPES, type Subject, type SubjectType } from '../api/types';
import { SubjectFormModal } from '../components/SubjectFormModal';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

interface Filters {
  q?: string;
  type?: SubjectType;
}

export default function SubjectsPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const manage = can(me, PERM.subjectsManage);
  const [filters, setFilters] = useState<Filters>({});
  const [editing, setEditing] = useState<{ subject?: Subject } | null>(null);
  const q = useQuery({ queryKey: ['subjects', filters], queryFn: () => subjectsApi.list(filters) });

  const columns: TableColumnsType<Subject> = [
    {
      title: t('subjects.name'),
      dataIndex: 'name',
      key: 'name',
      fixed: 'left',
      render: (n: string, s) => <Link to={`/subjects/${s.id}`}>{n}</Link>,
    },
    { title: t('subjects.type'), key: 'type', render: (_, s) => <Tag>{labels.subjectType(s.type)}</Tag> },
    {
      title: t('subjects.code'),
      key: 'code',
      render: (_, s) => <span className="zl-mono">{s.creditCode ?? s.idNumber}</span>,
    },
    {
      title: t('subjects.legalRepresentative'),
      dataIndex: 'legalRepresentative',
      key: 'rep',
      responsive: ['md'],
    },
    { title: t('subjects.address'), dataIndex: 'address', key: 'address', responsive: ['lg'] },
    { title: t('subjects.contact'), dataIndex: 'contact', key: 'contact', responsive: ['lg'] },
    {
      title: t('subjects.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      responsive: ['xl'],
      render: (v: number) => formatTime(v),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, s) => (
        <>
          <Button type="link" size="small" onClick={() => void navigate(`/subjects/${s.id}`)}>
            {t('subjects.dossier')}
          </Button>
          {manage && (
            <Button
              type="link"
              size="small"
              icon={<EditOutlined />}
              onClick={() => setEditing({ subject: s })}
            >
              {t('common.edit')}
            </Button>
          )}
        </>
      ),
    },
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('subjects.title')}
        </Typography.Title>
      }
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})}>
            {t('subjects.create')}
          </Button>
        )
      }
    >
      <Form<Filters>
        name="subjectFilters"
        layout="inline"
        className="zl-filters"
        style={{ marginBottom: 8 }}
        onValuesChange={(_, all) => setFilters({ q: all.q?.trim() || undefined, type: all.type })}
      >
        <Form.Item name="q">
          <Input.Search
            allowClear
            placeholder={t('subjects.searchPlaceholder')}
            style={{ width: 260 }}
            aria-label={t('common.search')}
          />
        </Form.Item>
        <Form.Item name="type">
          <Select
            allowClear
            placeholder={t('subjects.allTypes')}
            style={{ width: 180 }}
            options={SUBJECT_TYPES.map((s) => ({ value: s, label: labels.subjectType(s) }))}
          />
        </Form.Item>
      </Form>
      <Table<Subject>
        rowKey="id"
        columns={columns}
        dataSource={q.data}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? q.error.message : t('subjects.empty') }}
      />
      {editing && (
        <SubjectFormModal
          subject={editing.subject}
          onClose={() => setEditing(null)}
          onSaved={(s) => !editing.subject && void navigate(`/subjects/${s.id}`)}
        />
      )}
    </Card>
  );
}
