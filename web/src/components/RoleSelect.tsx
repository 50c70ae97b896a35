import { Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { roles as rolesApi } from '../api/endpoints';
import { PERM, ROLES, type Role } from '../api/types';
import { useLabels } from '../lib/labels';
import { useMe } from '../lib/useMe';
import { can } from '../lib/permissions';

/** Roles offered by the server (GET /roles) when readable, else the roles of the contract. */
export function useRoleOptions() {
  const labels = useLabels();
  const { data: me } = useMe();
  const q = useQuery({
    queryKey: ['roles'],
    queryFn: rolesApi.matrix,
    enabled: can(me, PERM.usersRead),
    staleTime: Infinity,
  });
  const roles: Role[] = q.data ? q.data.roles.map((r) => r.role) : [...ROLES];
  return roles.map((r) => ({ value: r, label: labels.role(r) }));
}

export function RoleSelect({
  value,
  onChange,
  multiple = false,
  placeholder,
  allowClear,
  style,
  id,
}: {
  value?: Role | Role[];
  onChange?: (v: Role | Role[] | undefined) => void;
  multiple?: boolean;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
}) {
  const options = useRoleOptions();
  return (
    <Select<Role | Role[]>
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={(v) => onChange?.(v)}
      options={options}
      placeholder={placeholder}
      allowClear={allowClear}
      showSearch={{ optionFilterProp: 'label' }}
      style={style}
    />
  );
}
