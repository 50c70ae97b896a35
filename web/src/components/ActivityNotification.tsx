import { App, Button, Card, Flex, Popconfirm, Skeleton, Typography } from 'antd';
import { CheckCircleFilled, PrinterOutlined, SoundOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { activities as activitiesApi } from '../api/registry';
import type { Activity } from '../api/types';
import { useLabels } from '../lib/labels';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';

/** A8.1: the wording read aloud before recording, printable, and the record that it was read. */
export function ActivityNotification({ activity: a, canRecord }: { activity: Activity; canRecord: boolean }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const script = useQuery({
    queryKey: ['activities', 'script', a.id, a.officers.map((o) => o.userId).join(',')],
    queryFn: () => activitiesApi.script(a.id),
  });
  const notified = useMutation({
    mutationFn: () => activitiesApi.notified(a.id),
    onSuccess: (updated) => {
      qc.setQueryData(['activities', 'detail', a.id], updated);
      void qc.invalidateQueries({ queryKey: ['activities'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      void message.success(t('notification.recorded'));
    },
    onError: showError,
  });
  const by = a.officers.find((o) => o.userId === a.notifiedBy)?.name;

  return (
    <Card
      className="zl-print-area"
      title={
        <span>
          <SoundOutlined /> {t('notification.title')}
        </span>
      }
      extra={
        <Button icon={<PrinterOutlined />} onClick={() => window.print()} className="zl-no-print">
          {t('common.print')}
        </Button>
      }
    >
      <div className="zl-print-only">
        <h2 style={{ textAlign: 'center' }}>{t('notification.printTitle')}</h2>
        <p>
          {[
            labels.activityType(a.type),
            a.subjectName,
            a.address,
            formatTime(a.arrivedAt ?? a.plannedAt),
          ].join(t('common.metaSeparator'))}
        </p>
      </div>
      {script.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : script.isError ? (
        <Typography.Text type="danger">{script.error.message}</Typography.Text>
      ) : (
        <p className="zl-script" data-testid="notification-script">
          {script.data.text}
        </p>
      )}
      <div className="zl-no-print">
        {a.notifiedAt ? (
          <Flex gap={8} align="center" wrap data-testid="notified">
            <CheckCircleFilled style={{ color: '#389e0d', fontSize: 18 }} />
            <Typography.Text strong>
              {t('notification.notifiedAt', { time: formatTime(a.notifiedAt), name: by ?? '' })}
            </Typography.Text>
          </Flex>
        ) : (
          <Typography.Paragraph type="secondary">{t('notification.hint')}</Typography.Paragraph>
        )}
        {canRecord && (
          <Popconfirm
            title={t('notification.confirmTitle')}
            description={a.notifiedAt ? t('notification.confirmAgain') : t('notification.confirm')}
            onConfirm={() => notified.mutate()}
          >
            <Button
              type={a.notifiedAt ? 'default' : 'primary'}
              size="large"
              block
              loading={notified.isPending}
              style={{ marginTop: 12 }}
            >
              {a.notifiedAt ? t('notification.recordAgain') : t('notification.record')}
            </Button>
          </Popconfirm>
        )}
      </div>
    </Card>
  );
}
