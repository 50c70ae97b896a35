import { useEffect } from 'react';
import { App, Button, Card, Checkbox, Form, InputNumber, Skeleton, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { settings as settingsApi } from '../api/endpoints';
import type { SecuritySettings } from '../api/types';
import { useRoleOptions } from '../components/RoleSelect';
import { useErrorMessage } from '../lib/useErrorMessage';
import { ME_KEY } from '../lib/useMe';

export default function SecuritySettingsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const roleOptions = useRoleOptions();
  const [form] = Form.useForm<SecuritySettings>();
  const q = useQuery({ queryKey: ['settings', 'security'], queryFn: settingsApi.getSecurity });

  useEffect(() => {
    if (q.data) form.setFieldsValue(q.data);
  }, [q.data, form]);

  const save = useMutation({
    mutationFn: settingsApi.putSecurity,
    onSuccess: (s) => {
      qc.setQueryData(['settings', 'security'], s);
      // My own mfaRequired flag may have changed.
      void qc.invalidateQueries({ queryKey: ME_KEY });
      void message.success(t('security.saved'));
    },
    onError: showError,
  });

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('security.title')}
        </Typography.Title>
      }
    >
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : (
        <Form<SecuritySettings>
          form={form}
          layout="vertical"
          initialValues={q.data}
          onFinish={(v) => save.mutate(v)}
          style={{ maxWidth: 640 }}
        >
          <Form.Item
            name="mfaRequiredRoles"
            label={t('security.mfaRequiredRoles')}
            extra={t('security.mfaRequiredRolesHint')}
          >
            <Checkbox.Group options={roleOptions} />
          </Form.Item>
          <Form.Item
            name="sessionIdleMinutes"
            label={t('security.sessionIdleMinutes')}
            extra={t('security.sessionIdleMinutesHint')}
            rules={[{ required: true, message: t('security.required') }]}
          >
            <InputNumber min={1} precision={0} suffix={t('security.minutes')} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item
            name="sessionAbsoluteHours"
            label={t('security.sessionAbsoluteHours')}
            extra={t('security.sessionAbsoluteHoursHint')}
            rules={[{ required: true, message: t('security.required') }]}
          >
            <InputNumber min={1} precision={0} suffix={t('security.hours')} style={{ width: 200 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
