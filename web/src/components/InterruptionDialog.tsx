import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Descriptions,
  Divider,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  compliance as complianceApi,
  INTERRUPTION_REASONS,
  type ActivityCompliance,
  type Gap,
  type Interruption,
  type InterruptionInput,
  type InterruptionReason,
} from '../api/compliance';
import { formatDuration } from '../lib/collection';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { gapState, GapStateTag, SpeechTag } from './VerdictTag';

/** What the dialog answers: a gap of the timeline, or the early stop at its end. */
export type GapTarget = Pick<Gap, 'from' | 'to'> &
  Partial<Pick<Gap, 'resumedByRecordingId' | 'speechAtResume'>> & {
    interruptionId: string | null;
    /** An early stop (A9.1) has no resuming file and so no speech to measure. */
    earlyStop?: boolean;
  };

interface FormValues {
  reason: InterruptionReason;
  reasonText?: string;
  spokenConfirmed: boolean;
  stoppedForGood: boolean;
  report: boolean;
}

export function useInvalidateCompliance(activityId: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['compliance', activityId] });
    void qc.invalidateQueries({ queryKey: ['bell'] });
    void qc.invalidateQueries({ queryKey: ['compliance-dashboard'] });
    void qc.invalidateQueries({ queryKey: ['compliance-drill'] });
  };
}

/**
 * The interruption record of one gap (A11.1–A11.3): the officers give the reason from the
 * list, confirm they said it aloud on resuming (beside the system's own speech measure),
 * and where recording could not go on, report to the department head now and explain in
 * writing afterwards. Leaders and department heads not on the activity acknowledge the
 * report and accept or reject the record.
 */
