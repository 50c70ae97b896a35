import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLang, setLang, type Lang } from '../i18n';

export function LanguageSwitch({ size = 'small' }: { size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  return (
    <Segmented<Lang>
      size={size}
      aria-label={t('lang.label')}
      value={currentLang()}
      options={[
        { label: t('lang.zh'), value: 'zh-CN' },
        { label: t('lang.en'), value: 'en' },
      ]}
      onChange={(v) => void setLang(v)}
    />
  );
}
