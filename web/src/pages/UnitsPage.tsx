import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { units as unitsApi, type UnitInput } from '../api/endpoints';
import { PERM, UNIT_KINDS, type Unit, type UnitKind } from '../api/types';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { buildUnitTree, subtreeIds, type UnitNode } from '../lib/unitTree';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

const KIND_COLOR: Record<UnitKind, string> = { brigade: 'geekblue', squadron: 'cyan', office: 'purple' };

/** Open state of the create/edit dialog: a unit to edit, or defaults for a new one. */
type Editing = { unit: Unit } | { parentId: string | null; kind: UnitKind };

interface FormValues {
  name: string;
  kind: UnitKind;
  parentId?: string;
  code?: string;
}

// Mounted only while open, so every opening starts from fresh initial values.
function UnitFormModal({ editing, all, onClose }: { editing: Editing; all: Unit[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const unit = 'unit' in editing ? editing.unit : undefined;

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const name = v.name.trim();
      const code = v.code?.trim() || null;
      const parentId = v.parentId ?? null;
      if (!unit) {
        // Absent rather than null: "no parent" and "no code" are the defaults.
        const input: UnitInput = { name, kind: v.kind };
        if (parentId) input.parentId = parentId;
        if (code) input.code = code;
        return unitsApi.create(input);
      }
      // Only what changed, so an untouched field is never rewritten.
      const patch: Partial<UnitInput> = {};
      if (name !== unit.name) patch.name = name;
      if (v.kind !== unit.kind) patch.kind = v.kind;
      if (parentId !== unit.parentId) patch.parentId = parentId;
      if (code !== unit.code) patch.code = code;
      return unitsApi.update(unit.id, patch);
    },
    onSuccess: () => {
      void message.success(unit ? t('units.updated') : t('units.created'));
      void qc.invalidateQueries({ queryKey: ['units'] });
      void qc.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          UNIT_NAME_TAKEN: 'name',
          UNIT_CYCLE: 'parentId',
          UNIT_NOT_FOUND: 'parentId',
        })
      )
        showError(err);
    },
  });

  const initial: Partial<FormValues> =
    'unit' in editing
      ? {
          name: editing.unit.name,
          kind: editing.unit.kind,
          parentId: editing.unit.parentId ?? undefined,
          code: editing.unit.code ?? undefined,
        }
      : { kind: editing.kind, parentId: editing.parentId ?? undefined };

  return (
    <Modal
      open
      title={unit ? t('units.editTitle') : t('units.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('units.name')}
          rules={[{ required: true, whitespace: true, message: t('units.nameRequired') }]}
        >
          <Input maxLength={100} autoFocus />
        </Form.Item>
        <Form.Item
          name="kind"
          label={t('units.kind')}
          rules={[{ required: true, message: t('units.kindRequired') }]}
        >
          <Select options={UNIT_KINDS.map((k) => ({ value: k, label: labels.unitKind(k) }))} />
        </Form.Item>
        <Form.Item name="parentId" label={t('units.parent')}>
          <UnitTreeSelect
            placeholder={t('units.noParent')}
            exclude={unit ? subtreeIds(all, unit.id) : undefined}
          />
        </Form.Item>
        <Form.Item name="code" label={t('units.code')}>
          <Input maxLength={50} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Sensible default kind for a new child: brigades contain squadrons. */
const childKind = (parent: Unit): UnitKind => (parent.kind === 'brigade' ? 'squadron' : 'office');

export default function UnitsPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const { data: me } = useMe();
  const manage = can(me, PERM.unitsManage);
  const q = useQuery({ queryKey: ['units'], queryFn: unitsApi.list });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());

  const all = useMemo(() => q.data ?? [], [q.data]);
  const tree = useMemo(() => buildUnitTree(all), [all]);
  // Expanded unless the user folded it, so new sub-units show up at once.
  const parents = useMemo(() => new Set(all.map((u) => u.parentId).filter((p): p is string => !!p)), [all]);
  const expanded = [...parents].filter((id) => !collapsed.has(id));

  const columns: TableColumnsType<UnitNode> = [
    { title: t('units.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('units.kind'),
      dataIndex: 'kind',
      key: 'kind',
      width: 100,
      render: (k: UnitKind) => <Tag color={KIND_COLOR[k]}>{labels.unitKind(k)}</Tag>,
    },
    {
      title: t('units.code'),
      dataIndex: 'code',
      key: 'code',
      width: 160,
      render: (c: string | null) => c ?? '',
    },
    {
      title: t('units.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      width: 180,
      responsive: ['md'],
      render: (v: number) => formatTime(v),
    },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 200,
      render: (_, u) => (
        <Space size={0} wrap>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ unit: u })}>
            {t('common.edit')}
          </Button>
          <Button
            type="link"
            size="small"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ parentId: u.id, kind: childKind(u) })}
          >
            {t('units.addChild')}
          </Button>
        </Space>
      ),
    });
  }

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('units.title')}
        </Typography.Title>
      }
      extra={
        manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ parentId: null, kind: 'brigade' })}
          >
            {t('units.create')}
          </Button>
        )
      }
    >
      {!manage && <Alert type="info" showIcon title={t('units.readOnly')} style={{ marginBottom: 16 }} />}
      <Table<UnitNode>
        rowKey="id"
        columns={columns}
        dataSource={tree}
        loading={q.isPending}
        pagination={false}
        size="middle"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: q.isError ? q.error.message : t('units.empty') }}
        expandable={{
          expandedRowKeys: expanded,
          onExpand: (open, u) =>
            setCollapsed((prev) => {
              const next = new Set(prev);
              if (open) next.delete(u.id);
              else next.add(u.id);
              return next;
            }),
        }}
      />
      {editing && <UnitFormModal editing={editing} all={all} onClose={() => setEditing(null)} />}
    </Card>
  );
}
