import { Badge, Card, Empty, Flex, Skeleton, Typography } from 'antd';
import {
  CheckCircleOutlined,
  ExclamationCircleFilled,
  InfoCircleFilled,
  RightOutlined,
  WarningFilled,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { todo as todoApi } from '../api/registry';
import type { TodoItem, TodoSeverity } from '../api/types';
import { currentLang } from '../i18n';
import { formatTime } from '../lib/time';

const ICON: Record<TodoSeverity, React.ReactNode> = {
  danger: <ExclamationCircleFilled style={{ color: '#cf1322' }} />,
  warning: <WarningFilled style={{ color: '#d48806' }} />,
  info: <InfoCircleFilled style={{ color: '#1a4f9c' }} />,
};

function Row({ item }: { item: TodoItem }) {
  const { t } = useTranslation();
  const title = currentLang() === 'en' && item.titleEn ? item.titleEn : item.title;
  const body = (
    <Flex gap={10} align="flex-start">
      <span style={{ fontSize: 16, lineHeight: '22px' }}>{ICON[item.severity]}</span>
      <div style={{ flex: 1, minWidth: 0 }}>
        <div style={{ color: 'rgba(0,0,0,0.88)' }}>{title}</div>
        {item.due !== null && <div className="zl-meta">{t('todo.due', { time: formatTime(item.due) })}</div>}
      </div>
      <RightOutlined style={{ color: 'rgba(0,0,0,0.35)', marginTop: 4 }} />
    </Flex>
  );
  // Links are paths in this app; anything else is shown without a link.
  return (
    <div className="zl-row zl-todo" data-testid="todo-item">
      {item.link.startsWith('/') ? <Link to={item.link}>{body}</Link> : body}
    </div>
  );
}

/** GET /todo: what needs doing now, by role. */
export function TodoCard() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['todo'], queryFn: todoApi.list, refetchInterval: 60_000, staleTime: 0 });
  const count = q.data?.length ?? 0;
  return (
    <Card
      title={
        <Flex gap={8} align="center">
          {t('todo.title')}
          {count > 0 && <Badge count={count} color="#1a4f9c" />}
        </Flex>
      }
      data-testid="todo-card"
    >
      {q.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : q.isError ? (
        <Typography.Text type="danger">{q.error.message}</Typography.Text>
      ) : count === 0 ? (
        <Empty
          image={<CheckCircleOutlined style={{ fontSize: 40, color: '#52c41a' }} />}
          styles={{ image: { height: 44 } }}
          description={t('todo.empty')}
        />
      ) : (
        q.data.map((item, i) => <Row key={`${item.kind}-${item.link}-${i}`} item={item} />)
      )}
    </Card>
  );
}
