import { useEffect, useState } from 'react';
import { Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { subjects as subjectsApi } from '../api/registry';
import type { Subject } from '../api/types';
import { useLabels } from '../lib/labels';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** Subjects searched on the server by name, credit code or ID number. */
export function SubjectSelect({
  value,
  onChange,
  onPick,
  initial,
  placeholder,
  allowClear,
  id,
  style,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  /** The whole subject when one is chosen (e.g. to fill in its address). */
  onPick?: (s: Subject | undefined) => void;
  /** Shown while the search has not found it yet (an already chosen subject). */
  initial?: Pick<Subject, 'id' | 'name'>;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  style?: React.CSSProperties;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const list = useQuery({
    queryKey: ['subjects', { q }],
    queryFn: () => subjectsApi.list({ q: q || undefined }),
  });
  const found = list.data ?? [];
  const options = found.map((s) => ({
    value: s.id,
    label: s.name,
    desc: [labels.subjectType(s.type), s.creditCode ?? s.idNumber].filter(Boolean).join(' · '),
  }));
  if (initial && !found.some((s) => s.id === initial.id))
    options.unshift({ value: initial.id, label: initial.name, desc: '' });
  return (
    <Select<string>
      id={id}
      value={value}
      style={style}
      allowClear={allowClear}
      placeholder={placeholder ?? t('subjects.searchPlaceholder')}
      loading={list.isFetching}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      notFoundContent={list.isFetching ? t('common.loading') : t('subjects.noneFound')}
      options={options}
      optionRender={(o) => (
        <div>
          <div>{o.data.label}</div>
          {o.data.desc && <div style={{ fontSize: 12, color: 'rgba(0,0,0,0.45)' }}>{o.data.desc}</div>}
        </div>
      )}
      onChange={(v) => {
        onChange?.(v);
        onPick?.(found.find((s) => s.id === v));
      }}
    />
  );
}