export function InterruptionDialog({
  activityId,
  target,
  view,
  onClose,
}: {
  activityId: string;
  target: GapTarget;
  view: ActivityCompliance;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const invalidate = useInvalidateCompliance(activityId);
  const [form] = Form.useForm<FormValues>();
  const existing: Interruption | undefined = view.interruptions.find((i) => i.id === target.interruptionId);
  const [editing, setEditing] = useState(!existing);
  const [written, setWritten] = useState(existing?.writtenExplanation ?? '');
  const [comment, setComment] = useState('');
  const reason = Form.useWatch('reason', form);
  const stopped = Form.useWatch('stoppedForGood', form);
  const mayEdit = view.may.explain && existing?.decision !== 'accepted';
  const state = gapState({ ...target, resumedByRecordingId: null, speechAtResume: null }, view.interruptions);

  const done = (text: string) => {
    invalidate();
    void message.success(text);
  };

  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      const body: InterruptionInput = {
        reason: v.reason,
        reasonText: v.reasonText?.trim() ? v.reasonText.trim() : null,
        spokenConfirmed: v.spokenConfirmed,
        stoppedForGood: v.stoppedForGood,
      };
      if (existing) return complianceApi.updateInterruption(existing.id, body);
      return complianceApi.explainGap(activityId, {
        ...body,
        gapFrom: target.from,
        gapTo: target.to,
        report: v.stoppedForGood && v.report,
      });
    },
    onSuccess: () => {
      done(t('interruption.saved'));
      onClose();
    },
    onError: showError,
  });
  const report = useMutation({
    mutationFn: () => complianceApi.report(existing!.id),
    onSuccess: () => done(t('interruption.reportedOk')),
    onError: showError,
  });
  const writeUp = useMutation({
    mutationFn: () => complianceApi.explainInWriting(existing!.id, written),
    onSuccess: () => done(t('interruption.writtenSaved')),
    onError: showError,
  });
  const acknowledge = useMutation({
    mutationFn: () => complianceApi.acknowledge(existing!.id),
    onSuccess: () => done(t('interruption.acknowledgedOk')),
    onError: showError,
  });
  const decide = useMutation({
    mutationFn: (decision: 'accepted' | 'rejected') =>
      complianceApi.decideInterruption(existing!.id, decision, comment.trim()),
    onSuccess: (_r, decision) => {
      done(t(decision === 'accepted' ? 'interruption.acceptedOk' : 'interruption.rejectedOk'));
      onClose();
    },
    onError: showError,
  });

  const speechBeside = target.earlyStop ? null : (
    <Flex gap={4} align="center" data-testid="speech-measure">
      <Typography.Text type="secondary">{t('interruption.systemHeard')}</Typography.Text>
      <SpeechTag speech={target.speechAtResume ?? null} />
    </Flex>
  );

  const record = existing && (
    <Descriptions
      size="small"
      column={1}
      bordered
      data-testid="interruption-record"
      items={[
        {
          key: 'reason',
          label: t('interruption.reason'),
          children: existing.reasonText
            ? t('common.withNote', {
                main: t(`interruptionReason.${existing.reason}`),
                note: existing.reasonText,
              })
            : t(`interruptionReason.${existing.reason}`),
        },
        {
          key: 'spoken',
          label: t('interruption.spoken'),
          children: (
            <Flex gap={12} wrap align="center">
              <span>{existing.spokenConfirmed ? t('common.yes') : t('common.no')}</span>
              {speechBeside}
            </Flex>
          ),
        },
        {
          key: 'stopped',
          label: t('interruption.stoppedForGood'),
          children: existing.stoppedForGood ? t('common.yes') : t('common.no'),
        },
        ...(existing.stoppedForGood
          ? [
              {
                key: 'reported',
                label: t('interruption.reportedAt'),
                children: existing.reportedAt
                  ? existing.acknowledgedAt
                    ? t('interruption.reportedAcknowledged', {
                        at: formatTime(existing.reportedAt),
                        by: existing.acknowledgedByName ?? '',
                        ackAt: formatTime(existing.acknowledgedAt),
                      })
                    : t('interruption.reportedUnacknowledged', { at: formatTime(existing.reportedAt) })
                  : t('interruption.notReported'),
              },
              {
                key: 'written',
                label: t('interruption.written'),
                children: existing.writtenExplanation ?? t('interruption.notWritten'),
              },
            ]
          : []),
        {
          key: 'by',
          label: t('interruption.recordedBy'),
          children: t('interruption.recordedByValue', {
            name: existing.createdByName,
            at: formatTime(existing.createdAt),
          }),
        },
        ...(existing.decision
          ? [
              {
                key: 'decision',
                label: t('interruption.decision'),
                children: (
                  <span data-testid="interruption-decision">
                    {t(`interruption.decision_${existing.decision}`, {
                      name: existing.decidedByName ?? '',
                      at: formatTime(existing.decidedAt),
                    })}
                    {existing.decisionComment ? t('common.metaSeparator') + existing.decisionComment : ''}
                  </span>
                ),
              },
            ]
          : []),
      ]}
    />
  );

  const formView = (
    <Form<FormValues>
      form={form}
      layout="vertical"
      requiredMark="optional"
      initialValues={{
        reason: existing?.reason,
        reasonText: existing?.reasonText ?? '',
        spokenConfirmed: existing?.spokenConfirmed ?? false,
        stoppedForGood: existing?.stoppedForGood ?? !!target.earlyStop,
        report: true,
      }}
      onFinish={(v) => save.mutate(v)}
    >
      <Form.Item
        name="reason"
        label={t('interruption.reasonA111')}
        rules={[{ required: true, message: t('interruption.reasonRequired') }]}
      >
        <Radio.Group data-testid="interruption-reason">
          <Flex wrap gap={8}>
            {INTERRUPTION_REASONS.map((r) => (
              <Radio.Button key={r} value={r}>
                {t(`interruptionReason.${r}`)}
              </Radio.Button>
            ))}
          </Flex>
        </Radio.Group>
      </Form.Item>
      <Form.Item
        name="reasonText"
        label={t('interruption.reasonText')}
        rules={[
          {
            required: reason === 'other',
            whitespace: true,
            message: t('interruption.reasonTextRequired'),
          },
          { max: 1000 },
        ]}
      >
        <Input.TextArea
          rows={2}
          maxLength={1000}
          placeholder={reason === 'other' ? t('interruption.reasonTextOther') : t('interruption.optional')}
        />
      </Form.Item>
      <Flex gap={12} wrap align="center" style={{ marginBottom: 16 }}>
        <Form.Item name="spokenConfirmed" valuePropName="checked" noStyle>
          <Checkbox data-testid="spoken-confirmed">{t('interruption.spokenConfirm')}</Checkbox>
        </Form.Item>
        {speechBeside}
      </Flex>
      <Form.Item name="stoppedForGood" valuePropName="checked" style={{ marginBottom: 8 }}>
        <Checkbox>{t('interruption.stoppedConfirm')}</Checkbox>
      </Form.Item>
      {stopped && !existing?.reportedAt && !existing && (
        <Form.Item name="report" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox>{t('interruption.reportNow')}</Checkbox>
        </Form.Item>
      )}
    </Form>
  );

  const deciding = view.may.decide && existing;
  const footer = (
    <Flex justify="flex-end" gap={8} wrap>
      <Button onClick={onClose}>{t('common.close')}</Button>
      {editing && mayEdit && (
        <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
          {existing ? t('interruption.saveCorrection') : t('interruption.submit')}
        </Button>
      )}
    </Flex>
  );

  return (
    <Modal
      open
      title={target.earlyStop ? t('interruption.titleEarlyStop') : t('interruption.title')}
      onCancel={onClose}
      footer={footer}
      width={640}
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Flex gap={8} wrap align="center" data-testid="interruption-gap">
          <Typography.Text strong style={{ fontVariantNumeric: 'tabular-nums' }}>
            {t('time.range', { from: formatTime(target.from), to: formatTime(target.to) })}
          </Typography.Text>
          <Tag>{formatDuration(target.to - target.from)}</Tag>
          <GapStateTag state={state} />
          {target.resumedByRecordingId && (
            <Link to={`/recordings/${target.resumedByRecordingId}`}>{t('interruption.resumedBy')}</Link>
          )}
        </Flex>
        {!existing && !view.may.explain && <Alert type="info" showIcon title={t('interruption.noneYet')} />}
        {record}
        {existing && mayEdit && !editing && (
          <Flex gap={8} wrap>
            <Button onClick={() => setEditing(true)}>{t('interruption.correct')}</Button>
            {existing.stoppedForGood && !existing.reportedAt && (
              <Button type="primary" danger loading={report.isPending} onClick={() => report.mutate()}>
                {t('interruption.reportButton')}
              </Button>
            )}
          </Flex>
        )}
        {editing && mayEdit && (
          <>
            {existing && <Divider style={{ margin: '4px 0' }} />}
            {existing?.decision === 'rejected' && (
              <Alert type="warning" showIcon title={t('interruption.rejectedHint')} />
            )}
            {formView}
          </>
        )}
        {existing?.stoppedForGood && view.may.explain && (
          <Flex vertical gap={8}>
            <Typography.Text type="secondary">{t('interruption.writtenHint')}</Typography.Text>
            <Input.TextArea
              rows={3}
              maxLength={5000}
              value={written}
              onChange={(e) => setWritten(e.target.value)}
              aria-label={t('interruption.written')}
            />
            <div>
              <Button
                disabled={!written.trim() || written === existing.writtenExplanation}
                loading={writeUp.isPending}
                onClick={() => writeUp.mutate()}
              >
                {t('interruption.saveWritten')}
              </Button>
            </div>
          </Flex>
        )}
        {deciding && (
          <Flex vertical gap={8} data-testid="interruption-decide">
            <Divider style={{ margin: '4px 0' }} />
            {existing.reportedAt && !existing.acknowledgedAt && (
              <div>
                <Button loading={acknowledge.isPending} onClick={() => acknowledge.mutate()}>
                  {t('interruption.acknowledge')}
                </Button>
              </div>
            )}
            <Input.TextArea
              rows={2}
              maxLength={2000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder={t('compliance.commentPlaceholder')}
              aria-label={t('compliance.comment')}
            />
            <Space wrap>
              <Button
                type="primary"
                disabled={existing.decision === 'accepted'}
                loading={decide.isPending && decide.variables === 'accepted'}
                onClick={() => decide.mutate('accepted')}
              >
                {t('compliance.accept')}
              </Button>
              <Popconfirm
                title={t('compliance.rejectTitle')}
                description={t('compliance.rejectNeedsReason')}
                disabled={!comment.trim()}
                onConfirm={() => decide.mutate('rejected')}
              >
                <Button
                  danger
                  disabled={!comment.trim() || existing.decision === 'rejected'}
                  loading={decide.isPending && decide.variables === 'rejected'}
                >
                  {t('compliance.reject')}
                </Button>
              </Popconfirm>
            </Space>
          </Flex>
        )}
      </Flex>
    </Modal>
  );
}
