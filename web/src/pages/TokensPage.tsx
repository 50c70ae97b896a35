import { useState } from 'react';
import { Button, Card, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { tokens as tokensApi } from '../api/endpoints';
import { CreateTokenModal } from '../components/CreateTokenModal';
import { TokenSecretModal } from '../components/TokenSecretModal';
import { TokenTable } from '../components/TokenTable';

export default function TokensPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['tokens'], queryFn: tokensApi.list });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('tokens.title')}
        </Typography.Title>
      }
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('tokens.intro')}</Typography.Paragraph>
      <TokenTable
        items={q.data}
        loading={q.isPending}
        showUser
        error={q.isError ? q.error.message : undefined}
      />
      {creating && (
        <CreateTokenModal
          pickUser
          onClose={() => setCreating(false)}
          onCreated={(value, name) => setSecret({ value, name })}
        />
      )}
      <TokenSecretModal secret={secret} onClose={() => setSecret(null)} />
    </Card>
  );
}
