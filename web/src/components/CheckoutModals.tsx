import { App, Checkbox, Form, Input, Modal, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  activities as activitiesApi,
  checkouts as checkoutsApi,
  devices as devicesApi,
  registrySettings,
} from '../api/registry';
import type { Checkout, Device } from '../api/types';
import { formatClock, formatShortTime } from '../lib/format';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { DateTimeInput } from './DateTimeInput';

const HOUR = 3600_000;

export function useRegistrySettings() {
  return useQuery({
    queryKey: ['settings', 'registry'],
    queryFn: registrySettings.get,
    staleTime: 5 * 60_000,
  });
}

interface CheckoutValues {
  activityId?: string;
  dueAt?: number | null;
  remoteWork: boolean;
  notes?: string;
}

/** 领用: for the day, or for one of my open activities. */
export function CheckoutModal({
  device,
  onClose,
  onDone,
}: {
  device: Pick<Device, 'id' | 'serial'>;
  onClose: () => void;
  onDone: (c: Checkout) => void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const settings = useRegistrySettings();
  const [form] = Form.useForm<CheckoutValues>();
  const mine = useQuery({
    queryKey: ['activities', { mine: true, open: true }],
    queryFn: async () => {
      const [planned, running] = await Promise.all([
        activitiesApi.list({ mine: true, status: 'planned' }),
        activitiesApi.list({ mine: true, status: 'in_progress' }),
      ]);
      return [...running, ...planned];
    },
  });
  const save = useMutation({
    mutationFn: (v: CheckoutValues) =>
      devicesApi.checkout(device.id, {
        ...(v.activityId ? { activityId: v.activityId } : {}),
        ...(v.dueAt ? { dueAt: v.dueAt } : {}),
        remoteWork: v.remoteWork,
        ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}),
      }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['devices'] });
      void qc.invalidateQueries({ queryKey: ['checkouts'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      onDone(c);
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          CHECKOUT_DUE_INVALID: 'dueAt',
          CHECKOUT_ACTIVITY_INVALID: 'activityId',
        })
      )
        showError(err);
    },
  });
  const hours = settings.data?.defaultCheckoutHours;
  return (
    <Modal
      open
      title={t('checkout.title', { serial: device.serial })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('checkout.submit')}
      confirmLoading={save.isPending}
    >
      <Form<CheckoutValues>
        form={form}
        layout="vertical"
        initialValues={{ remoteWork: false }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="activityId" label={t('checkout.forActivity')} extra={t('checkout.forActivityHint')}>
          <Select
            allowClear
            loading={mine.isPending}
            placeholder={t('checkout.forTheDay')}
            options={(mine.data ?? []).map((a) => ({
              value: a.id,
              label: `${formatShortTime(a.plannedAt)} ${labels.activityType(a.type)} · ${a.subjectName}`,
            }))}
            onChange={(id: string | undefined) => {
              const a = mine.data?.find((x) => x.id === id);
              if (a) form.setFieldValue('remoteWork', a.remoteWork);
            }}
          />
        </Form.Item>
        <Form.Item
          name="dueAt"
          label={t('checkout.dueAt')}
          extra={
            hours
              ? t('checkout.dueDefault', {
                  hours: String(hours),
                  time: formatClock(Date.now() + hours * HOUR),
                })
              : undefined
          }
        >
          <DateTimeInput />
        </Form.Item>
        <Form.Item name="remoteWork" valuePropName="checked">
          <Checkbox>{t('checkout.remoteWorkLabel')}</Checkbox>
        </Form.Item>
        <Form.Item name="notes" label={t('checkout.notes')}>
          <Input maxLength={500} />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('checkout.checkNext')}
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}

interface CheckinValues {
  remote: boolean;
  returnedAt?: number | null;
  notes?: string;
}

/** 归还, with the time back at the unit for remote or continuous work (A13.1). */
export function CheckinModal({ checkout, onClose }: { checkout: Checkout; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<CheckinValues>();
  const remote = Form.useWatch('remote', form) ?? checkout.remoteWork;
  const save = useMutation({
    mutationFn: (v: CheckinValues) =>
      checkoutsApi.checkin(checkout.id, {
        ...(v.remote && v.returnedAt ? { returnedAt: v.returnedAt } : {}),
        ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}),
      }),
    onSuccess: () => {
      void message.success(t('checkin.done'));
      void qc.invalidateQueries({ queryKey: ['devices'] });
      void qc.invalidateQueries({ queryKey: ['checkouts'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('checkin.title', { serial: checkout.deviceSerial })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('checkin.submit')}
      confirmLoading={save.isPending}
    >
      <Typography.Paragraph type="secondary">
        {t('checkin.since', { time: formatTime(checkout.checkedOutAt) })}
      </Typography.Paragraph>
      <Form<CheckinValues>
        form={form}
        layout="vertical"
        initialValues={{ remote: checkout.remoteWork, returnedAt: Date.now() }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="remote" valuePropName="checked" extra={t('checkin.remoteHint')}>
          <Checkbox>{t('checkin.remote')}</Checkbox>
        </Form.Item>
        {remote && (
          <Form.Item
            name="returnedAt"
            label={t('checkin.returnedAt')}
            rules={[{ required: true, message: t('checkin.returnedAtRequired') }]}
          >
            <DateTimeInput nowButton />
          </Form.Item>
        )}
        <Form.Item name="notes" label={t('checkout.notes')}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
