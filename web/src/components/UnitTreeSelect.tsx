import { TreeSelect } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { units as unitsApi } from '../api/endpoints';
import { buildUnitTree, type UnitNode } from '../lib/unitTree';
import { useLabels } from '../lib/labels';
import { useTranslation } from 'react-i18next';

interface TreeData {
  value: string;
  title: string;
  disabled?: boolean;
  children?: TreeData[];
}

/** Unit picker shown as the unit tree; `exclude` greys out units that may not be chosen. */
export function UnitTreeSelect({
  value,
  onChange,
  exclude,
  placeholder,
  allowClear = true,
  style,
  id,
}: {
  value?: string | null;
  onChange?: (v: string | undefined) => void;
  exclude?: Set<string>;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const q = useQuery({ queryKey: ['units'], queryFn: unitsApi.list });
  const toData = (n: UnitNode): TreeData => ({
    value: n.id,
    title: t('common.withNote', { main: n.name, note: labels.unitKind(n.kind) }),
    disabled: exclude?.has(n.id),
    children: n.children?.map(toData),
  });
  return (
    <TreeSelect
      id={id}
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange?.(v)}
      treeData={buildUnitTree(q.data ?? []).map(toData)}
      loading={q.isPending}
      placeholder={placeholder}
      allowClear={allowClear}
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll
      style={style}
    />
  );
}
