import { useState } from 'react';
import { App, Button, Form, Input, Skeleton } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { auth } from '../api/endpoints';
import { useErrorMessage } from '../lib/useErrorMessage';
import { PasswordPolicyList } from './PasswordPolicyList';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

// A wrong current password belongs on that field rather than in a toast.
const CURRENT_PASSWORD_CODES = new Set(['CURRENT_PASSWORD_WRONG', 'INVALID_CREDENTIALS']);

export function ChangePasswordForm({
  username,
  onDone,
  block = false,
}: {
  username: string;
  onDone: () => void;
  block?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const [form] = Form.useForm<Values>();
  const [brokenRule, setBrokenRule] = useState<string>();
  const policy = useQuery({
    queryKey: ['password-policy'],
    queryFn: auth.passwordPolicy,
    staleTime: Infinity,
  });

  const change = useMutation({
    mutationFn: (v: Values) => auth.changePassword(v.currentPassword, v.newPassword),
    onSuccess: () => {
      void message.success(t('password.changed'));
      form.resetFields();
      setBrokenRule(undefined);
      onDone();
    },
    onError: (err) => {
      if (isApiError(err) && err.code === 'PASSWORD_WEAK') {
        setBrokenRule(typeof err.details.rule === 'string' ? err.details.rule : undefined);
        form.setFields([{ name: 'newPassword', errors: [err.message] }]);
      } else if (isApiError(err) && CURRENT_PASSWORD_CODES.has(err.code)) {
        form.setFields([{ name: 'currentPassword', errors: [err.message] }]);
      } else {
        showError(err);
      }
    },
  });

  if (policy.isPending) return <Skeleton active />;
  const p = policy.data;

  return (
    <>
      {p && (
        <div style={{ marginBottom: 16 }}>
          <PasswordPolicyList policy={p} brokenRule={brokenRule} />
        </div>
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => change.mutate(v)}
        onValuesChange={() => setBrokenRule(undefined)}
        style={{ maxWidth: 420 }}
      >
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
        <Form.Item
          name="currentPassword"
          label={t('password.current')}
          rules={[{ required: true, message: t('password.currentRequired') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('password.new')}
          rules={[
            { required: true, message: t('password.newRequired') },
            ...(p
              ? [
                  { min: p.minLength, message: t('password.tooShort', { count: p.minLength }) },
                  { max: p.maxLength, message: t('password.tooLong', { count: p.maxLength }) },
                ]
              : []),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('password.confirmRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending} block={block}>
          {t('password.submit')}
        </Button>
      </Form>
    </>
  );
}
