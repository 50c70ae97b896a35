import 'i18next';
import type zhCN from './zh-CN';

// Type-checks every t('…') key against the zh-CN resource.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof zhCN };
    returnNull: false;
  }
}
