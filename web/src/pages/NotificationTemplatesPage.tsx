import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { units as unitsApi } from '../api/endpoints';
import { notificationTemplates } from '../api/registry';
import { UnitTreeSelect } from '../components/UnitTreeSelect';
import { applyFieldError } from '../lib/formErrors';
import { fillTemplate } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

const PLACEHOLDERS = ['{unitName}', '{officerNames}'] as const;

export default function NotificationTemplatesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const units = useQuery({ queryKey: ['units'], queryFn: unitsApi.list });
  const [unitId, setUnitId] = useState<string | undefined>(me?.unitId ?? undefined);
  const effectiveUnit = unitId ?? units.data?.find((u) => u.parentId === null)?.id;
  const unit = units.data?.find((u) => u.id === effectiveUnit);
  const q = useQuery({
    queryKey: ['notification-template', effectiveUnit],
    queryFn: () => notificationTemplates.get(effectiveUnit!),
    enabled: !!effectiveUnit,
  });
  const [form] = Form.useForm<{ template: string }>();
  const template = Form.useWatch('template', form) ?? q.data?.template ?? '';

  useEffect(() => {
    if (q.data) form.setFieldsValue({ template: q.data.template });
  }, [q.data, form]);

  const save = useMutation({
    mutationFn: (v: { template: string }) => notificationTemplates.put(effectiveUnit!, v.template.trim()),
    onSuccess: (tpl) => {
      qc.setQueryData(['notification-template', effectiveUnit], tpl);
      void qc.invalidateQueries({ queryKey: ['activities', 'script'] });
      void message.success(t('templates.saved'));
    },
    onError: (err) => {
      if (!applyFieldError(form, err, { NOTIFICATION_TEMPLATE_INVALID: 'template' })) showError(err);
    },
  });

  const insert = (p: string) => form.setFieldValue('template', `${form.getFieldValue('template') ?? ''}${p}`);
  const missing = PLACEHOLDERS.filter((p) => !template.includes(p));

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('templates.title')}
        </Typography.Title>
      }
    >
      <Typography.Paragraph type="secondary">{t('templates.intro')}</Typography.Paragraph>
      <Form layout="vertical" style={{ maxWidth: 480 }}>
        <Form.Item label={t('templates.unit')}>
          <UnitTreeSelect value={effectiveUnit} onChange={setUnitId} allowClear={false} />
        </Form.Item>
      </Form>
      {!effectiveUnit ? (
        <Alert type="info" showIcon title={t('templates.noUnit')} />
      ) : q.isPending ? (
        <Skeleton active />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : (
        <Row gutter={[24, 16]}>
          <Col xs={24} lg={12}>
            <Form
              form={form}
              layout="vertical"
              initialValues={{ template: q.data.template }}
              onFinish={(v) => save.mutate(v)}
            >
              <Form.Item
                name="template"
                label={
                  <Space>
                    {t('templates.template')}
                    {q.data.source && <Tag>{t(`templates.source_${q.data.source}`)}</Tag>}
                  </Space>
                }
                extra={
                  q.data.updatedAt
                    ? t('templates.updatedAt', { time: formatTime(q.data.updatedAt) })
                    : undefined
                }
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input.TextArea rows={5} maxLength={500} showCount />
              </Form.Item>
              <Space wrap style={{ display: 'flex', marginBottom: 16 }}>
                <Typography.Text type="secondary">{t('templates.insert')}</Typography.Text>
                {PLACEHOLDERS.map((p) => (
                  <Button key={p} size="small" className="zl-mono" onClick={() => insert(p)}>
                    {p}
                  </Button>
                ))}
              </Space>
              {missing.includes('{officerNames}') && (
                <Alert
                  type="warning"
                  showIcon
                  title={t('templates.officerNamesMissing')}
                  style={{ marginBottom: 16 }}
                />
              )}
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {t('common.save')}
              </Button>
            </Form>
          </Col>
          <Col xs={24} lg={12}>
            <Typography.Text type="secondary">{t('templates.preview')}</Typography.Text>
            <Card size="small" style={{ marginTop: 8, background: '#fafafa' }}>
              <p className="zl-script" data-testid="template-preview" style={{ margin: 0 }}>
                {fillTemplate(template, unit?.name ?? '', [
                  t('templates.sampleOfficer1'),
                  t('templates.sampleOfficer2'),
                ])}
              </p>
            </Card>
          </Col>
        </Row>
      )}
    </Card>
  );
}
