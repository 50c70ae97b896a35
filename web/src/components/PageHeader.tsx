import type { ReactNode } from 'react';
import { Button, Flex, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';

/** Title row of a detail page: back, title with tags, actions (wrapping on a phone). */
export function PageHeader({
  title,
  tags,
  extra,
  back,
}: {
  title: ReactNode;
  tags?: ReactNode;
  extra?: ReactNode;
  /** The list this page belongs to. */
  back: string;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Flex wrap gap={8} align="center" justify="space-between" style={{ marginBottom: 16 }}>
      <Flex gap={8} align="center" wrap style={{ minWidth: 0 }}>
        <Button
          type="text"
          icon={<ArrowLeftOutlined />}
          aria-label={t('common.back')}
          onClick={() => void navigate(back)}
        />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {tags}
      </Flex>
      {extra && (
        <Flex gap={8} wrap>
          {extra}
        </Flex>
      )}
    </Flex>
  );
}
