import { useState } from 'react';
import { App, Button, Card, Checkbox, Form, Input, Radio, Select, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { activities as activitiesApi, cases as casesApi, subjects as subjectsApi } from '../api/registry';
import { ACTIVITY_TYPES, PERM, type ActivityType, type Subject } from '../api/types';
import { DateTimeInput } from '../components/DateTimeInput';
import { PageHeader } from '../components/PageHeader';
import { SubjectFormModal } from '../components/SubjectFormModal';
import { SubjectSelect } from '../components/SubjectSelect';
import { useActiveUsers, UserSelect } from '../components/UserSelect';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { MIN_ACTIVITY_OFFICERS } from '../lib/registry';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

interface FormValues {
  type: ActivityType;
  subjectId: string;
  caseId?: string;
  title?: string;
  address: string;
  plannedAt: number | null;
  officerIds: string[];
  inChargeId: string;
  remoteWork: boolean;
  notes?: string;
}

const QUARTER = 15 * 60_000;

export default function ActivityCreatePage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const showError = useErrorMessage();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const { data: me } = useMe();
  const users = useActiveUsers();
  const [form] = Form.useForm<FormValues>();
  const presetSubject = params.get('subjectId') ?? undefined;
  const subjectId = Form.useWatch('subjectId', form) ?? presetSubject;
  const officerIds = Form.useWatch('officerIds', form) ?? [];
  const [creatingSubject, setCreatingSubject] = useState(false);
  const [picked, setPicked] = useState<Pick<Subject, 'id' | 'name'> | undefined>();
  const preset = useQuery({
    queryKey: ['subjects', 'detail', presetSubject],
    queryFn: () => subjectsApi.get(presetSubject!),
    enabled: !!presetSubject,
  });
  const subjectCases = useQuery({
    queryKey: ['cases', { subjectId }],
    queryFn: () => casesApi.list({ subjectId }),
    enabled: !!subjectId,
  });

  const save = useMutation({
    mutationFn: (v: FormValues) =>
      activitiesApi.create({
        type: v.type,
        subjectId: v.subjectId,
        ...(v.caseId ? { caseId: v.caseId } : {}),
        ...(v.title?.trim() ? { title: v.title.trim() } : {}),
        address: v.address.trim(),
        plannedAt: v.plannedAt ?? Date.now(),
        officerIds: v.officerIds,
        inChargeId: v.inChargeId,
        remoteWork: v.remoteWork,
        ...(v.notes?.trim() ? { notes: v.notes.trim() } : {}),
      }),
    onSuccess: (a) => {
      void message.success(t('activities.created'));
      void qc.invalidateQueries({ queryKey: ['activities'] });
      void qc.invalidateQueries({ queryKey: ['dossier', a.subjectId] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      void navigate(`/activities/${a.id}`, { replace: true });
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          ACTIVITY_TOO_FEW_OFFICERS: 'officerIds',
          ACTIVITY_TOO_MANY_OFFICERS: 'officerIds',
          ACTIVITY_OFFICER_INVALID: 'officerIds',
          ACTIVITY_PLANNED_TIME_INVALID: 'plannedAt',
          ACTIVITY_IN_CHARGE_INVALID: 'inChargeId',
          SUBJECT_NOT_FOUND: 'subjectId',
          CASE_NOT_FOUND: 'caseId',
          ACTIVITY_CASE_SUBJECT_MISMATCH: 'caseId',
        })
      )
        showError(err);
    },
  });

  const fillAddress = (s: Subject | undefined) => {
    if (s?.address && !form.getFieldValue('address')) form.setFieldValue('address', s.address);
  };
  const subjectInitial = picked ?? (preset.data ? { id: preset.data.id, name: preset.data.name } : undefined);
  if (!can(me, PERM.activitiesManage)) return null;

  return (
    <div className="zl-narrow">
      <PageHeader back="/activities" title={t('activities.createTitle')} />
      <Card>
        <Form<FormValues>
          form={form}
          layout="vertical"
          size="large"
          initialValues={{
            type: 'routine_inspection',
            subjectId: presetSubject,
            caseId: params.get('caseId') ?? undefined,
            plannedAt: Math.ceil(Date.now() / QUARTER) * QUARTER,
            officerIds: me ? [me.id] : [],
            inChargeId: me?.id,
            remoteWork: false,
          }}
          onFinish={(v) => save.mutate(v)}
        >
          <Form.Item name="type" label={t('activities.type')} rules={[{ required: true }]}>
            <Select options={ACTIVITY_TYPES.map((a) => ({ value: a, label: labels.activityType(a) }))} />
          </Form.Item>
          <Form.Item
            name="subjectId"
            label={t('activities.subject')}
            rules={[{ required: true, message: t('activities.subjectRequired') }]}
            extra={
              can(me, PERM.subjectsManage) && (
                <Button
                  type="link"
                  size="small"
                  icon={<PlusOutlined />}
                  style={{ padding: 0 }}
                  onClick={() => setCreatingSubject(true)}
                >
                  {t('activities.newSubject')}
                </Button>
              )
            }
          >
            <SubjectSelect
              initial={subjectInitial}
              onPick={(s) => {
                fillAddress(s);
                form.setFieldValue('caseId', undefined);
              }}
            />
          </Form.Item>
          <Form.Item name="caseId" label={t('activities.case')}>
            <Select
              allowClear
              disabled={!subjectId}
              placeholder={t('activities.noCase')}
              loading={subjectCases.isFetching}
              options={(subjectCases.data ?? []).map((c) => ({
                value: c.id,
                label: `${c.caseNumber} ${c.title}`,
              }))}
            />
          </Form.Item>
          <Form.Item name="title" label={t('activities.activityTitle')}>
            <Input maxLength={200} placeholder={t('activities.titlePlaceholder')} />
          </Form.Item>
          <Form.Item
            name="address"
            label={t('activities.address')}
            rules={[{ required: true, whitespace: true, message: t('activities.addressRequired') }]}
          >
            <Input maxLength={400} />
          </Form.Item>
          <Form.Item
            name="plannedAt"
            label={t('activities.plannedAt')}
            rules={[{ required: true, message: t('common.required') }]}
          >
            <DateTimeInput nowButton />
          </Form.Item>
          <Form.Item
            name="officerIds"
            label={t('activities.officers')}
            extra={t('activities.officersHint', { count: MIN_ACTIVITY_OFFICERS })}
            rules={[
              {
                required: true,
                type: 'array',
                min: MIN_ACTIVITY_OFFICERS,
                message: t('activities.tooFewOfficers', { count: MIN_ACTIVITY_OFFICERS }),
              },
            ]}
          >
            <UserSelect
              multiple
              placeholder={t('activities.officersPlaceholder')}
              onChange={(v) => {
                const ids = (v as string[] | undefined) ?? [];
                if (!ids.includes(form.getFieldValue('inChargeId'))) form.setFieldValue('inChargeId', ids[0]);
              }}
            />
          </Form.Item>
          <Form.Item
            name="inChargeId"
            label={t('activities.inCharge')}
            rules={[{ required: true, message: t('activities.inChargeRequired') }]}
          >
            <Radio.Group
              options={officerIds.map((id) => ({
                value: id,
                label: users.data?.find((u) => u.id === id)?.name ?? id,
              }))}
            />
          </Form.Item>
          <Form.Item name="remoteWork" valuePropName="checked" extra={t('activities.remoteWorkHint')}>
            <Checkbox>{t('activities.remoteWork')}</Checkbox>
          </Form.Item>
          <Form.Item name="notes" label={t('activities.notes')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={save.isPending}>
            {t('activities.submit')}
          </Button>
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            {t('activities.createHint')}
          </Typography.Paragraph>
        </Form>
      </Card>
      {creatingSubject && (
        <SubjectFormModal
          onClose={() => setCreatingSubject(false)}
          onSaved={(s) => {
            setPicked({ id: s.id, name: s.name });
            form.setFieldValue('subjectId', s.id);
            fillAddress(s);
          }}
        />
      )}
    </div>
  );
}
