import { Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { users as usersApi } from '../api/endpoints';

/** Active users to pick from (officers for an activity or a case, a device's holder). */
export function useActiveUsers() {
  return useQuery({
    queryKey: ['users', { active: true }],
    queryFn: () => usersApi.list({ active: true }),
    staleTime: 60_000,
  });
}

export function UserSelect({
  value,
  onChange,
  multiple = false,
  placeholder,
  allowClear,
  id,
  style,
  only,
}: {
  value?: string | string[] | null;
  onChange?: (v: string | string[] | undefined) => void;
  multiple?: boolean;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  style?: React.CSSProperties;
  /** Offer only these users (e.g. the officers already chosen). */
  only?: string[];
}) {
  const { t } = useTranslation();
  const q = useActiveUsers();
  const list = (q.data ?? []).filter((u) => !only || only.includes(u.id));
  return (
    <Select<string | string[]>
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v)}
      loading={q.isPending}
      placeholder={placeholder}
      allowClear={allowClear}
      style={style}
      showSearch={{ optionFilterProp: 'search' }}
      options={list.map((u) => ({
        value: u.id,
        label: t('common.withNote', { main: u.name, note: u.code }),
        search: `${u.name} ${u.code} ${u.username}`,
      }))}
    />
  );
}
