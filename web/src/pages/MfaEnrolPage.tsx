import { Alert, App, Button, Card, Skeleton } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Navigate, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { auth } from '../api/endpoints';
import { FullPageSpin } from '../components/FullPageSpin';
import { StandaloneShell } from '../components/StandaloneShell';
import { SetupSteps } from '../components/TotpCard';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useLogout } from '../lib/useLogout';
import { ME_KEY, useMe } from '../lib/useMe';

/** Forced TOTP enrolment when the security policy requires it for one of my roles. */
export default function MfaEnrolPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const showError = useErrorMessage();
  const logout = useLogout();
  const me = useMe();
  const needed = !!me.data && me.data.mfaRequired && !me.data.totpEnabled && !me.data.mustChangePassword;
  const setup = useMutation({ mutationFn: auth.totpSetup, onError: showError });
  const { mutate } = setup;
  // One set-up per visit: each call replaces the pending secret on the server.
  const started = useRef(false);

  useEffect(() => {
    if (needed && !started.current) {
      started.current = true;
      mutate();
    }
  }, [needed, mutate]);

  if (me.isPending) return <FullPageSpin />;
  if (me.isError) return <Navigate to="/login" replace />;
  if (me.data.mustChangePassword) return <Navigate to="/change-password" replace />;
  if (!needed) return <Navigate to="/" replace />;

  return (
    <StandaloneShell>
      <Card
        className="zl-login-card"
        style={{ maxWidth: 520 }}
        title={t('mfaEnrol.title')}
        extra={
          <Button type="link" size="small" icon={<LogoutOutlined />} onClick={() => void logout()}>
            {t('header.logout')}
          </Button>
        }
      >
        <Alert type="info" showIcon title={t('mfaEnrol.hint')} style={{ marginBottom: 16 }} />
        {setup.data ? (
          <SetupSteps
            setup={setup.data}
            onDone={async () => {
              void message.success(t('profile.mfaEnabled'));
              await qc.invalidateQueries({ queryKey: ME_KEY });
              void navigate('/', { replace: true });
            }}
          />
        ) : (
          <Skeleton active />
        )}
      </Card>
    </StandaloneShell>
  );
}
