import { Tag } from 'antd';
import { useLabels } from '../lib/labels';

export function RoleTags({ roles }: { roles: readonly string[] }) {
  const labels = useLabels();
  return (
    <>
      {roles.map((r) => (
        <Tag key={r} color={r === 'admin' ? 'geekblue' : 'blue'} variant="outlined">
          {labels.role(r)}
        </Tag>
      ))}
    </>
  );
}
