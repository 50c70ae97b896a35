import { App } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client';

/** Shows any thrown error to the user; the server's message is already in their language. */
export function useErrorMessage(): (err: unknown) => void {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown) => {
      // The client already navigated away (login, forced password change): no toast on top.
      if (isApiError(err) && err.redirected) return;
      const text = isApiError(err)
        ? err.message
        : err instanceof Error
          ? err.message
          : t('errors.loadFailed');
      void message.error(text);
    },
    [message, t],
  );
}
