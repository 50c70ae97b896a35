import { Card, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { roles as rolesApi } from '../api/endpoints';
import type { RolesMatrix } from '../api/types';
import { currentLang } from '../i18n';
import { useLabels } from '../lib/labels';

type PermissionRow = RolesMatrix['permissions'][number];

export default function RolesPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const q = useQuery({ queryKey: ['roles'], queryFn: rolesApi.matrix, staleTime: Infinity });
  const en = currentLang() === 'en';

  const columns: TableColumnsType<PermissionRow> = [
    {
      title: t('roles.permission'),
      key: 'permission',
      fixed: 'left',
      width: 240,
      render: (_, p) => (
        <>
          <div>{en ? p.en : p.zh}</div>
          <Typography.Text type="secondary" className="zl-mono" style={{ fontSize: 12 }}>
            {p.permission}
          </Typography.Text>
        </>
      ),
    },
    ...(q.data?.roles ?? []).map((r) => {
      const granted = new Set(r.permissions);
      return {
        title: labels.role(r.role),
        key: r.role,
        align: 'center' as const,
        width: 110,
        render: (_: unknown, p: PermissionRow) =>
          granted.has(p.permission) ? (
            <CheckOutlined style={{ color: '#389e0d', fontSize: 16 }} aria-label={t('roles.has')} />
          ) : null,
      };
    }),
  ];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('roles.title')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary">{t('roles.intro')}</Typography.Paragraph>
      <Table<PermissionRow>
        rowKey="permission"
        columns={columns}
        dataSource={q.data?.permissions}
        loading={q.isPending}
        pagination={false}
        size="small"
        bordered
        scroll={{ x: 'max-content' }}
        sticky
        locale={q.isError ? { emptyText: q.error.message } : undefined}
      />
    </Card>
  );
}
