import { App, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { deviceTypes as deviceTypesApi, devices as devicesApi, type DevicePatch } from '../api/registry';
import type { Device } from '../api/types';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { centsToYuan, DATE_FORMAT, toDay, yuanToCents } from '../lib/registry';
import { useErrorMessage } from '../lib/useErrorMessage';
import { UnitTreeSelect } from './UnitTreeSelect';
import { UserSelect } from './UserSelect';

interface FormValues {
  serial: string;
  typeId: string;
  assetNumber?: string;
  maker?: string;
  model?: string;
  unitId?: string;
  purchaseDate?: Dayjs | null;
  costYuan?: number | null;
  holderId?: string;
  notes?: string;
}

const text = (v: string | undefined) => v?.trim() || null;

export function useDeviceTypes() {
  return useQuery({ queryKey: ['device-types'], queryFn: deviceTypesApi.list, staleTime: 5 * 60_000 });
}

/** Register a device, or edit one (serial, type and holder are changed elsewhere or not at all). */
export function DeviceFormModal({ device, onClose }: { device?: Device; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const types = useDeviceTypes();
  const [form] = Form.useForm<FormValues>();

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const common = {
        assetNumber: text(v.assetNumber),
        maker: text(v.maker),
        model: text(v.model),
        unitId: v.unitId ?? null,
        purchaseDate: v.purchaseDate ? toDay(v.purchaseDate) : null,
        purchaseCostCents: yuanToCents(v.costYuan),
        notes: text(v.notes),
      };
      if (device) {
        // Only what changed, so an untouched field is never rewritten.
        const patch: DevicePatch = {};
        for (const [k, val] of Object.entries(common) as [keyof typeof common, string | number | null][])
          if (val !== device[k]) (patch as Record<string, unknown>)[k] = val;
        return devicesApi.update(device.id, patch);
      }
      return devicesApi.create({
        serial: v.serial.trim(),
        typeId: v.typeId,
        ...common,
        holderId: v.holderId ?? null,
      });
    },
    onSuccess: () => {
      void message.success(device ? t('devices.updated') : t('devices.created'));
      void qc.invalidateQueries({ queryKey: ['devices'] });
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          DEVICE_SERIAL_TAKEN: 'serial',
          DEVICE_TYPE_UNKNOWN: 'typeId',
          UNIT_NOT_FOUND: 'unitId',
          USER_NOT_FOUND: 'holderId',
        })
      )
        showError(err);
    },
  });

  return (
    <Modal
      open
      title={device ? t('devices.editTitle') : t('devices.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={
          device
            ? {
                serial: device.serial,
                typeId: device.typeId,
                assetNumber: device.assetNumber ?? undefined,
                maker: device.maker ?? undefined,
                model: device.model ?? undefined,
                unitId: device.unitId ?? undefined,
                purchaseDate: device.purchaseDate ? dayjs(device.purchaseDate, DATE_FORMAT) : null,
                costYuan: centsToYuan(device.purchaseCostCents),
                notes: device.notes ?? undefined,
              }
            : { typeId: 'body_camera' }
        }
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="serial"
          label={t('devices.serial')}
          rules={[{ required: true, whitespace: true, message: t('devices.serialRequired') }]}
        >
          <Input disabled={!!device} maxLength={64} autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="typeId"
          label={t('devices.type')}
          rules={[{ required: true, message: t('devices.typeRequired') }]}
        >
          <Select
            disabled={!!device}
            loading={types.isPending}
            options={(types.data ?? [])
              .filter((ty) => ty.active || ty.id === device?.typeId)
              .map((ty) => ({ value: ty.id, label: labels.typeName(ty) }))}
          />
        </Form.Item>
        <Form.Item name="assetNumber" label={t('devices.assetNumber')}>
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="maker" label={t('devices.maker')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="model" label={t('devices.model')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="unitId" label={t('devices.unit')}>
          <UnitTreeSelect placeholder={t('devices.noUnit')} />
        </Form.Item>
        <Form.Item name="purchaseDate" label={t('devices.purchaseDate')}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="costYuan" label={t('devices.purchaseCost')}>
          <InputNumber min={0} precision={2} step={100} suffix={t('common.yuan')} style={{ width: '100%' }} />
        </Form.Item>
        {!device && (
          <Form.Item name="holderId" label={t('devices.holder')} extra={t('devices.holderHint')}>
            <UserSelect allowClear placeholder={t('devices.noHolder')} />
          </Form.Item>
        )}
        <Form.Item name="notes" label={t('devices.notes')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
