import { useEffect } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Skeleton, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { registrySettings } from '../api/registry';
import type { RegistrySettings } from '../api/types';
import { useErrorMessage } from '../lib/useErrorMessage';

export default function RegistrySettingsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<RegistrySettings>();
  const q = useQuery({ queryKey: ['settings', 'registry'], queryFn: registrySettings.get });

  useEffect(() => {
    if (q.data) form.setFieldsValue(q.data);
  }, [q.data, form]);

  const save = useMutation({
    mutationFn: registrySettings.put,
    onSuccess: (s) => {
      qc.setQueryData(['settings', 'registry'], s);
      void message.success(t('registrySettings.saved'));
    },
    onError: showError,
  });
  const required = [{ required: true, message: t('common.required') }];

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('registrySettings.title')}
        </Typography.Title>
      }
    >
      {q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : (
        <Form<RegistrySettings>
          form={form}
          layout="vertical"
          initialValues={q.data}
          onFinish={(v) => save.mutate({ ...v, caseNumberPattern: v.caseNumberPattern.trim() })}
          style={{ maxWidth: 640 }}
        >
          <Typography.Title level={5}>{t('registrySettings.checkSection')}</Typography.Title>
          <Form.Item
            name="clockToleranceSeconds"
            label={t('registrySettings.clockTolerance')}
            extra={t('registrySettings.clockToleranceHint')}
            rules={required}
          >
            <InputNumber
              min={1}
              max={3600}
              precision={0}
              prefix="±"
              suffix={t('registrySettings.seconds')}
              style={{ width: 200 }}
            />
          </Form.Item>
          <Form.Item name="minBatteryPercent" label={t('registrySettings.minBattery')} rules={required}>
            <InputNumber min={0} max={100} precision={0} suffix="%" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item
            name="minFreeStorageMb"
            label={t('registrySettings.minStorage')}
            extra={t('registrySettings.minStorageHint')}
            rules={required}
          >
            <InputNumber min={0} max={1_000_000} precision={0} suffix="MB" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item
            name="defaultCheckoutHours"
            label={t('registrySettings.defaultCheckoutHours')}
            extra={t('registrySettings.defaultCheckoutHoursHint')}
            rules={required}
          >
            <InputNumber
              min={1}
              max={720}
              precision={0}
              suffix={t('registrySettings.hours')}
              style={{ width: 200 }}
            />
          </Form.Item>
          <Typography.Title level={5}>{t('registrySettings.caseSection')}</Typography.Title>
          <Form.Item
            name="caseNumberPattern"
            label={t('registrySettings.caseNumberPattern')}
            extra={t('registrySettings.caseNumberPatternHint')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input maxLength={100} className="zl-mono" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Form>
      )}
    </Card>
  );
}
