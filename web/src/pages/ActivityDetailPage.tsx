import { useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Popconfirm,
  Result,
  Row,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import {
  CloseCircleOutlined,
  EditOutlined,
  EnvironmentOutlined,
  FlagOutlined,
  HomeOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  activities as activitiesApi,
  checkouts as checkoutsApi,
  documents as documentsApi,
  type ActivityPatch,
} from '../api/registry';
import { PERM, type Activity } from '../api/types';
import { ActivityExemption } from '../components/ActivityExemption';
import { ActivityNotification } from '../components/ActivityNotification';
import { ComplianceCard } from '../components/ComplianceCard';
import { DateTimeInput } from '../components/DateTimeInput';
import { useDeviceTypes } from '../components/DeviceFormModal';
import { DocumentsCard } from '../components/DocumentsCard';
import { PageHeader } from '../components/PageHeader';
import { ActivityStatusTag, ExemptionStatusTag } from '../components/RegistryTags';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { canEditActivity, isActivityOpen, isOnTeam } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

type TimeField = 'arrivedAt' | 'endedAt' | 'returnedAt';

function useUpdate(a: Activity) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: ActivityPatch) => activitiesApi.update(a.id, patch),
    onSuccess: (updated) => {
      qc.setQueryData(['activities', 'detail', a.id], updated);
      void qc.invalidateQueries({ queryKey: ['activities'] });
      void qc.invalidateQueries({ queryKey: ['todo'] });
      void qc.invalidateQueries({ queryKey: ['dossier', a.subjectId] });
      void message.success(t('common.saved'));
    },
    onError: showError,
  });
}

