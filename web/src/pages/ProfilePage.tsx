import { useState } from 'react';
import { Button, Card, Col, Descriptions, Row, Space, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { tokens as tokensApi } from '../api/endpoints';
import type { Me } from '../api/types';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { CreateTokenModal } from '../components/CreateTokenModal';
import { RoleTags } from '../components/RoleTags';
import { TokenSecretModal } from '../components/TokenSecretModal';
import { TokenTable } from '../components/TokenTable';
import { TotpCard } from '../components/TotpCard';
import { PERM } from '../api/types';
import { can } from '../lib/permissions';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

function DetailsCard({ me }: { me: Me }) {
  const { t } = useTranslation();
  return (
    <Card title={t('profile.details')}>
      <Descriptions
        column={1}
        size="small"
        items={[
          { key: 'username', label: t('users.username'), children: me.username },
          { key: 'name', label: t('users.name'), children: me.name },
          { key: 'code', label: t('users.code'), children: me.code },
          { key: 'unit', label: t('users.unit'), children: me.unitName ?? t('home.noUnit') },
          { key: 'roles', label: t('users.roles'), children: <RoleTags roles={me.roles} /> },
          {
            key: 'last',
            label: t('users.lastLoginAt'),
            children: me.lastLoginAt ? formatTime(me.lastLoginAt) : t('common.never'),
          },
          { key: 'created', label: t('profile.createdAt'), children: formatTime(me.createdAt) },
        ]}
      />
    </Card>
  );
}

/** Tokens of my own (scope api). An administrator's list holds everyone's, so filter to mine. */
function MyTokensCard({ me }: { me: Me }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['tokens'], queryFn: tokensApi.list });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const mine = q.data?.filter((tk) => tk.userId === me.id);
  return (
    <Card
      title={t('tokens.mine')}
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('tokens.mineIntro')}</Typography.Paragraph>
      <TokenTable
        items={mine}
        loading={q.isPending}
        showUser={false}
        error={q.isError ? q.error.message : undefined}
      />
      {creating && (
        <CreateTokenModal
          pickUser={false}
          onClose={() => setCreating(false)}
          onCreated={(value, name) => setSecret({ value, name })}
        />
      )}
      <TokenSecretModal secret={secret} onClose={() => setSecret(null)} />
    </Card>
  );
}

export default function ProfilePage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  if (!me) return null;
  return (
    <>
      <Typography.Title level={3} className="zl-page-title">
        {t('profile.title')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <DetailsCard me={me} />
            <TotpCard me={me} />
          </Space>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('password.changeTitle')}>
            <ChangePasswordForm username={me.username} onDone={() => undefined} />
          </Card>
        </Col>
        {(can(me, PERM.tokensOwn) || can(me, PERM.tokensManage)) && (
          <Col xs={24}>
            <MyTokensCard me={me} />
          </Col>
        )}
      </Row>
    </>
  );
}
