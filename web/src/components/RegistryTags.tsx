import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ActivityStatus, CaseStatus, DeviceCheck, DeviceStatus, ExemptionStatus } from '../api/types';
import { formatOffset } from '../lib/format';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';

const DEVICE_COLOR: Record<DeviceStatus, string> = {
  in_stock: 'green',
  issued: 'blue',
  maintenance: 'orange',
  lost: 'red',
  retired: 'default',
};

export function DeviceStatusTag({ status }: { status: DeviceStatus }) {
  const labels = useLabels();
  return <Tag color={DEVICE_COLOR[status]}>{labels.deviceStatus(status)}</Tag>;
}

/** 通过 / 未通过, with the reasons beside a failure. */
export function CheckResultTag({
  check,
  withReasons = false,
}: {
  check: DeviceCheck;
  withReasons?: boolean;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const reasons = check.failures.map((f) => labels.checkFailure(f)).join(t('common.listSeparator'));
  const tag =
    check.result === 'pass' ? (
      <Tag color="success">{t('check.pass')}</Tag>
    ) : (
      <Tag color="error">{t('check.fail')}</Tag>
    );
  return (
    <Tooltip
      title={t('check.tagTooltip', {
        time: formatTime(check.checkedAt),
        offset: formatOffset(check.offsetMs),
      })}
    >
      <span>
        {tag}
        {withReasons && check.result === 'fail' && <span style={{ color: '#cf1322' }}>{reasons}</span>}
      </span>
    </Tooltip>
  );
}

const ACTIVITY_COLOR: Record<ActivityStatus, string> = {
  planned: 'default',
  in_progress: 'processing',
  completed: 'success',
  cancelled: 'error',
};

export function ActivityStatusTag({ status }: { status: ActivityStatus }) {
  const labels = useLabels();
  return <Tag color={ACTIVITY_COLOR[status]}>{labels.activityStatus(status)}</Tag>;
}

const CASE_COLOR: Record<CaseStatus, string> = {
  filed: 'blue',
  investigating: 'processing',
  decided: 'purple',
  closed: 'success',
  archived: 'default',
};

export function CaseStatusTag({ status }: { status: CaseStatus }) {
  const labels = useLabels();
  return <Tag color={CASE_COLOR[status]}>{labels.caseStatus(status)}</Tag>;
}

const EXEMPTION_COLOR: Record<ExemptionStatus, string> = {
  pending: 'warning',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

export function ExemptionStatusTag({ status }: { status: ExemptionStatus }) {
  const labels = useLabels();
  return <Tag color={EXEMPTION_COLOR[status]}>{labels.exemptionStatus(status)}</Tag>;
}