/** One time of the activity: a big "now" button while empty, editable once set. */
function TimeRow({
  field,
  label,
  action,
  icon,
  activity: a,
  editable,
  disabledReason,
}: {
  field: TimeField;
  label: string;
  action: string;
  icon: React.ReactNode;
  activity: Activity;
  editable: boolean;
  disabledReason?: string;
}) {
  const { t } = useTranslation();
  const update = useUpdate(a);
  const value = a[field];
  const [draft, setDraft] = useState<number | null | undefined>(undefined);
  const editing = draft !== undefined;
  return (
    <div className="zl-row" data-testid={`time-${field}`}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">{label}</Typography.Text>
        {value !== null && !editing && (
          <Space size={4}>
            <Typography.Text strong style={{ fontVariantNumeric: 'tabular-nums' }}>
              {formatTime(value)}
            </Typography.Text>
            {editable && (
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                aria-label={t('common.edit')}
                onClick={() => setDraft(value)}
              />
            )}
          </Space>
        )}
      </Flex>
      {value === null && !editing && editable && (
        <Button
          type="primary"
          size="large"
          block
          icon={icon}
          disabled={!!disabledReason}
          loading={update.isPending}
          style={{ marginTop: 8 }}
          onClick={() => update.mutate({ [field]: Date.now() })}
        >
          {action}
        </Button>
      )}
      {value === null && !editing && editable && (
        <Flex justify="space-between" style={{ marginTop: 4 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {disabledReason ?? t('activity.setsNow')}
          </Typography.Text>
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setDraft(Date.now())}>
            {t('activity.enterTime')}
          </Button>
        </Flex>
      )}
      {value === null && !editable && (
        <Typography.Text type="secondary">{t('activity.notYet')}</Typography.Text>
      )}
      {editing && (
        <Flex gap={8} wrap style={{ marginTop: 8 }}>
          <div style={{ flex: '1 1 220px' }}>
            <DateTimeInput value={draft} onChange={setDraft} seconds nowButton />
          </div>
          <Space>
            <Button
              type="primary"
              loading={update.isPending}
              onClick={() =>
                update.mutate({ [field]: draft ?? null }, { onSuccess: () => setDraft(undefined) })
              }
            >
              {t('common.save')}
            </Button>
            <Button onClick={() => setDraft(undefined)}>{t('common.cancel')}</Button>
          </Space>
        </Flex>
      )}
    </div>
  );
}

function TimesCard({ activity: a, editable }: { activity: Activity; editable: boolean }) {
  const { t } = useTranslation();
  const update = useUpdate(a);
  const open = isActivityOpen(a);
  return (
    <Card
      title={t('activity.times')}
      extra={
        editable &&
        open && (
          <Popconfirm
            title={t('activity.cancelTitle')}
            description={t('activity.cancelConfirm')}
            okButtonProps={{ danger: true }}
            onConfirm={() => update.mutate({ status: 'cancelled' })}
          >
            <Button size="small" danger icon={<CloseCircleOutlined />}>
              {t('activity.cancel')}
            </Button>
          </Popconfirm>
        )
      }
    >
      <div className="zl-row">
        <Flex justify="space-between" gap={8} wrap>
          <Typography.Text type="secondary">{t('activities.plannedAt')}</Typography.Text>
          <Typography.Text>{formatTime(a.plannedAt)}</Typography.Text>
        </Flex>
      </div>
      <TimeRow
        field="arrivedAt"
        label={t('activity.arrivedAt')}
        action={t('activity.arrive')}
        icon={<EnvironmentOutlined />}
        activity={a}
        editable={editable && a.status !== 'cancelled'}
      />
      <TimeRow
        field="endedAt"
        label={t('activity.endedAt')}
        action={t('activity.end')}
        icon={<FlagOutlined />}
        activity={a}
        editable={editable && a.status !== 'cancelled'}
        disabledReason={a.arrivedAt === null ? t('activity.arriveFirst') : undefined}
      />
      {a.remoteWork && (
        <TimeRow
          field="returnedAt"
          label={t('activity.returnedAt')}
          action={t('activity.return')}
          icon={<HomeOutlined />}
          activity={a}
          editable={editable && a.status !== 'cancelled'}
          disabledReason={a.endedAt === null ? t('activity.endFirst') : undefined}
        />
      )}
    </Card>
  );
}

function DevicesCard({ activity: a, canAdd }: { activity: Activity; canAdd: boolean }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const types = useDeviceTypes();
  const [deviceId, setDeviceId] = useState<string | undefined>();
  const mine = useQuery({
    queryKey: ['checkouts', { open: true, officerId: me?.id }],
    queryFn: () => checkoutsApi.list({ open: true, officerId: me!.id }),
    enabled: canAdd && !!me,
  });
  const add = useMutation({
    mutationFn: (id: string) => activitiesApi.addDevice(a.id, id),
    onSuccess: (updated) => {
      qc.setQueryData(['activities', 'detail', a.id], updated);
      setDeviceId(undefined);
      void message.success(t('activity.deviceAdded'));
    },
    onError: showError,
  });
  const offered = (mine.data ?? []).filter(
    (c) => c.officerId === me?.id && !a.devices.some((d) => d.deviceId === c.deviceId),
  );
  const typeName = (id: string) => {
    const ty = types.data?.find((x) => x.id === id);
    return ty ? labels.typeName(ty) : id;
  };
  return (
    <Card title={t('activity.devices')}>
      {a.devices.length === 0 ? (
        <Typography.Text type="secondary">{t('activity.noDevices')}</Typography.Text>
      ) : (
        a.devices.map((d) => (
          <Flex key={d.deviceId} gap={8} wrap align="center" className="zl-row">
            <Link to={`/devices/${d.deviceId}`} className="zl-mono">
              {d.serial}
            </Link>
            <Tag>{typeName(d.typeId)}</Tag>
            <span className="zl-meta">{a.officers.find((o) => o.userId === d.officerId)?.name}</span>
          </Flex>
        ))
      )}
      {canAdd && (
        <Space.Compact style={{ width: '100%', marginTop: 12 }}>
          <Select
            style={{ flex: 1, minWidth: 0 }}
            aria-label={t('activity.pickDevice')}
            value={deviceId}
            onChange={setDeviceId}
            loading={mine.isPending}
            placeholder={offered.length ? t('activity.pickDevice') : t('activity.noOpenCheckouts')}
            disabled={!offered.length}
            options={offered.map((c) => ({ value: c.deviceId, label: c.deviceSerial }))}
          />
          <Button
            icon={<PlusOutlined />}
            disabled={!deviceId}
            loading={add.isPending}
            onClick={() => deviceId && add.mutate(deviceId)}
          >
            {t('common.add')}
          </Button>
        </Space.Compact>
      )}
    </Card>
  );
}

export default function ActivityDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const q = useQuery({ queryKey: ['activities', 'detail', id], queryFn: () => activitiesApi.get(id) });
  const docs = useQuery({
    queryKey: ['documents', { activityId: id }],
    queryFn: () => documentsApi.list({ activityId: id }),
  });

  if (q.isPending) return <Skeleton active />;
  if (q.isError) return <Result status="error" title={t('errors.loadFailed')} subTitle={q.error.message} />;
  const a = q.data;
  const onTeam = isOnTeam(a, me?.id);
  const editable = canEditActivity(a, me);
  const open = isActivityOpen(a);

  return (
    <>
      <PageHeader
        back="/activities"
        title={labels.activityType(a.type)}
        tags={
          <>
            <ActivityStatusTag status={a.status} />
            {a.exemption && <ExemptionStatusTag status={a.exemption.status} />}
            {a.remoteWork && <Tag color="purple">{t('activities.remoteWorkShort')}</Tag>}
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Flex vertical gap={16}>
            <Card size="small">
              <Descriptions
                column={1}
                size="small"
                items={[
                  {
                    key: 'subject',
                    label: t('activities.subject'),
                    children: <Link to={`/subjects/${a.subjectId}`}>{a.subjectName}</Link>,
                  },
                  ...(a.title
                    ? [{ key: 'title', label: t('activities.activityTitle'), children: a.title }]
                    : []),
                  { key: 'address', label: t('activities.address'), children: a.address },
                  ...(a.caseId
                    ? [
                        {
                          key: 'case',
                          label: t('activities.case'),
                          children: <Link to={`/cases/${a.caseId}`}>{a.caseNumber}</Link>,
                        },
                      ]
                    : []),
                  ...(a.notes ? [{ key: 'notes', label: t('activities.notes'), children: a.notes }] : []),
                ]}
              />
            </Card>
            <TimesCard activity={a} editable={editable} />
            <ActivityNotification activity={a} canRecord={onTeam && a.status !== 'cancelled'} />
            <ActivityExemption activity={a} canRequest={onTeam && can(me, PERM.exemptionsRequest)} />
          </Flex>
        </Col>
        <Col xs={24} lg={10}>
          <Flex vertical gap={16}>
            <Card title={t('activity.team')}>
              {a.officers.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
              ) : (
                a.officers.map((o) => (
                  <Flex key={o.userId} gap={8} align="center" wrap className="zl-row">
                    <Typography.Text strong>{o.name}</Typography.Text>
                    <span className="zl-meta">{t('activity.badge', { code: o.code })}</span>
                    {o.inCharge && <Tag color="blue">{t('activities.inCharge')}</Tag>}
                  </Flex>
                ))
              )}
            </Card>
            <DevicesCard activity={a} canAdd={onTeam && open && can(me, PERM.checkoutsOwn)} />
            <DocumentsCard
              owner={{ activityId: a.id }}
              items={docs.data}
              loading={docs.isPending}
              onUploaded={() => {
                void qc.invalidateQueries({ queryKey: ['documents'] });
                void qc.invalidateQueries({ queryKey: ['dossier', a.subjectId] });
              }}
            />
          </Flex>
        </Col>
        <Col span={24}>
          <ComplianceCard activity={a} />
        </Col>
      </Row>
    </>
  );
}
