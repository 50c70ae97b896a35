import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { User } from '../api/types';

export function UserStateTags({ user, now = Date.now() }: { user: User; now?: number }) {
  const { t } = useTranslation();
  const tags = [];
  if (!user.active) tags.push(<Tag key="inactive">{t('users.stateInactive')}</Tag>);
  if (user.lockedUntil !== null && user.lockedUntil > now)
    tags.push(
      <Tag key="locked" color="red">
        {t('users.stateLocked')}
      </Tag>,
    );
  if (user.mustChangePassword)
    tags.push(
      <Tag key="must" color="orange">
        {t('users.stateMustChange')}
      </Tag>,
    );
  if (user.totpEnabled)
    tags.push(
      <Tag key="mfa" color="green">
        {t('users.stateMfa')}
      </Tag>,
    );
  if (tags.length === 0) tags.push(<Tag key="ok">{t('users.stateNormal')}</Tag>);
  return <>{tags}</>;
}
