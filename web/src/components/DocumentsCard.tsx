import { useState } from 'react';
import { App, Button, Card, Empty, Flex, Form, Input, Modal, Select, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import { DownloadOutlined, FileTextOutlined, InboxOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { documents as documentsApi } from '../api/registry';
import {
  DOCUMENT_KINDS,
  PERM,
  type DocumentKind,
  type DocumentOwner,
  type DocumentRecord,
} from '../api/types';
import { formatFileSize } from '../lib/format';
import { applyFieldError } from '../lib/formErrors';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { DOCUMENT_ACCEPT, MAX_DOCUMENT_BYTES } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

interface FormValues {
  kind: DocumentKind;
  title: string;
  files: UploadFile[];
}

const baseName = (name: string) => name.replace(/\.[^.]+$/, '');

function UploadModal({
  owner,
  onClose,
  onUploaded,
}: {
  owner: DocumentOwner;
  onClose: () => void;
  onUploaded: (d: DocumentRecord) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const showError = useErrorMessage();
  const [form] = Form.useForm<FormValues>();
  const upload = useMutation({
    mutationFn: (v: FormValues) => {
      const file = v.files[0]?.originFileObj;
      if (!file) throw new Error(t('documents.fileRequired'));
      return documentsApi.upload({ ...owner, file, kind: v.kind, title: v.title.trim() });
    },
    onSuccess: (d) => {
      void message.success(t('documents.uploaded'));
      onUploaded(d);
      onClose();
    },
    onError: (err) => {
      if (
        !applyFieldError(form, err, {
          DOCUMENT_TYPE_NOT_ALLOWED: 'files',
          DOCUMENT_TOO_LARGE: 'files',
          DOCUMENT_EMPTY: 'files',
        })
      )
        showError(err);
    },
  });
  return (
    <Modal
      open
      title={t('documents.uploadTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('documents.upload')}
      confirmLoading={upload.isPending}
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'inspection_record', files: [] }}
        onFinish={(v) => upload.mutate(v)}
      >
        <Form.Item
          name="files"
          label={t('documents.file')}
          valuePropName="fileList"
          getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList.slice(-1)}
          extra={t('documents.fileHint')}
          rules={[
            { required: true, type: 'array', min: 1, message: t('documents.fileRequired') },
            {
              validator: (_, files: UploadFile[] | undefined) =>
                (files?.[0]?.size ?? 0) > MAX_DOCUMENT_BYTES
                  ? Promise.reject(new Error(t('documents.tooLarge')))
                  : Promise.resolve(),
            },
          ]}
        >
          <Upload.Dragger
            accept={DOCUMENT_ACCEPT}
            maxCount={1}
            beforeUpload={(file) => {
              // Sent with the form, not on its own; the title follows the file name.
              if (!form.getFieldValue('title')) form.setFieldValue('title', baseName(file.name));
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{t('documents.dropHint')}</p>
          </Upload.Dragger>
        </Form.Item>
        <Form.Item name="kind" label={t('documents.kind')} rules={[{ required: true }]}>
          <Select options={DOCUMENT_KINDS.map((k) => ({ value: k, label: labels.documentKind(k) }))} />
        </Form.Item>
        <Form.Item
          name="title"
          label={t('documents.title')}
          rules={[{ required: true, whitespace: true, message: t('documents.titleRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function DocumentRow({ d }: { d: DocumentRecord }) {
  const { t } = useTranslation();
  const labels = useLabels();
  return (
    <Flex gap={12} align="flex-start" className="zl-row" data-testid="document-row">
      <FileTextOutlined style={{ fontSize: 20, color: '#1a4f9c', marginTop: 3 }} />
      <div style={{ flex: 1, minWidth: 0 }}>
        <Typography.Link href={documentsApi.contentUrl(d.id)} download={d.filename} strong>
          {d.title}
        </Typography.Link>
        <div className="zl-meta">
          {[
            labels.documentKind(d.kind),
            d.filename,
            formatFileSize(d.size),
            d.uploadedByName,
            formatTime(d.uploadedAt),
          ].join(t('common.metaSeparator'))}
        </div>
      </div>
      <Button
        size="small"
        icon={<DownloadOutlined />}
        href={documentsApi.contentUrl(d.id)}
        download={d.filename}
        aria-label={t('documents.download')}
      />
    </Flex>
  );
}

/** The documents of a subject, case or activity, with upload. */
export function DocumentsCard({
  owner,
  items,
  loading,
  onUploaded,
  title,
}: {
  owner: DocumentOwner;
  items: DocumentRecord[] | undefined;
  loading?: boolean;
  onUploaded: (d: DocumentRecord) => void;
  title?: string;
}) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const [open, setOpen] = useState(false);
  return (
    <Card
      title={title ?? t('documents.cardTitle')}
      loading={loading}
      extra={
        can(me, PERM.documentsUpload) && (
          <Button icon={<UploadOutlined />} onClick={() => setOpen(true)}>
            {t('documents.upload')}
          </Button>
        )
      }
    >
      {items && items.length > 0 ? (
        items.map((d) => <DocumentRow key={d.id} d={d} />)
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('documents.empty')} />
      )}
      {open && <UploadModal owner={owner} onClose={() => setOpen(false)} onUploaded={onUploaded} />}
    </Card>
  );
}
