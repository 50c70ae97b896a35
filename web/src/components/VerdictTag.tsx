import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Gap, Interruption, Named, VerdictKey } from '../api/compliance';
import { currentLang } from '../i18n';

const VERDICT_COLOR: Record<VerdictKey, string> = {
  compliant: 'success',
  awaiting_explanation: 'warning',
  non_compliant: 'error',
  not_computed: 'default',
};

const isVerdict = (v: string): v is VerdictKey => Object.hasOwn(VERDICT_COLOR, v);

/** 合规 / 待说明 / 不合规 (or 未核查 while the job has not run). */
export function VerdictTag({ verdict }: { verdict: string }) {
  const { t } = useTranslation();
  if (!isVerdict(verdict)) return <Tag>{verdict}</Tag>;
  return (
    <Tag color={VERDICT_COLOR[verdict]} data-testid="verdict-tag">
      {t(`verdict.${verdict}`)}
    </Tag>
  );
}

const STATUS_COLOR: Record<string, string> = {
  open: 'error',
  explained: 'processing',
  accepted: 'success',
  violation: 'magenta',
};

export function FindingStatusTag({ status, withdrawn }: { status: string; withdrawn?: boolean }) {
  const { t } = useTranslation();
  if (withdrawn) return <Tag>{t('compliance.withdrawn')}</Tag>;
  const known = Object.hasOwn(STATUS_COLOR, status);
  return (
    <Tag color={STATUS_COLOR[status] ?? 'default'}>
      {known ? t(`findingStatus.${status as 'open'}`) : status}
    </Tag>
  );
}

/** Where a gap stands: nobody explained it, explained and awaiting a decision, accepted, rejected. */
export type GapState = 'unexplained' | 'explained' | 'accepted' | 'rejected';

export function gapState(gap: Gap, interruptions: readonly Interruption[]): GapState {
  const i = interruptions.find((x) => x.id === gap.interruptionId);
  if (!i) return 'unexplained';
  return i.decision ?? 'explained';
}

/** Fill and edge colours of a gap on the timeline, by its state. */
export const GAP_COLORS: Record<GapState, { fill: string; edge: string; tag: string }> = {
  unexplained: { fill: 'rgba(245, 34, 45, 0.16)', edge: '#f5222d', tag: 'error' },
  explained: { fill: 'rgba(22, 119, 255, 0.14)', edge: '#1677ff', tag: 'processing' },
  accepted: { fill: 'rgba(82, 196, 26, 0.16)', edge: '#52c41a', tag: 'success' },
  rejected: { fill: 'rgba(250, 84, 28, 0.2)', edge: '#fa541c', tag: 'volcano' },
};

export function GapStateTag({ state }: { state: GapState }) {
  const { t } = useTranslation();
  return <Tag color={GAP_COLORS[state].tag}>{t(`gapState.${state}`)}</Tag>;
}

/** The speech measure at the resuming file (A11.2): heard, not heard, not measured. */
export function SpeechTag({ speech }: { speech: boolean | null }) {
  const { t } = useTranslation();
  if (speech === null) return <Tag>{t('compliance.speechUnknown')}</Tag>;
  return speech ? (
    <Tag color="success">{t('compliance.speechYes')}</Tag>
  ) : (
    <Tag color="warning">{t('compliance.speechNo')}</Tag>
  );
}

/** A server name pair in the UI's language. */
export function named(n: Named | { zh?: string; en?: string } | null | undefined): string {
  if (!n) return '';
  return (currentLang() === 'en' ? n.en : n.zh) ?? n.zh ?? '';
}
