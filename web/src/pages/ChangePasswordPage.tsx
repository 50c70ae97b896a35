import { Alert, Button, Card } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { Navigate, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { FullPageSpin } from '../components/FullPageSpin';
import { StandaloneShell } from '../components/StandaloneShell';
import { useLogout } from '../lib/useLogout';
import { ME_KEY, useMe } from '../lib/useMe';

/** The forced change after first login or a reset; nothing else is reachable until it is done. */
export default function ChangePasswordPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMe();
  const logout = useLogout();

  if (me.isPending) return <FullPageSpin />;
  if (me.isError) return <Navigate to="/login" replace />;
  if (!me.data.mustChangePassword) return <Navigate to="/" replace />;

  return (
    <StandaloneShell>
      <Card
        className="zl-login-card"
        style={{ maxWidth: 460 }}
        title={t('password.forcedTitle')}
        extra={
          <Button type="link" size="small" icon={<LogoutOutlined />} onClick={() => void logout()}>
            {t('header.logout')}
          </Button>
        }
      >
        <Alert type="info" showIcon title={t('password.forcedHint')} style={{ marginBottom: 16 }} />
        <ChangePasswordForm
          username={me.data.username}
          block
          onDone={async () => {
            await qc.invalidateQueries({ queryKey: ME_KEY });
            void navigate('/', { replace: true });
          }}
        />
      </Card>
    </StandaloneShell>
  );
}
