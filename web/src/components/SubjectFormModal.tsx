import { useState } from 'react';
import { App, Col, Form, Input, InputNumber, Modal, Row, Select } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';
import { subjects as subjectsApi, type SubjectInput } from '../api/registry';
import { SUBJECT_TYPES, type Subject, type SubjectType } from '../api/types';
import { applyDetailsField, applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { useErrorMessage } from '../lib/useErrorMessage';

interface FormValues {
  type: SubjectType;
  name: string;
  creditCode?: string;
  idNumber?: string;
  legalRepresentative?: string;
  address?: string;
  contact?: string;
  latitude?: number | null;
  longitude?: number | null;
}

type CodeField = 'creditCode' | 'idNumber';

/** The failing character of a code, found by the server's check (1-based position). */
interface BadChar {
  field: CodeField;
  value: string;
  position: number;
  expected: string | null;
}

const text = (v: string | undefined) => v?.trim() || null;

/** The code as typed, with the character the check rejected marked. */
function MarkedCode({ bad }: { bad: BadChar }) {
  const { t } = useTranslation();
  const i = bad.position - 1;
  if (i < 0 || i >= bad.value.length) return null;
  return (
    <div className="zl-code-mark" data-testid="code-mark">
      <span className="zl-mono">
        {bad.value.slice(0, i)}
        <mark>{bad.value[i]}</mark>
        {bad.value.slice(i + 1)}
      </span>
      {bad.expected && <span>{t('subjects.expectedChar', { expected: bad.expected })}</span>}
    </div>
  );
}

export function SubjectFormModal({
  subject,
  onClose,
  onSaved,
}: {
  subject?: Subject;
  onClose: () => void;
  onSaved?: (s: Subject) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const type = Form.useWatch('type', form) ?? subject?.type ?? 'farm';
  const person = type === 'individual';
  const [bad, setBad] = useState<BadChar | null>(null);

  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const input: SubjectInput = {
        type: v.type,
        name: v.name.trim(),
        creditCode: person ? null : (text(v.creditCode)?.toUpperCase() ?? null),
        idNumber: person ? (text(v.idNumber)?.toUpperCase() ?? null) : null,
        legalRepresentative: person ? null : text(v.legalRepresentative),
        address: text(v.address),
        contact: text(v.contact),
        latitude: v.latitude ?? null,
        longitude: v.longitude ?? null,
      };
      if (!subject) return subjectsApi.create(input);
      const patch: Partial<SubjectInput> = {};
      for (const [k, val] of Object.entries(input) as [keyof SubjectInput, unknown][])
        if (val !== subject[k]) (patch as Record<string, unknown>)[k] = val;
      return subjectsApi.update(subject.id, patch);
    },
    onSuccess: (s) => {
      void message.success(subject ? t('subjects.updated') : t('subjects.created'));
      void qc.invalidateQueries({ queryKey: ['subjects'] });
      onSaved?.(s);
      onClose();
    },
    onError: (err) => {
      if (isApiError(err) && (err.code === 'CREDIT_CODE_INVALID' || err.code === 'ID_NUMBER_INVALID')) {
        const field: CodeField = err.code === 'CREDIT_CODE_INVALID' ? 'creditCode' : 'idNumber';
        form.setFields([{ name: field, errors: [err.message] }]);
        const position = err.details.position;
        const value = String(form.getFieldValue(field) ?? '')
          .trim()
          .toUpperCase();
        setBad(
          typeof position === 'number'
            ? {
                field,
                value,
                position,
                expected: typeof err.details.expected === 'string' ? err.details.expected : null,
              }
            : null,
        );
        return;
      }
      if (applyDetailsField(form, err, ['creditCode', 'idNumber', 'name', 'type'])) return;
      if (!applyFieldError(form, err, { SUBJECT_EXISTS: person ? 'idNumber' : 'creditCode' })) showError(err);
    },
  });

  const codeField = (field: CodeField, label: string, placeholder: string) => (
    <Form.Item
      name={field}
      label={label}
      extra={bad?.field === field ? <MarkedCode bad={bad} /> : undefined}
      rules={[{ len: 18, message: t('subjects.codeLength') }]}
      normalize={(v: string) => v.toUpperCase()}
    >
      <Input
        className="zl-mono"
        maxLength={18}
        placeholder={placeholder}
        autoComplete="off"
        onChange={() => bad?.field === field && setBad(null)}
      />
    </Form.Item>
  );

  return (
    <Modal
      open
      title={subject ? t('subjects.editTitle') : t('subjects.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      confirmLoading={save.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={
          subject
            ? {
                ...subject,
                creditCode: subject.creditCode ?? undefined,
                idNumber: subject.idNumber ?? undefined,
                legalRepresentative: subject.legalRepresentative ?? undefined,
                address: subject.address ?? undefined,
                contact: subject.contact ?? undefined,
              }
            : { type: 'farm' }
        }
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="type" label={t('subjects.type')} rules={[{ required: true }]}>
          <Select options={SUBJECT_TYPES.map((s) => ({ value: s, label: labels.subjectType(s) }))} />
        </Form.Item>
        <Form.Item
          name="name"
          label={person ? t('subjects.personName') : t('subjects.name')}
          rules={[{ required: true, whitespace: true, message: t('subjects.nameRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        {person
          ? codeField('idNumber', t('subjects.idNumber'), t('subjects.idNumberPlaceholder'))
          : codeField('creditCode', t('subjects.creditCode'), t('subjects.creditCodePlaceholder'))}
        {!person && (
          <Form.Item name="legalRepresentative" label={t('subjects.legalRepresentative')}>
            <Input maxLength={100} />
          </Form.Item>
        )}
        <Form.Item name="address" label={t('subjects.address')}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="contact" label={t('subjects.contact')}>
          <Input maxLength={100} />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="latitude" label={t('subjects.latitude')}>
              <InputNumber min={-90} max={90} precision={6} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="longitude" label={t('subjects.longitude')}>
              <InputNumber min={-180} max={180} precision={6} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
