import { App, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { cases as casesApi } from '../api/registry';
import type { Case, Subject } from '../api/types';
import { applyFieldError } from '../lib/formErrors';
import { toDay } from '../lib/registry';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';
import { SubjectSelect } from './SubjectSelect';
import { useActiveUsers, UserSelect } from './UserSelect';

interface FormValues {
  caseNumber?: string;
  title: string;
  subjectId: string;
  filedOn: Dayjs;
  officerIds: string[];
  leadOfficerId: string;
  retention: 'years' | 'permanent';
  retentionYears?: number;
  summary?: string;
}

/** 立案: a new case; the number is generated from the pattern when left empty. */
export function CaseFormModal({
  subject,
  onClose,
  onCreated,
}: {
  subject?: Pick<Subject, 'id' | 'name'>;
  onClose: () => void;
  onCreated: (c: Case) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const users = useActiveUsers();
  const [form] = Form.useForm<FormValues>();
  const officerIds = Form.useWatch('officerIds', form) ?? [];
  const retention = Form.useWatch('retention', form) ?? 'years';

  const save = useMutation({
    mutationFn: (v: FormValues) =>
      casesApi.create({
        ...(v.caseNumber?.trim() ? { caseNumber: v.caseNumber.trim() } : {}),
        title: v.title.trim(),
        subjectId: v.subjectId,
        filedOn: toDay(v.filedOn),
        officerIds: v.officerIds,
        leadOfficerId: v.leadOfficerId,
        retentionYears: v.retention === 'permanent' ? null : (v.retentionYears ?? null),
        ...(v.summary?.trim() ? { summary: v.summary.trim() } : {}),
      }),
    onSuccess: (c) => {
      void message.success(t('cases.created', { number: c.caseNumber }));
      void qc.invalidateQueries({ queryKey: ['cases'] });
      void qc.invalidateQueries({ queryKey: ['dossier'] });
      onCreated(c);
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          CASE_NUMBER_TAKEN: 'caseNumber',
          CASE_NUMBER_UNIT_CODE_MISSING: 'caseNumber',
          CASE_OFFICERS_INVALID: 'officerIds',
          CASE_OFFICER_INACTIVE: 'officerIds',
          CASE_DATES_INVALID: 'filedOn',
          CASE_LEAD_INVALID: 'leadOfficerId',
          CASE_RETENTION_INVALID: 'retentionYears',
        })
      )
        showError(err);
    },
  });

  return (
    <Modal
      open
      title={t('cases.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{
          subjectId: subject?.id,
          filedOn: dayjs(),
          officerIds: me ? [me.id] : [],
          leadOfficerId: me?.id,
          retention: 'years',
          retentionYears: 30,
        }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="caseNumber" label={t('cases.caseNumber')} extra={t('cases.caseNumberHint')}>
          <Input maxLength={100} placeholder={t('cases.caseNumberPlaceholder')} />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('cases.caseTitle')}
          rules={[{ required: true, whitespace: true, message: t('cases.titleRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          name="subjectId"
          label={t('cases.subject')}
          rules={[{ required: true, message: t('cases.subjectRequired') }]}
        >
          <SubjectSelect initial={subject} />
        </Form.Item>
        <Form.Item
          name="filedOn"
          label={t('cases.filedOn')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="officerIds"
          label={t('cases.officers')}
          rules={[{ required: true, type: 'array', min: 1, message: t('cases.officersRequired') }]}
        >
          <UserSelect
            multiple
            onChange={(v) => {
              const ids = (v as string[] | undefined) ?? [];
              if (!ids.includes(form.getFieldValue('leadOfficerId')))
                form.setFieldValue('leadOfficerId', ids[0]);
            }}
          />
        </Form.Item>
        <Form.Item
          name="leadOfficerId"
          label={t('cases.lead')}
          rules={[{ required: true, message: t('cases.leadRequired') }]}
        >
          <Select
            options={officerIds.map((id) => {
              const u = users.data?.find((x) => x.id === id);
              return { value: id, label: u ? u.name : id };
            })}
          />
        </Form.Item>
        <Form.Item label={t('cases.retention')} required>
          <Space wrap>
            <Form.Item name="retention" noStyle>
              <Radio.Group
                options={[
                  { value: 'years', label: t('cases.retentionYearsOption') },
                  { value: 'permanent', label: t('cases.permanent') },
                ]}
              />
            </Form.Item>
            {retention === 'years' && (
              <Form.Item
                name="retentionYears"
                noStyle
                rules={[{ required: true, message: t('cases.retentionRequired') }]}
              >
                <InputNumber
                  min={1}
                  max={100}
                  precision={0}
                  suffix={t('cases.years')}
                  style={{ width: 120 }}
                />
              </Form.Item>
            )}
          </Space>
        </Form.Item>
        <Form.Item name="summary" label={t('cases.summary')}>
          <Input.TextArea rows={3} maxLength={8000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
