import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { can } from '../lib/permissions';
import { useMe } from '../lib/useMe';

/** `permission`: one, or a list of which any will do. */
export function RequirePermission({
  permission,
  children,
}: {
  permission: string | readonly string[];
  children: ReactNode;
}) {
  const { data: me } = useMe();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const allowed = typeof permission === 'string' ? can(me, permission) : permission.some((p) => can(me, p));
  if (!allowed) {
    return (
      <Result
        status="403"
        title={t('errors.forbiddenTitle')}
        subTitle={t('errors.forbiddenText')}
        extra={
          <Button type="primary" onClick={() => void navigate('/')}>
            {t('errors.backHome')}
          </Button>
        }
      />
    );
  }
  return <>{children}</>;
}
