import { useState } from 'react';
import {
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  Result,
  Row,
  Skeleton,
  Statistic,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { TimelineItemType } from 'antd/es/timeline/Timeline';
import {
  AuditOutlined,
  EditOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  FolderOpenOutlined,
  PlusOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { compliance as complianceApi } from '../api/compliance';
import { documents as documentsApi, subjects as subjectsApi } from '../api/registry';
import {
  ACTIVITY_STATUSES,
  CASE_STATUSES,
  EXEMPTION_STATUSES,
  PERM,
  type ActivityStatus,
  type CaseStatus,
  type DossierEntry,
  type ExemptionStatus,
} from '../api/types';
import { CaseFormModal } from '../components/CaseFormModal';
import { DocumentsCard } from '../components/DocumentsCard';
import { PageHeader } from '../components/PageHeader';
import { ActivityStatusTag, CaseStatusTag, ExemptionStatusTag } from '../components/RegistryTags';
import { SubjectFormModal } from '../components/SubjectFormModal';
import { VerdictTag } from '../components/VerdictTag';
import { useLabels } from '../lib/labels';
import { can } from '../lib/permissions';
import { formatDay } from '../lib/format';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

const KIND_STYLE: Record<string, { color: string; icon: React.ReactNode }> = {
  activity: { color: 'blue', icon: <AuditOutlined /> },
  case: { color: 'purple', icon: <FolderOpenOutlined /> },
  document: { color: 'gray', icon: <FileTextOutlined /> },
  exemption: { color: 'orange', icon: <FileProtectOutlined /> },
  recording: { color: 'green', icon: <VideoCameraOutlined /> },
};

/** The activity's verdict (合规 / 待说明 / 不合规), from the same query as its detail page. */
function ActivityVerdict({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ['compliance', id],
    queryFn: () => complianceApi.forActivity(id),
    staleTime: 60_000,
  });
  return q.data ? <VerdictTag verdict={q.data.verdict} /> : null;
}

const isOneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

/** Where an entry of the timeline leads. */
function entryLink(e: DossierEntry): { to?: string; href?: string } {
  switch (e.kind) {
    case 'activity':
      return { to: `/activities/${e.id}` };
    case 'case':
      return { to: `/cases/${e.id}` };
    case 'exemption':
      return typeof e.detail.activityId === 'string' ? { to: `/activities/${e.detail.activityId}` } : {};
    case 'document':
      return { href: documentsApi.contentUrl(e.id) };
    default:
      return {};
  }
}

function EntryTags({ e }: { e: DossierEntry }) {
  const status = e.detail.status;
  if (e.kind === 'activity' && isOneOf<ActivityStatus>(ACTIVITY_STATUSES, status))
    return (
      <>
        <ActivityStatusTag status={status} />
        {status !== 'cancelled' && <ActivityVerdict id={e.id} />}
        {isOneOf<ExemptionStatus>(EXEMPTION_STATUSES, e.detail.exemptionStatus) && (
          <ExemptionStatusTag status={e.detail.exemptionStatus} />
        )}
      </>
    );
  if (e.kind === 'case' && isOneOf<CaseStatus>(CASE_STATUSES, status))
    return <CaseStatusTag status={status} />;
  if (e.kind === 'exemption' && isOneOf<ExemptionStatus>(EXEMPTION_STATUSES, status))
    return <ExemptionStatusTag status={status} />;
  return null;
}

function EntryDetail({ e }: { e: DossierEntry }) {
  const { t } = useTranslation();
  const d = e.detail;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const names = Array.isArray(d.officers)
    ? (d.officers as unknown[]).filter((x) => typeof x === 'string')
    : [];
  const parts = [
    str(d.address),
    names.length ? names.join(t('common.listSeparator')) : null,
    str(d.caseNumber) && e.kind === 'activity' ? str(d.caseNumber) : null,
    str(d.filename),
    str(d.uploadedByName),
    str(d.authorName) && t('dossier.byAuthor', { name: str(d.authorName) ?? '' }),
    str(d.reviewerName) && t('dossier.byReviewer', { name: str(d.reviewerName) ?? '' }),
  ].filter(Boolean);
  return parts.length ? <div className="zl-meta">{parts.join(t('common.metaSeparator'))}</div> : null;
}

function useTimelineItems(entries: DossierEntry[]): TimelineItemType[] {
  const { t } = useTranslation();
  const kinds = t('dossierKind', { returnObjects: true }) as Record<string, string>;
  return entries.map((e) => {
    const style = KIND_STYLE[e.kind] ?? { color: 'gray', icon: undefined };
    const link = entryLink(e);
    const title = link.to ? (
      <Link to={link.to}>{e.title}</Link>
    ) : link.href ? (
      <Typography.Link href={link.href} download>
        {e.title}
      </Typography.Link>
    ) : (
      e.title
    );
    const kindLabel = kinds[e.kind] ?? e.kind;
    return {
      key: `${e.kind}-${e.id}-${e.at}`,
      color: style.color,
      icon: style.icon,
      content: (
        <div data-testid={`dossier-entry-${e.kind}`}>
          <div className="zl-meta">{e.kind === 'case' ? formatDay(e.at) : formatTime(e.at)}</div>
          <Flex gap={6} wrap align="center">
            <Tag color={style.color === 'gray' ? undefined : style.color}>{kindLabel}</Tag>
            <span>{title}</span>
            <EntryTags e={e} />
          </Flex>
          <EntryDetail e={e} />
        </div>
      ),
    };
  });
}

export default function DossierPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const q = useQuery({ queryKey: ['dossier', id], queryFn: () => subjectsApi.dossier(id) });
  const [editing, setEditing] = useState(false);
  const [newCase, setNewCase] = useState(false);
  const items = useTimelineItems(q.data?.timeline ?? []);

  if (q.isPending) return <Skeleton active />;
  if (q.isError) return <Result status="error" title={t('errors.loadFailed')} subTitle={q.error.message} />;
  const { subject: s, activities, cases, documents } = q.data;

  return (
    <>
      <PageHeader
        back="/subjects"
        title={s.name}
        tags={
          <>
            <Tag>{labels.subjectType(s.type)}</Tag>
            <Tag color="geekblue">{t('dossier.badge')}</Tag>
          </>
        }
        extra={
          <>
            {can(me, PERM.activitiesManage) && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => void navigate(`/activities/new?subjectId=${s.id}`)}
              >
                {t('activities.create')}
              </Button>
            )}
            {can(me, PERM.casesManage) && (
              <Button icon={<PlusOutlined />} onClick={() => setNewCase(true)}>
                {t('cases.create')}
              </Button>
            )}
            {can(me, PERM.subjectsManage) && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            )}
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Card title={t('dossier.subjectCard')} style={{ marginBottom: 16 }}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'type', label: t('subjects.type'), children: labels.subjectType(s.type) },
                s.creditCode
                  ? {
                      key: 'cc',
                      label: t('subjects.creditCode'),
                      children: <span className="zl-mono">{s.creditCode}</span>,
                    }
                  : {
                      key: 'id',
                      label: t('subjects.idNumber'),
                      children: <span className="zl-mono">{s.idNumber}</span>,
                    },
                ...(s.type === 'individual'
                  ? []
                  : [
                      {
                        key: 'rep',
                        label: t('subjects.legalRepresentative'),
                        children: s.legalRepresentative,
                      },
                    ]),
                { key: 'address', label: t('subjects.address'), children: s.address },
                { key: 'contact', label: t('subjects.contact'), children: s.contact },
                ...(s.latitude !== null && s.longitude !== null
                  ? [
                      {
                        key: 'geo',
                        label: t('subjects.coordinates'),
                        children: `${s.latitude}, ${s.longitude}`,
                      },
                    ]
                  : []),
                { key: 'created', label: t('subjects.createdAt'), children: formatTime(s.createdAt) },
              ]}
            />
            <Row gutter={8} style={{ marginTop: 12 }}>
              <Col span={8}>
                <Statistic title={t('dossier.activities')} value={activities.length} />
              </Col>
              <Col span={8}>
                <Statistic title={t('dossier.cases')} value={cases.length} />
              </Col>
              <Col span={8}>
                <Statistic title={t('dossier.documents')} value={documents.length} />
              </Col>
            </Row>
          </Card>
          <DocumentsCard
            owner={{ subjectId: s.id }}
            items={documents}
            onUploaded={() => void qc.invalidateQueries({ queryKey: ['dossier', s.id] })}
          />
        </Col>
        <Col xs={24} lg={15}>
          <Card
            title={t('dossier.timeline')}
            extra={<span className="zl-meta">{t('dossier.newestFirst')}</span>}
          >
            {items.length ? (
              <div data-testid="dossier-timeline">
                <Timeline items={items} />
              </div>
            ) : (
              <Empty description={t('dossier.empty')} />
            )}
          </Card>
        </Col>
      </Row>
      {editing && (
        <SubjectFormModal subject={s} onClose={() => setEditing(false)} onSaved={() => void q.refetch()} />
      )}
      {newCase && (
        <CaseFormModal
          subject={s}
          onClose={() => setNewCase(false)}
          onCreated={(c) => void navigate(`/cases/${c.id}`)}
        />
      )}
    </>
  );
}
