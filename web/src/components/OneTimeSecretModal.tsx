import { Alert, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * Shows a password or token secret that the server will never show again.
 * Closing needs the explicit button (no ×, mask or Esc) so the secret is not lost by accident.
 */
export function OneTimeSecretModal({
  open,
  title,
  text,
  label,
  secret,
  warning,
  onClose,
}: {
  open: boolean;
  title: string;
  text?: string;
  label: string;
  secret: string;
  warning: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title}
      onOk={onClose}
      onCancel={onClose}
      okText={t('common.close')}
      cancelButtonProps={{ style: { display: 'none' } }}
      mask={{ closable: false }}
      closable={false}
      keyboard={false}
      destroyOnHidden
    >
      {text && <Typography.Paragraph>{text}</Typography.Paragraph>}
      <Typography.Text type="secondary">{label}</Typography.Text>
      <Typography.Paragraph
        className="zl-secret"
        copyable={{ text: secret, tooltips: [t('common.copy'), t('common.copied')] }}
        style={{ marginTop: 4 }}
      >
        <span data-testid="one-time-secret">{secret}</span>
      </Typography.Paragraph>
      <Alert type="warning" showIcon title={warning} />
    </Modal>
  );
}
