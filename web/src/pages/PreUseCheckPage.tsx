import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  InputNumber,
  Result,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { devices as devicesApi } from '../api/registry';
import type { DeviceCheck, RegistrySettings } from '../api/types';
import { CheckoutModal, useRegistrySettings } from '../components/CheckoutModals';
import { DeviceClockInput } from '../components/DateTimeInput';
import { PageHeader } from '../components/PageHeader';
import { CheckResultTag, DeviceStatusTag } from '../components/RegistryTags';
import { formatOffset, formatStorage, formatTolerance } from '../lib/format';
import { useLabels } from '../lib/labels';
import { readingNow, toMb, type ClockReading, type StorageUnit } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

interface FormValues {
  batteryPercent: number;
  storage: number;
  storageUnit: StorageUnit;
  clock?: ClockReading;
}

/** Each failed rule in words the officer can act on. */
function FailureList({ check, settings }: { check: DeviceCheck; settings?: RegistrySettings }) {
  const { t } = useTranslation();
  return (
    <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="check-failures">
      {check.failures.map((f) => (
        <li key={f}>
          {f === 'CLOCK_OFFSET'
            ? t('check.clockOffsetFail', {
                offset: formatOffset(check.offsetMs),
                tolerance: formatTolerance(check.toleranceMs),
              })
            : f === 'BATTERY_LOW'
              ? settings
                ? t('check.batteryLowFail', {
                    value: String(check.batteryPercent),
                    min: String(settings.minBatteryPercent),
                  })
                : t('checkFailure.BATTERY_LOW')
              : settings
                ? t('check.storageLowFail', {
                    value: formatStorage(check.freeStorageMb),
                    min: formatStorage(settings.minFreeStorageMb),
                  })
                : t('checkFailure.STORAGE_LOW')}
        </li>
      ))}
    </ul>
  );
}

