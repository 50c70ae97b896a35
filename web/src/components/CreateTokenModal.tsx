import { Form, Input, InputNumber, Modal, Radio, Select } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { tokens as tokensApi, users as usersApi } from '../api/endpoints';
import type { TokenScope } from '../api/types';
import { useErrorMessage } from '../lib/useErrorMessage';

interface Values {
  userId?: string;
  name: string;
  scope: TokenScope;
  expiresInDays?: number | null;
}

/**
 * New API token. With `pickUser` (tokens.manage) any user and scope may be chosen;
 * without it the token is the caller's own and of scope `api`.
 */
export function CreateTokenModal({
  pickUser,
  defaultUserId,
  onClose,
  onCreated,
}: {
  pickUser: boolean;
  defaultUserId?: string;
  onClose: () => void;
  onCreated: (secret: string, name: string) => void;
}) {
  const { t } = useTranslation();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const people = useQuery({ queryKey: ['users', {}], queryFn: () => usersApi.list({}), enabled: pickUser });

  const create = useMutation({
    mutationFn: (v: Values) =>
      tokensApi.create({
        ...(pickUser && v.userId ? { userId: v.userId } : {}),
        name: v.name.trim(),
        scope: pickUser ? v.scope : 'api',
        ...(v.expiresInDays ? { expiresInDays: v.expiresInDays } : {}),
      }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['tokens'] });
      onCreated(r.secret, r.token.name);
      onClose();
    },
    onError: (err) => showError(err),
  });

  return (
    <Modal
      open
      title={t('tokens.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      confirmLoading={create.isPending}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ scope: pickUser ? 'station' : 'api', userId: defaultUserId }}
        onFinish={(v) => create.mutate(v)}
      >
        {pickUser && (
          <Form.Item
            name="userId"
            label={t('tokens.user')}
            rules={[{ required: true, message: t('tokens.userRequired') }]}
          >
            <Select
              loading={people.isPending}
              showSearch={{ optionFilterProp: 'label' }}
              options={(people.data ?? []).map((u) => ({
                value: u.id,
                label: t('common.withNote', { main: u.name, note: u.username }),
              }))}
            />
          </Form.Item>
        )}
        <Form.Item
          name="name"
          label={t('tokens.name')}
          rules={[{ required: true, whitespace: true, message: t('tokens.nameRequired') }]}
        >
          <Input
            maxLength={100}
            placeholder={pickUser ? t('tokens.namePlaceholder') : t('tokens.namePlaceholderApi')}
          />
        </Form.Item>
        {pickUser && (
          <Form.Item name="scope" label={t('tokens.scope')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'station', label: t('tokens.scopeStation') },
                { value: 'api', label: t('tokens.scopeApi') },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item
          name="expiresInDays"
          label={t('tokens.expiresInDays')}
          extra={t('tokens.expiresInDaysHint')}
        >
          <InputNumber min={1} max={3650} precision={0} suffix={t('tokens.days')} style={{ width: 180 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
