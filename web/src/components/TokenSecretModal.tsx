import { useTranslation } from 'react-i18next';
import { OneTimeSecretModal } from './OneTimeSecretModal';

export function TokenSecretModal({
  secret,
  onClose,
}: {
  secret: { value: string; name: string } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <OneTimeSecretModal
      open={secret !== null}
      title={t('tokens.secretTitle')}
      text={secret?.name}
      label={t('tokens.secretLabel')}
      secret={secret?.value ?? ''}
      warning={t('tokens.secretWarning')}
      onClose={onClose}
    />
  );
}
