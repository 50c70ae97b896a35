import { Button, Result } from 'antd';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { useMe } from '../lib/useMe';
import { FullPageSpin } from './FullPageSpin';

/** Only a logged-in user who has set their own password gets past here. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  const { t } = useTranslation();

  if (me.isPending) return <FullPageSpin />;
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    }
    return (
      <Result
        status="error"
        title={t('errors.loadFailed')}
        subTitle={me.error.message}
        extra={<Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>}
      />
    );
  }
  if (me.data.mustChangePassword) return <Navigate to="/change-password" replace />;
  // The server refuses everything else until a required second factor is set up.
  if (me.data.mfaRequired && !me.data.totpEnabled) return <Navigate to="/setup-mfa" replace />;
  return <Outlet />;
}
