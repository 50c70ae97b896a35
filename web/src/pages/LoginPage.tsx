import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { auth } from '../api/endpoints';
import type { Me } from '../api/types';
import { StandaloneShell } from '../components/StandaloneShell';
import { ME_KEY } from '../lib/useMe';
import { formatTime } from '../lib/time';

interface Credentials {
  username: string;
  password: string;
}

function useErrorText() {
  const { t } = useTranslation();
  return (err: unknown): string => {
    if (!isApiError(err)) return err instanceof Error ? err.message : t('errors.loadFailed');
    const retry = err.details.retryAfterSeconds;
    if (err.code === 'ACCOUNT_LOCKED' && typeof retry === 'number') {
      return `${err.message} ${t('login.lockedUntil', {
        time: formatTime(Date.now() + retry * 1000),
        minutes: String(Math.max(1, Math.ceil(retry / 60))),
      })}`;
    }
    return err.message;
  };
}

export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const [step, setStep] = useState<'password' | 'mfa'>('password');
  const [error, setError] = useState<string>();

  const from = (location.state as { from?: string } | null)?.from;
  const enter = (user: Me) => {
    qc.clear();
    qc.setQueryData(ME_KEY, user);
    const target = user.mustChangePassword ? '/change-password' : from && from !== '/login' ? from : '/';
    void navigate(target, { replace: true });
  };

  const login = useMutation({
    mutationFn: (c: Credentials) => auth.login(c.username.trim(), c.password),
    onMutate: () => setError(undefined),
    onSuccess: (r) => {
      if (r.mfaRequired) setStep('mfa');
      else if (r.user) enter(r.user);
    },
    onError: (err) => setError(errorText(err)),
  });

  const mfa = useMutation({
    mutationFn: (code: string) => auth.mfa(code),
    onMutate: () => setError(undefined),
    onSuccess: (r) => enter(r.user),
    onError: (err) => {
      setError(errorText(err));
      // The challenge cookie is short-lived; once it is gone the password is needed again.
      if (isApiError(err) && err.code !== 'MFA_INVALID') setStep('password');
    },
  });

  return (
    <StandaloneShell footer={t('login.footer')}>
      <Card className="zl-login-card" title={step === 'password' ? t('login.title') : t('login.mfaTitle')}>
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />
        )}
        {step === 'password' ? (
          <Form<Credentials>
            layout="vertical"
            requiredMark={false}
            onFinish={(v) => login.mutate(v)}
            size="large"
          >
            <Form.Item
              name="username"
              label={t('login.username')}
              rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('login.password')}
              rules={[{ required: true, message: t('login.passwordRequired') }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={login.isPending}>
              {t('login.submit')}
            </Button>
          </Form>
        ) : (
          <Form<{ code: string }>
            layout="vertical"
            requiredMark={false}
            onFinish={(v) => mfa.mutate(v.code)}
            size="large"
          >
            <Typography.Paragraph type="secondary">
              <SafetyOutlined /> {t('login.mfaHint')}
            </Typography.Paragraph>
            <Form.Item
              name="code"
              label={t('login.mfaCode')}
              rules={[{ required: true, len: 6, message: t('login.mfaCodeRequired') }]}
            >
              <Input.OTP length={6} autoFocus />
            </Form.Item>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Button type="primary" htmlType="submit" block loading={mfa.isPending}>
                {t('login.mfaSubmit')}
              </Button>
              <Button
                type="link"
                block
                onClick={() => {
                  setError(undefined);
                  setStep('password');
                }}
              >
                {t('login.back')}
              </Button>
            </Space>
          </Form>
        )}
      </Card>
    </StandaloneShell>
  );
}
