import { App, Form, Input, Modal, Select, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { recordings as recordingsApi, type RecordingDetail } from '../api/collection';
import { activities as activitiesApi } from '../api/registry';
import type { Activity } from '../api/types';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

const WINDOW_MS = 3 * 24 * 3600_000;

/**
 * Links a recording to an activity by hand, or unlinks it, with a reason (audited by the
 * server). Offers the activities around the recording's time: first those of its holder or
 * device; custodians may also pick any other activity of that time.
 */
export function LinkRecordingModal({
  recording: r,
  unlink,
  custodian,
  onClose,
}: {
  recording: RecordingDetail;
  unlink: boolean;
  custodian: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ activityId?: string; reason: string }>();
  const around = r.recordedAt ?? r.importedAt;
  const candidates = useQuery({
    queryKey: ['activities', { around, holder: r.holderId, device: r.deviceId }],
    queryFn: () => activitiesApi.list({ from: around - WINDOW_MS, to: around + WINDOW_MS }),
    enabled: !unlink,
  });
  const mine = (a: Activity) =>
    a.officers.some((o) => o.userId === r.holderId) || a.devices.some((d) => d.deviceId === r.deviceId);
  const usable = (candidates.data ?? []).filter((a) => a.status !== 'cancelled' && a.id !== r.activityId);
  const option = (a: Activity) => ({
    value: a.id,
    label: `${formatTime(a.arrivedAt ?? a.plannedAt)} · ${a.title ?? labels.activityType(a.type)} · ${a.subjectName}`,
  });
  const own = usable.filter(mine).map(option);
  const other = custodian ? usable.filter((a) => !mine(a)).map(option) : [];
  const options = [
    ...(own.length ? [{ label: t('recording.linkGroupOwn'), options: own }] : []),
    ...(other.length ? [{ label: t('recording.linkGroupOther'), options: other }] : []),
  ];

  const save = useMutation({
    mutationFn: (v: { activityId?: string; reason: string }) =>
      recordingsApi.link(r.id, unlink ? null : (v.activityId ?? null), v.reason.trim()),
    onSuccess: () => {
      void message.success(unlink ? t('recording.unlinked') : t('recording.linked'));
      void qc.invalidateQueries({ queryKey: ['recordings'] });
      onClose();
    },
    onError: showError,
  });

  return (
    <Modal
      open
      title={unlink ? t('recording.unlinkTitle') : t('recording.linkTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.confirm')}
      okButtonProps={{ danger: unlink }}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} name="linkRecording">
        {!unlink && (
          <Form.Item
            name="activityId"
            label={t('recording.linkPick')}
            extra={t('recording.linkPickHint')}
            rules={[{ required: true, message: t('common.required') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={candidates.isFetching}
              options={options}
              notFoundContent={
                candidates.isFetching ? undefined : (
                  <Typography.Text type="secondary">{t('recording.linkNoCandidates')}</Typography.Text>
                )
              }
              data-testid="link-activity"
            />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={t('recording.linkReason')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input.TextArea
            rows={2}
            maxLength={500}
            placeholder={t('recording.linkReasonPlaceholder')}
            data-testid="link-reason"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
