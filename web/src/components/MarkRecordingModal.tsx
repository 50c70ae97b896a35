import { App, Form, Input, InputNumber, Modal, Select, Space } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { RecordingDetail } from '../api/collection';
import { compliance as complianceApi, MARKER_KINDS, type MarkerKind } from '../api/compliance';
import { useErrorMessage } from '../lib/useErrorMessage';

interface MarkForm {
  kind: MarkerKind;
  minutes: number;
  seconds: number;
  note?: string;
}

/**
 * Marks a moment of a recording (A8.1 notification, A10.1 violation, evidence item,
 * questioning): kept beside the file, never in it. The server allows the recording's holder
 * and the officers of its activity, and audits each marker.
 */
export function MarkRecordingModal({
  recording: r,
  onClose,
}: {
  recording: RecordingDetail;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<MarkForm>();
  const maxMinutes = r.durationMs === null ? undefined : Math.floor(r.durationMs / 60_000);
  const save = useMutation({
    mutationFn: (v: MarkForm) =>
      complianceApi.mark(r.id, {
        kind: v.kind,
        offsetMs: ((v.minutes ?? 0) * 60 + (v.seconds ?? 0)) * 1000,
        note: v.note?.trim() || null,
      }),
    onSuccess: () => {
      void message.success(t('marker.saved'));
      void qc.invalidateQueries({ queryKey: ['compliance'] });
      void qc.invalidateQueries({ queryKey: ['recordings'] });
      onClose();
    },
    onError: showError,
  });
  return (
    <Modal
      open
      title={t('marker.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.confirm')}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        name="markRecording"
        initialValues={{ kind: 'notification', minutes: 0, seconds: 0 }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="kind" label={t('marker.kind')} rules={[{ required: true }]}>
          <Select
            options={MARKER_KINDS.map((k) => ({ value: k, label: t(`markerKind.${k}`) }))}
            data-testid="marker-kind"
          />
        </Form.Item>
        <Form.Item label={t('marker.offset')} extra={t('marker.offsetHint')} required>
          <Space>
            <Form.Item name="minutes" noStyle rules={[{ required: true }]}>
              <InputNumber min={0} max={maxMinutes} precision={0} addonAfter={t('marker.min')} />
            </Form.Item>
            <Form.Item name="seconds" noStyle rules={[{ required: true }]}>
              <InputNumber min={0} max={59} precision={0} addonAfter={t('marker.sec')} />
            </Form.Item>
          </Space>
        </Form.Item>
        <Form.Item name="note" label={t('marker.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
