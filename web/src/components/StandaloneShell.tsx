import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './LanguageSwitch';

/** The branded full-screen frame of the login and the forced set-up steps. */
export function StandaloneShell({ children, footer }: { children: ReactNode; footer?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="zl-login">
      <div style={{ position: 'absolute', top: 16, right: 16 }}>
        <LanguageSwitch />
      </div>
      <div className="zl-login-brand">
        <h1>{t('app.name')}</h1>
        <p>{t('app.subtitle')}</p>
      </div>
      {children}
      {footer && <div className="zl-login-footer">{footer}</div>}
    </div>
  );
}
