import { Badge, Card, Col, Descriptions, Row, Skeleton, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { health } from '../api/endpoints';
import type { HealthComponent } from '../api/types';
import { RoleTags } from '../components/RoleTags';
import { TodoCard } from '../components/TodoCard';
import { hourNow, formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

function ComponentStatus({ c }: { c: HealthComponent }) {
  const { t } = useTranslation();
  return (
    <span>
      <Badge
        status={c.ok ? 'success' : 'error'}
        text={c.ok ? t('home.componentOk') : t('home.componentFailed')}
      />{' '}
      <Tag>{c.kind}</Tag>
      {c.detail && <Typography.Text type="secondary">{c.detail}</Typography.Text>}
    </span>
  );
}

function HealthCard() {
  const { t } = useTranslation();
  const h = useQuery({ queryKey: ['health'], queryFn: health, refetchInterval: 60_000 });
  return (
    <Card title={t('home.health')} data-testid="health-card">
      {h.isPending && <Skeleton active paragraph={{ rows: 2 }} />}
      {h.isError && <Typography.Text type="danger">{h.error.message}</Typography.Text>}
      {h.data && (
        <Descriptions
          column={1}
          size="small"
          items={[
            {
              key: 'status',
              label: t('home.overall'),
              children: (
                <Tag color={h.data.status === 'ok' ? 'success' : 'error'}>
                  {h.data.status === 'ok' ? t('home.healthOk') : t('home.healthDegraded')}
                </Tag>
              ),
            },
            { key: 'db', label: t('home.database'), children: <ComponentStatus c={h.data.database} /> },
            { key: 'storage', label: t('home.storage'), children: <ComponentStatus c={h.data.storage} /> },
            { key: 'version', label: t('home.version'), children: h.data.version },
          ]}
        />
      )}
    </Card>
  );
}

export default function HomePage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  if (!me) return null;
  const hour = hourNow();
  const greeting = hour < 12 ? 'home.morning' : hour < 18 ? 'home.afternoon' : 'home.evening';

  return (
    <>
      <Typography.Title level={3} className="zl-page-title">
        {t(greeting, { name: me.name })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('home.welcome')}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col span={24}>
          <TodoCard />
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('home.myAccount')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'username', label: t('users.username'), children: me.username },
                { key: 'code', label: t('users.code'), children: me.code },
                { key: 'roles', label: t('home.myRoles'), children: <RoleTags roles={me.roles} /> },
                { key: 'unit', label: t('home.myUnit'), children: me.unitName ?? t('home.noUnit') },
                {
                  key: 'last',
                  label: t('home.lastLogin'),
                  children: me.lastLoginAt ? formatTime(me.lastLoginAt) : t('common.never'),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <HealthCard />
        </Col>
      </Row>
    </>
  );
}