function CheckOutcome({
  check,
  settings,
  onAgain,
  onDone,
}: {
  check: DeviceCheck;
  settings?: RegistrySettings;
  onAgain: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const pass = check.result === 'pass';
  const facts = (
    <Descriptions
      column={1}
      size="small"
      bordered
      styles={{ label: { width: '42%' } }}
      items={[
        {
          key: 'offset',
          label: t('check.offset'),
          children: (
            <span
              data-testid="check-offset"
              style={{
                color: check.failures.includes('CLOCK_OFFSET') ? '#cf1322' : '#389e0d',
                fontWeight: 600,
                fontVariantNumeric: 'tabular-nums',
              }}
            >
              {t('check.offsetWithTolerance', {
                offset: formatOffset(check.offsetMs),
                tolerance: formatTolerance(check.toleranceMs),
              })}
            </span>
          ),
        },
        { key: 'battery', label: t('check.battery'), children: `${check.batteryPercent}%` },
        { key: 'storage', label: t('check.storage'), children: formatStorage(check.freeStorageMb) },
        { key: 'device', label: t('check.deviceTime'), children: formatTime(check.deviceTime) },
        { key: 'server', label: t('check.checkedAt'), children: formatTime(check.checkedAt) },
      ]}
    />
  );
  if (pass)
    return (
      <Result
        status="success"
        title={t('check.passTitle')}
        subTitle={t('check.passText')}
        style={{ padding: '16px 0' }}
        extra={
          <Flex vertical gap={12}>
            {facts}
            <Button type="primary" size="large" block onClick={onDone}>
              {t('check.done')}
            </Button>
          </Flex>
        }
      />
    );
  return (
    <Flex vertical gap={12} data-testid="check-failed">
      <Alert
        type="error"
        showIcon
        title={<strong>{t('check.failTitle')}</strong>}
        description={<FailureList check={check} settings={settings} />}
      />
      {facts}
      <Button type="primary" size="large" block icon={<ReloadOutlined />} onClick={onAgain}>
        {t('check.again')}
      </Button>
    </Flex>
  );
}

export default function PreUseCheckPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const settings = useRegistrySettings();
  const device = useQuery({ queryKey: ['devices', 'detail', id], queryFn: () => devicesApi.get(id) });
  const [form] = Form.useForm<FormValues>();
  const [result, setResult] = useState<DeviceCheck | null>(null);
  const [checkingOut, setCheckingOut] = useState(false);

  const submit = useMutation({
    mutationFn: (v: FormValues) => {
      const now = Date.now();
      return devicesApi.check(id, {
        batteryPercent: v.batteryPercent,
        freeStorageMb: toMb(v.storage, v.storageUnit),
        // What the device shows at this moment (the reading runs on since it was entered).
        deviceTime: Math.round(readingNow(v.clock ?? { shown: now, readAt: now }, now)),
      });
    },
    onSuccess: (c) => {
      setResult(c);
      void qc.invalidateQueries({ queryKey: ['devices'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      window.scrollTo(0, 0);
    },
    onError: showError,
  });

  if (device.isPending) return <Skeleton active />;
  if (device.isError)
    return <Result status="error" title={t('errors.loadFailed')} subTitle={device.error.message} />;
  const d = device.data;
  const s = settings.data;
  const forThisUse = d.openCheckout ? d.checks.filter((c) => c.checkoutId === d.openCheckout!.id) : [];

  return (
    <div className="zl-narrow">
      <PageHeader
        back="/my-devices"
        title={t('check.title')}
        tags={
          <Space size={4} wrap>
            <Tag className="zl-mono">{d.serial}</Tag>
            <Tag>{labels.deviceType(d)}</Tag>
            <DeviceStatusTag status={d.status} />
          </Space>
        }
      />
      {!d.openCheckout && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('check.notOut')}
          action={
            <Button size="small" type="primary" onClick={() => setCheckingOut(true)}>
              {t('myDevices.checkout')}
            </Button>
          }
        />
      )}
      <Card>
        {result ? (
          <CheckOutcome
            check={result}
            settings={s}
            onDone={() => void navigate('/my-devices')}
            onAgain={() => {
              // The clock was corrected: read it afresh; battery and storage stay as typed.
              const now = Date.now();
              form.setFieldValue('clock', { shown: now, readAt: now });
              setResult(null);
            }}
          />
        ) : (
          <Form<FormValues>
            form={form}
            layout="vertical"
            size="large"
            requiredMark={false}
            initialValues={{ storageUnit: 'GB' }}
            onFinish={(v) => submit.mutate(v)}
          >
            <Typography.Paragraph type="secondary">{t('check.intro')}</Typography.Paragraph>
            <Form.Item
              name="batteryPercent"
              label={t('check.battery')}
              extra={s ? t('check.batteryHint', { min: String(s.minBatteryPercent) }) : undefined}
              rules={[{ required: true, message: t('check.batteryRequired') }]}
            >
              <InputNumber
                min={0}
                max={100}
                precision={0}
                suffix="%"
                inputMode="numeric"
                style={{ width: '100%' }}
              />
            </Form.Item>
            <Form.Item
              label={t('check.storage')}
              required
              extra={s ? t('check.storageHint', { min: formatStorage(s.minFreeStorageMb) }) : undefined}
            >
              <Space.Compact block>
                <Form.Item
                  name="storage"
                  noStyle
                  rules={[{ required: true, message: t('check.storageRequired') }]}
                >
                  <InputNumber
                    min={0}
                    precision={1}
                    inputMode="decimal"
                    style={{ flex: 1 }}
                    aria-label={t('check.storage')}
                  />
                </Form.Item>
                <Form.Item name="storageUnit" noStyle>
                  <Select<StorageUnit>
                    style={{ width: 90 }}
                    aria-label={t('check.storageUnit')}
                    options={[
                      { value: 'GB', label: 'GB' },
                      { value: 'MB', label: 'MB' },
                    ]}
                  />
                </Form.Item>
              </Space.Compact>
            </Form.Item>
            <Form.Item
              name="clock"
              label={t('check.deviceTime')}
              extra={t('check.deviceTimeHint', {
                tolerance: s ? formatTolerance(s.clockToleranceSeconds * 1000) : '',
              })}
            >
              <DeviceClockInput />
            </Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              block
              icon={<SafetyCertificateOutlined />}
              loading={submit.isPending}
            >
              {t('check.submit')}
            </Button>
          </Form>
        )}
      </Card>
      {forThisUse.length > 0 && (
        <Card size="small" title={t('check.thisUse')} style={{ marginTop: 12 }}>
          {forThisUse.map((c) => (
            <Flex key={c.id} gap={8} wrap className="zl-row" align="center">
              <span>{formatTime(c.checkedAt)}</span>
              <CheckResultTag check={c} withReasons />
              <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatOffset(c.offsetMs)}</span>
            </Flex>
          ))}
        </Card>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>
        <Link to={`/devices/${d.id}`}>{t('check.deviceDetail')}</Link>
      </Typography.Paragraph>
      {checkingOut && (
        <CheckoutModal
          device={d}
          onClose={() => setCheckingOut(false)}
          onDone={() => void device.refetch()}
        />
      )}
    </div>
  );
}
