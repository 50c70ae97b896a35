import { useState } from 'react';
import { Alert, App, Button, Card, Form, Image, Input, Modal, Space, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { auth } from '../api/endpoints';
import type { Me, TotpSetup } from '../api/types';
import { applyFieldError } from '../lib/formErrors';
import { useErrorMessage } from '../lib/useErrorMessage';
import { ME_KEY } from '../lib/useMe';

export function SetupSteps({ setup, onDone }: { setup: TotpSetup; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ code: string }>();
  const showError = useErrorMessage();
  const enable = useMutation({
    mutationFn: (code: string) => auth.totpEnable(code),
    onSuccess: onDone,
    onError: (err) => {
      if (!applyFieldError(form, err, { MFA_INVALID: 'code' })) showError(err);
    },
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Text>{t('profile.mfaScan')}</Typography.Text>
      <Image src={setup.qrDataUrl} alt={t('profile.mfaQrAlt')} width={180} preview={false} />
      <div>
        <Typography.Text type="secondary">
          {t('common.labelValue', { label: t('profile.mfaSecret'), value: '' })}
        </Typography.Text>
        <Typography.Text
          code
          copyable={{ tooltips: [t('common.copy'), t('common.copied')] }}
          className="zl-mono"
        >
          {setup.secret}
        </Typography.Text>
      </div>
      <Typography.Text>{t('profile.mfaEnterCode')}</Typography.Text>
      <Form form={form} layout="vertical" onFinish={(v) => enable.mutate(v.code)}>
        <Form.Item name="code" rules={[{ required: true, len: 6, message: t('login.mfaCodeRequired') }]}>
          <Input.OTP length={6} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={enable.isPending}>
          {t('profile.mfaEnable')}
        </Button>
      </Form>
    </Space>
  );
}

function DisableModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string }>();
  const showError = useErrorMessage();
  const disable = useMutation({
    mutationFn: (password: string) => auth.totpDisable(password),
    onSuccess: onDone,
    onError: (err) => {
      if (isApiError(err) && err.code === 'MFA_REQUIRED_BY_POLICY') return showError(err);
      if (
        !applyFieldError(form, err, { CURRENT_PASSWORD_WRONG: 'password', INVALID_CREDENTIALS: 'password' })
      )
        showError(err);
    },
  });
  return (
    <Modal
      open
      title={t('profile.mfaDisableTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ danger: true }}
      okText={t('profile.mfaDisable')}
      confirmLoading={disable.isPending}
    >
      <Typography.Paragraph>{t('profile.mfaDisableHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => disable.mutate(v.password)}>
        <Form.Item
          name="password"
          label={t('login.password')}
          rules={[{ required: true, message: t('login.passwordRequired') }]}
        >
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function TotpCard({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [disabling, setDisabling] = useState(false);
  const start = useMutation({ mutationFn: auth.totpSetup, onSuccess: setSetup, onError: showError });
  const refreshMe = () => void qc.invalidateQueries({ queryKey: ME_KEY });

  return (
    <Card
      title={t('profile.mfa')}
      extra={
        me.totpEnabled ? <Tag color="green">{t('profile.mfaOn')}</Tag> : <Tag>{t('profile.mfaOff')}</Tag>
      }
    >
      <Typography.Paragraph type="secondary">{t('profile.mfaIntro')}</Typography.Paragraph>
      {me.totpEnabled ? (
        <>
          {me.mfaRequired && (
            <Alert
              type="info"
              showIcon
              title={t('profile.mfaRequiredByPolicy')}
              style={{ marginBottom: 12 }}
            />
          )}
          <Button danger disabled={me.mfaRequired} onClick={() => setDisabling(true)}>
            {t('profile.mfaDisable')}
          </Button>
        </>
      ) : setup ? (
        <SetupSteps
          setup={setup}
          onDone={() => {
            setSetup(null);
            void message.success(t('profile.mfaEnabled'));
            refreshMe();
          }}
        />
      ) : (
        <Button type="primary" loading={start.isPending} onClick={() => start.mutate()}>
          {t('profile.mfaSetup')}
        </Button>
      )}
      {disabling && (
        <DisableModal
          onClose={() => setDisabling(false)}
          onDone={() => {
            setDisabling(false);
            void message.success(t('profile.mfaDisabled'));
            refreshMe();
          }}
        />
      )}
    </Card>
  );
}
