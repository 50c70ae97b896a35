import { Empty, Flex, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Activity } from '../api/types';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { ActivityStatusTag, ExemptionStatusTag } from './RegistryTags';

/** Activities as compact rows (on a case, in a dossier side list). */
export function ActivityList({ items }: { items: Activity[] | undefined }) {
  const { t } = useTranslation();
  const labels = useLabels();
  if (!items || items.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('activities.empty')} />;
  return (
    <>
      {items.map((a) => (
        <Flex key={a.id} gap={8} wrap align="center" className="zl-row">
          <Link to={`/activities/${a.id}`}>
            <Typography.Text strong>{labels.activityType(a.type)}</Typography.Text>
            {a.title && (
              <span>
                {t('common.titleSeparator')}
                {a.title}
              </span>
            )}
          </Link>
          <ActivityStatusTag status={a.status} />
          {a.exemption && <ExemptionStatusTag status={a.exemption.status} />}
          <span className="zl-meta">
            {[
              formatTime(a.arrivedAt ?? a.plannedAt),
              a.officers.map((o) => o.name).join(t('common.listSeparator')),
            ].join(t('common.metaSeparator'))}
          </span>
          {a.notifiedAt && <Tag color="green">{t('notification.done')}</Tag>}
        </Flex>
      ))}
    </>
  );
}
