import { Typography } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { PasswordPolicy } from '../api/types';

/** The rules of GET /auth/password-policy; the one the server named in PASSWORD_WEAK is marked. */
export function PasswordPolicyList({ policy, brokenRule }: { policy: PasswordPolicy; brokenRule?: string }) {
  const { t } = useTranslation();
  const rules: { rule: string; text: string }[] = [
    { rule: 'min_length', text: t('password.ruleMinLength', { count: policy.minLength }) },
    { rule: 'max_length', text: t('password.ruleMaxLength', { count: policy.maxLength }) },
    { rule: 'char_classes', text: t('password.ruleCharClasses', { count: policy.minClasses }) },
    { rule: 'contains_username', text: t('password.ruleNoUsername') },
    { rule: 'common', text: t('password.ruleNotCommon') },
    { rule: 'same_as_current', text: t('password.ruleNotSame') },
  ];
  return (
    <div data-testid="password-policy">
      <Typography.Text strong>{t('password.policyTitle')}</Typography.Text>
      <ul style={{ margin: '4px 0 0', paddingLeft: 4, listStyle: 'none' }}>
        {rules.map(({ rule, text }) => {
          const broken = rule === brokenRule;
          return (
            <li key={rule}>
              <Typography.Text type={broken ? 'danger' : 'secondary'}>
                {broken ? <CloseCircleOutlined /> : <CheckCircleOutlined />} {text}
              </Typography.Text>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
