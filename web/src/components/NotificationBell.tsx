import { useState } from 'react';
import { Badge, Button, Empty, Flex, List, Popover, Tag, Tooltip, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { compliance as complianceApi, type AwaitingFinding, type Notification } from '../api/compliance';
import { formatShortTime } from '../lib/format';
import { named } from './VerdictTag';

/** How often the bell asks again while the page is open. */
const POLL_MS = 60_000;

/**
 * The header's bell: unread notifications (an A11.3 report waiting for the department
 * head, a decision on one's interruption record) and the findings awaiting the user — an
 * explanation they owe or a decision — each with its due date. A click opens the activity.
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const q = useQuery({
    queryKey: ['bell'],
    queryFn: complianceApi.bell,
    refetchInterval: POLL_MS,
    refetchOnWindowFocus: true,
  });
  const read = useMutation({
    mutationFn: (id: string) => complianceApi.markRead(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['bell'] }),
  });
  const bell = q.data;
  const unread = bell?.notifications.filter((n) => n.readAt === null) ?? [];
  const awaiting = bell?.awaiting ?? [];
  const count = (bell?.unread ?? 0) + awaiting.length;
  const now = Date.now();

  const go = (activityId: string | null) => {
    setOpen(false);
    if (activityId) void navigate(`/activities/${activityId}`);
  };
  const openNotification = (n: Notification) => {
    if (n.readAt === null) read.mutate(n.id);
    go(n.targetType === 'activity' ? n.targetId : null);
  };
  const due = (at: number | null) =>
    at === null ? null : (
      <Tag color={at < now ? 'error' : 'default'} style={{ marginInlineEnd: 0 }}>
        {t(at < now ? 'bell.overdue' : 'bell.due', { at: formatShortTime(at) })}
      </Tag>
    );

  const content = (
    <div style={{ width: 360, maxHeight: 460, overflowY: 'auto' }} data-testid="bell-panel">
      {count === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('bell.empty')} />}
      {unread.length > 0 && (
        <List<Notification>
          size="small"
          header={<Typography.Text strong>{t('bell.notifications')}</Typography.Text>}
          dataSource={unread}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer' }}
              onClick={() => openNotification(n)}
              data-testid="bell-notification"
            >
              <Flex vertical gap={2} style={{ width: '100%' }}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text>{named(n.title)}</Typography.Text>
                  {due(n.dueAt)}
                </Flex>
                <span className="zl-meta">{formatShortTime(n.createdAt)}</span>
              </Flex>
            </List.Item>
          )}
        />
      )}
      {awaiting.length > 0 && (
        <List<AwaitingFinding>
          size="small"
          header={<Typography.Text strong>{t('bell.awaiting')}</Typography.Text>}
          dataSource={awaiting}
          renderItem={(a) => (
            <List.Item
              style={{ cursor: 'pointer' }}
              onClick={() => go(a.activityId)}
              data-testid="bell-awaiting"
            >
              <Flex vertical gap={2} style={{ width: '100%' }}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text>
                    {named(a.name)} <span className="zl-meta zl-mono">{a.article}</span>
                  </Typography.Text>
                  {due(a.dueAt)}
                </Flex>
                <span className="zl-meta">
                  {t(a.owed === 'explain' ? 'bell.owedExplain' : 'bell.owedDecide')}
                </span>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </div>
  );

  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      content={content}
      title={t('bell.title')}
    >
      <Tooltip title={open ? undefined : t('bell.title')}>
        <Badge count={count} size="small" overflowCount={99}>
          <Button
            type="text"
            icon={<BellOutlined />}
            aria-label={t('bell.aria', { count })}
            data-testid="bell"
          />
        </Badge>
      </Tooltip>
    </Popover>
  );
}
