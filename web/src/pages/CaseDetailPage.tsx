import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Grid,
  Popconfirm,
  Result,
  Row,
  Skeleton,
  Steps,
  Tag,
  Typography,
} from 'antd';
import { ArrowRightOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { activities as activitiesApi, cases as casesApi, documents as documentsApi } from '../api/registry';
import { CASE_STATUSES, PERM, type Case, type CaseStatus } from '../api/types';
import { ActivityList } from '../components/ActivityList';
import { DocumentsCard } from '../components/DocumentsCard';
import { PageHeader } from '../components/PageHeader';
import { CaseStatusTag } from '../components/RegistryTags';
import { formatRetention } from '../lib/format';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { caseStepIndex, nextCaseStatus } from '../lib/registry';
import { useErrorMessage } from '../lib/useErrorMessage';
import { useMe } from '../lib/useMe';

const DATE_OF: Record<CaseStatus, keyof Case> = {
  filed: 'filedOn',
  investigating: 'filedOn',
  decided: 'decidedOn',
  closed: 'closedOn',
  archived: 'archivedOn',
};

export default function CaseDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const { message } = App.useApp();
  const showError = useErrorMessage();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  const { data: me } = useMe();
  const manage = can(me, PERM.casesManage);
  const q = useQuery({ queryKey: ['cases', 'detail', id], queryFn: () => casesApi.get(id) });
  const acts = useQuery({
    queryKey: ['activities', { caseId: id }],
    queryFn: () => activitiesApi.list({ caseId: id }),
  });
  const docs = useQuery({
    queryKey: ['documents', { caseId: id }],
    queryFn: () => documentsApi.list({ caseId: id }),
  });
  const advance = useMutation({
    mutationFn: (status: CaseStatus) => casesApi.update(id, { status }),
    onSuccess: (c) => {
      void message.success(t('cases.advanced', { status: labels.caseStatus(c.status) }));
      void qc.invalidateQueries({ queryKey: ['cases'] });
      void qc.invalidateQueries({ queryKey: ['dossier'] });
    },
    onError: showError,
  });

  if (q.isPending) return <Skeleton active />;
  if (q.isError) return <Result status="error" title={t('errors.loadFailed')} subTitle={q.error.message} />;
  const c = q.data;
  const next = nextCaseStatus(c.status);
  const current = caseStepIndex(c.status);

  return (
    <>
      <PageHeader
        back="/cases"
        title={c.caseNumber}
        tags={<CaseStatusTag status={c.status} />}
        extra={
          <>
            {can(me, PERM.activitiesManage) && c.status !== 'archived' && (
              <Button
                icon={<PlusOutlined />}
                onClick={() => void navigate(`/activities/new?subjectId=${c.subjectId}&caseId=${c.id}`)}
              >
                {t('activities.create')}
              </Button>
            )}
            {manage && next && (
              <Popconfirm
                title={t('cases.advanceTitle')}
                description={t('cases.advanceConfirm', { status: labels.caseStatus(next) })}
                onConfirm={() => advance.mutate(next)}
              >
                <Button type="primary" icon={<ArrowRightOutlined />} loading={advance.isPending}>
                  {t('cases.advanceTo', { status: labels.caseStatus(next) })}
                </Button>
              </Popconfirm>
            )}
          </>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Steps
          current={current}
          orientation={screens.md ? 'horizontal' : 'vertical'}
          size="small"
          items={CASE_STATUSES.map((s, i) => {
            const on = i <= current ? (c[DATE_OF[s]] as string | null) : null;
            return {
              title: labels.caseStatus(s),
              content: i === 1 ? undefined : on,
              status: i < current ? 'finish' : i === current ? 'process' : 'wait',
            };
          })}
        />
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('cases.info')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'title', label: t('cases.caseTitle'), children: c.title },
                {
                  key: 'subject',
                  label: t('cases.subject'),
                  children: <Link to={`/subjects/${c.subjectId}`}>{c.subjectName}</Link>,
                },
                { key: 'filed', label: t('cases.filedOn'), children: c.filedOn },
                { key: 'decided', label: t('cases.decidedOn'), children: c.decidedOn ?? '—' },
                { key: 'closed', label: t('cases.closedOn'), children: c.closedOn ?? '—' },
                { key: 'archived', label: t('cases.archivedOn'), children: c.archivedOn ?? '—' },
                {
                  key: 'retention',
                  label: t('cases.retention'),
                  children: formatRetention(c.retentionYears),
                },
                {
                  key: 'officers',
                  label: t('cases.officers'),
                  children: c.officers.map((o) => (
                    <Tag key={o.userId} color={o.lead ? 'blue' : undefined}>
                      {o.lead ? t('common.withNote', { main: o.name, note: t('cases.lead') }) : o.name}
                    </Tag>
                  )),
                },
                {
                  key: 'summary',
                  label: t('cases.summary'),
                  children: !c.summary ? (
                    '—'
                  ) : (
                    <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
                      {c.summary}
                    </Typography.Paragraph>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('cases.activities')} loading={acts.isPending} style={{ marginBottom: 16 }}>
            <ActivityList items={acts.data} />
          </Card>
          <DocumentsCard
            owner={{ caseId: c.id }}
            items={docs.data}
            loading={docs.isPending}
            onUploaded={() => {
              void qc.invalidateQueries({ queryKey: ['documents'] });
              void qc.invalidateQueries({ queryKey: ['dossier', c.subjectId] });
            }}
          />
        </Col>
      </Row>
    </>
  );
}
