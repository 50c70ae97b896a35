import { App, Button, Popconfirm, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { StopOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { tokens as tokensApi } from '../api/endpoints';
import type { ApiToken } from '../api/types';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

function TokenStatus({ token, now }: { token: ApiToken; now: number }) {
  const { t } = useTranslation();
  if (token.revokedAt !== null)
    return (
      <Tag color="red" title={formatTime(token.revokedAt)}>
        {t('tokens.statusRevoked')}
      </Tag>
    );
  if (token.expiresAt !== null && token.expiresAt <= now) return <Tag>{t('tokens.statusExpired')}</Tag>;
  return <Tag color="green">{t('tokens.statusActive')}</Tag>;
}

export function ScopeTag({ scope }: { scope: ApiToken['scope'] }) {
  const { t } = useTranslation();
  return scope === 'station' ? (
    <Tag color="purple">{t('tokens.scopeStation')}</Tag>
  ) : (
    <Tag color="blue">{t('tokens.scopeApi')}</Tag>
  );
}

export function TokenTable({
  items,
  loading,
  showUser,
  error,
}: {
  items: ApiToken[] | undefined;
  loading: boolean;
  showUser: boolean;
  error?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const now = Date.now();
  const revoke = useMutation({
    mutationFn: (id: string) => tokensApi.revoke(id),
    onSuccess: () => {
      void message.success(t('tokens.revoked'));
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: showError,
  });

  const columns: TableColumnsType<ApiToken> = [
    ...(showUser ? [{ title: t('tokens.user'), dataIndex: 'username', key: 'username' }] : []),
    { title: t('tokens.name'), dataIndex: 'name', key: 'name' },
    {
      title: t('tokens.scope'),
      dataIndex: 'scope',
      key: 'scope',
      render: (s: ApiToken['scope']) => <ScopeTag scope={s} />,
    },
    {
      title: t('tokens.prefix'),
      dataIndex: 'prefix',
      key: 'prefix',
      render: (p: string) => <Typography.Text code>{p}…</Typography.Text>,
    },
    {
      title: t('tokens.createdAt'),
      dataIndex: 'createdAt',
      key: 'createdAt',
      render: (v: number) => formatTime(v),
    },
    {
      title: t('tokens.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      key: 'lastUsedAt',
      render: (v: number | null) => (v ? formatTime(v) : t('common.never')),
    },
    {
      title: t('tokens.expiresAt'),
      dataIndex: 'expiresAt',
      key: 'expiresAt',
      render: (v: number | null) => (v ? formatTime(v) : t('tokens.noExpiry')),
    },
    { title: t('tokens.status'), key: 'status', render: (_, tk) => <TokenStatus token={tk} now={now} /> },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, tk) =>
        tk.revokedAt === null && (
          <Popconfirm
            title={t('tokens.revoke')}
            description={t('tokens.revokeConfirm', { name: tk.name })}
            okButtonProps={{ danger: true }}
            onConfirm={() => revoke.mutate(tk.id)}
          >
            <Button type="link" size="small" danger icon={<StopOutlined />}>
              {t('tokens.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <Table<ApiToken>
      rowKey="id"
      columns={columns}
      dataSource={items}
      loading={loading}
      size="middle"
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: error ?? t('tokens.empty') }}
    />
  );
}
