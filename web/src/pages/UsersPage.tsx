import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, KeyOutlined, PlusOutlined, SafetyOutlined, UnlockOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { users as usersApi } from '../api/endpoints';
import { PERM, type Role, type User, type UserFilters } from '../api/types';
import { OneTimeSecretModal } from '../components/OneTimeSecretModal';
import { RoleSelect } from '../components/RoleSelect';
import { RoleTags } from '../components/RoleTags';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { UserStateTags } from '../components/UserStateTags';
import { applyFieldError } from '../lib/formErrors';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

interface FormValues {
  username: string;
  name: string;
  code: string;
  unitId?: string;
  roles: Role[];
  active: boolean;
}

type OneTime = { kind: 'created' | 'reset'; username: string; password: string };

// Mounted only while open, so every opening starts from fresh initial values.
function UserFormModal({
  user,
  onClose,
  onCreated,
}: {
  user?: User;
  onClose: () => void;
  onCreated: (username: string, password: string | undefined) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();

  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      if (user) {
        const unitId = v.unitId ?? null;
        await usersApi.update(user.id, {
          name: v.name.trim(),
          code: v.code.trim(),
          // Only when changed: an untouched unit is not rewritten.
          ...(unitId !== user.unitId ? { unitId } : {}),
          roles: v.roles,
          active: v.active,
        });
        return undefined;
      }
      return usersApi.create({
        username: v.username.trim(),
        name: v.name.trim(),
        code: v.code.trim(),
        ...(v.unitId ? { unitId: v.unitId } : {}),
        roles: v.roles,
      });
    },
    onSuccess: (created) => {
      void qc.invalidateQueries({ queryKey: ['users'] });
      void qc.invalidateQueries({ queryKey: ['me'] });
      if (created) onCreated(created.user.username, created.initialPassword);
      else void message.success(t('users.updated'));
      onClose();
    },
    onError: (err) => {
      // SELF_LOCKOUT may concern the roles or the active switch, so it stays a message.
      if (
        !applyFieldError(form, err, {
          USERNAME_TAKEN: 'username',
          USERNAME_INVALID: 'username',
          UNIT_NOT_FOUND: 'unitId',
        })
      )
        showError(err);
    },
  });

  return (
    <Modal
      open
      title={user ? t('users.editTitle') : t('users.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={
          user
            ? { ...user, unitId: user.unitId ?? undefined }
            : { roles: ['officer'] satisfies Role[], active: true }
        }
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="username"
          label={t('users.username')}
          rules={[
            { required: true, whitespace: true, message: t('users.usernameRequired') },
            { pattern: /^[A-Za-z0-9._-]+$/, message: t('users.usernamePattern') },
          ]}
        >
          <Input disabled={!!user} autoComplete="off" maxLength={64} />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('users.name')}
          rules={[{ required: true, whitespace: true, message: t('users.nameRequired') }]}
        >
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="code"
          label={t('users.code')}
          rules={[{ required: true, whitespace: true, message: t('users.codeRequired') }]}
        >
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item name="unitId" label={t('users.unit')}>
          <UnitTreeSelect placeholder={t('users.noUnit')} />
        </Form.Item>
        <Form.Item
          name="roles"
          label={t('users.roles')}
          rules={[{ required: true, type: 'array', min: 1, message: t('users.rolesRequired') }]}
        >
          <RoleSelect multiple />
        </Form.Item>
        {user && (
          <Form.Item name="active" label={t('users.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function Filters({ value, onChange }: { value: UserFilters; onChange: (f: UserFilters) => void }) {
  const { t } = useTranslation();
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <Input.Search
        allowClear
        placeholder={t('users.searchPlaceholder')}
        onSearch={(q) => onChange({ ...value, q: q.trim() || undefined })}
        style={{ width: 240 }}
        aria-label={t('common.search')}
      />
      <UnitTreeSelect
        value={value.unitId}
        onChange={(unitId) => onChange({ ...value, unitId })}
        placeholder={t('users.allUnits')}
        style={{ width: 220 }}
      />
      <RoleSelect
        value={value.role}
        onChange={(role) => onChange({ ...value, role: role as Role | undefined })}
        placeholder={t('users.allRoles')}
        allowClear
        style={{ width: 160 }}
      />
      <Select<'all' | 'true' | 'false'>
        value={value.active === undefined ? 'all' : value.active ? 'true' : 'false'}
        onChange={(v) => onChange({ ...value, active: v === 'all' ? undefined : v === 'true' })}
        options={[
          {
            value: 'all',
            label: t('common.labelValue', { label: t('users.activeFilter'), value: t('common.all') }),
          },
          { value: 'true', label: t('users.activeOnly') },
          { value: 'false', label: t('users.inactiveOnly') },
        ]}
        style={{ width: 160 }}
      />
    </Space>
  );
}

function useUserActions(onPassword: (o: OneTime) => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: ['users'] });
  return {
    resetPassword: useMutation({
      mutationFn: (u: User) => usersApi.resetPassword(u.id).then((r) => ({ u, r })),
      onSuccess: ({ u, r }) => {
        refresh();
        onPassword({ kind: 'reset', username: u.username, password: r.initialPassword });
      },
      onError: showError,
    }),
    unlock: useMutation({
      mutationFn: (u: User) => usersApi.unlock(u.id),
      onSuccess: () => {
        refresh();
        void message.success(t('users.unlocked'));
      },
      onError: showError,
    }),
    resetMfa: useMutation({
      mutationFn: (u: User) => usersApi.resetMfa(u.id),
      onSuccess: () => {
        refresh();
        void message.success(t('users.mfaReset'));
      },
      onError: showError,
    }),
  };
}

export default function UsersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const manage = can(me, PERM.usersManage);
  const [filters, setFilters] = useState<UserFilters>({});
  const [editing, setEditing] = useState<{ user?: User } | null>(null);
  const [oneTime, setOneTime] = useState<OneTime | null>(null);
  const q = useQuery({ queryKey: ['users', filters], queryFn: () => usersApi.list(filters) });
  const actions = useUserActions(setOneTime);
  const now = Date.now();

  const columns: TableColumnsType<User> = [
    { title: t('users.username'), dataIndex: 'username', key: 'username', fixed: 'left' },
    { title: t('users.name'), dataIndex: 'name', key: 'name' },
    { title: t('users.code'), dataIndex: 'code', key: 'code' },
    {
      title: t('users.unit'),
      dataIndex: 'unitName',
      key: 'unit',
      render: (v: string | null) =>
        v ?? <Typography.Text type="secondary">{t('users.noUnit')}</Typography.Text>,
    },
    {
      title: t('users.roles'),
      dataIndex: 'roles',
      key: 'roles',
      render: (r: Role[]) => <RoleTags roles={r} />,
    },
    { title: t('users.status'), key: 'status', render: (_, u) => <UserStateTags user={u} now={now} /> },
    {
      title: t('users.lastLoginAt'),
      dataIndex: 'lastLoginAt',
      key: 'lastLoginAt',
      responsive: ['lg'],
      render: (v: number | null) => (v ? formatTime(v) : t('common.never')),
    },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, u) => (
        <Space size={0} wrap>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ user: u })}>
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('users.resetPassword')}
            description={t('users.resetPasswordConfirm', { name: u.name })}
            onConfirm={() => actions.resetPassword.mutate(u)}
          >
            <Button type="link" size="small" icon={<KeyOutlined />}>
              {t('users.resetPassword')}
            </Button>
          </Popconfirm>
          {u.lockedUntil !== null && u.lockedUntil > now && (
            <Button
              type="link"
              size="small"
              icon={<UnlockOutlined />}
              onClick={() => actions.unlock.mutate(u)}
            >
              {t('users.unlock')}
            </Button>
          )}
          {u.totpEnabled && (
            <Popconfirm
              title={t('users.resetMfa')}
              description={t('users.resetMfaConfirm', { name: u.name })}
              onConfirm={() => actions.resetMfa.mutate(u)}
            >
              <Button type="link" size="small" icon={<SafetyOutlined />}>
                {t('users.resetMfa')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    });
  }

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('users.title')}
        </Typography.Title>
      }
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({})}>
            {t('users.create')}
          </Button>
        )
      }
    >
      {!manage && <Alert type="info" showIcon title={t('users.readOnly')} style={{ marginBottom: 16 }} />}
      <Filters value={filters} onChange={setFilters} />
      <Table<User>
        rowKey="id"
        columns={columns}
        dataSource={q.data}
        loading={q.isFetching}
        size="middle"
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        locale={q.isError ? { emptyText: q.error.message } : undefined}
      />
      {editing && (
        <UserFormModal
          user={editing.user}
          onClose={() => setEditing(null)}
          onCreated={(username, password) => {
            if (password) setOneTime({ kind: 'created', username, password });
            else void message.success(t('users.created'));
          }}
        />
      )}
      <OneTimeSecretModal
        open={oneTime !== null}
        title={oneTime?.kind === 'reset' ? t('users.resetPasswordTitle') : t('users.initialPasswordTitle')}
        text={
          oneTime
            ? oneTime.kind === 'reset'
              ? t('users.resetPasswordText', { username: oneTime.username })
              : t('users.initialPasswordText', { username: oneTime.username })
            : undefined
        }
        label={t('users.oneTimePassword')}
        secret={oneTime?.password ?? ''}
        warning={t('users.oneTimeWarning')}
        onClose={() => setOneTime(null)}
      />
    </Card>
  );
}
