import { useState } from 'react';
import { Space, Tag, Tooltip, Typography } from 'antd';
import { AudioOutlined, CameraOutlined, FileOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  FINDING_CODES,
  recordings as recordingsApi,
  type FileStatus,
  type FindingCode,
  type ImportStatus,
  type JobStatus,
  type MediaStatus,
  type RecordingKind,
} from '../api/collection';

// Status and finding tags of the collection pages: one colour per meaning everywhere.

const isFindingCode = (c: string): c is FindingCode => (FINDING_CODES as readonly string[]).includes(c);

/** Serious findings red, the rest orange; duplicates are only noted. */
const FINDING_COLOR: Partial<Record<FindingCode, string>> = {
  SEQUENCE_GAP: 'red',
  EDITED: 'red',
  FIXITY_FAILED: 'red',
  NOT_RECORDED: 'red',
  DUPLICATE: 'default',
};

export function useFindingName() {
  const { t } = useTranslation();
  return (code: string) => (isFindingCode(code) ? t(`finding.${code}`) : code);
}

export function FindingTag({ code, article }: { code: string; article?: string }) {
  const name = useFindingName();
  return (
    <Tooltip title={article ? `${code} · ${article}` : code}>
      <Tag color={isFindingCode(code) ? (FINDING_COLOR[code] ?? 'orange') : 'orange'} data-code={code}>
        {name(code)}
      </Tag>
    </Tooltip>
  );
}

export function FindingTags({ codes }: { codes: string[] }) {
  if (codes.length === 0) return null;
  return (
    <Space size={[0, 4]} wrap>
      {codes.map((c) => (
        <FindingTag key={c} code={c} />
      ))}
    </Space>
  );
}

/** Count per finding code, as tags with the count. */
export function FindingCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  return (
    <Space size={[0, 4]} wrap>
      {entries.map(([code, n]) => (
        <span key={code}>
          <FindingTag code={code} />
          {n > 1 && <Typography.Text type="secondary">×{n}</Typography.Text>}
        </span>
      ))}
    </Space>
  );
}

const IMPORT_COLOR: Record<ImportStatus, string> = {
  running: 'processing',
  completed: 'success',
  partial: 'warning',
  aborted: 'error',
};

export function ImportStatusTag({ status }: { status: ImportStatus }) {
  const { t } = useTranslation();
  return <Tag color={IMPORT_COLOR[status] ?? 'default'}>{t(`importStatus.${status}`)}</Tag>;
}

const FILE_COLOR: Record<FileStatus, string> = { imported: 'success', duplicate: 'default', failed: 'error' };

export function FileStatusTag({ status }: { status: FileStatus }) {
  const { t } = useTranslation();
  return <Tag color={FILE_COLOR[status] ?? 'default'}>{t(`fileStatus.${status}`)}</Tag>;
}

const MEDIA_COLOR: Record<MediaStatus, string> = { pending: 'processing', ready: 'success', failed: 'error' };

export function MediaStatusTag({ status }: { status: MediaStatus | null }) {
  const { t } = useTranslation();
  if (status === null) return <Tag>{t('mediaStatus.none')}</Tag>;
  return <Tag color={MEDIA_COLOR[status] ?? 'default'}>{t(`mediaStatus.${status}`)}</Tag>;
}

const JOB_COLOR: Record<JobStatus, string> = {
  queued: 'default',
  running: 'processing',
  done: 'success',
  failed: 'error',
};

export function JobStatusTag({ status }: { status: JobStatus }) {
  const { t } = useTranslation();
  return <Tag color={JOB_COLOR[status] ?? 'default'}>{t(`jobStatus.${status}`)}</Tag>;
}

/** "media.thumbnail" → 缩略图. */
export function useJobKindName() {
  const { t } = useTranslation();
  return (kind: string) => {
    const k = kind.replace(/^media\./, '');
    return k === 'thumbnail' || k === 'proxy' || k === 'speech' ? t(`jobKind.${k}`) : kind;
  };
}

export function KindIcon({ kind, style }: { kind: string; style?: React.CSSProperties }) {
  if (kind === 'video') return <VideoCameraOutlined style={style} />;
  if (kind === 'photo') return <CameraOutlined style={style} />;
  if (kind === 'audio') return <AudioOutlined style={style} />;
  return <FileOutlined style={style} />;
}

/**
 * The recording's thumbnail (fetched with the session cookie; each fetch is audited, so the
 * browser's private cache keeps it an hour), or the kind's icon when there is none.
 */
export function RecordingThumb({
  id,
  kind,
  hasThumbnail,
  width = 96,
}: {
  id: string;
  kind: RecordingKind | string;
  hasThumbnail: boolean;
  width?: number;
}) {
  const { t } = useTranslation();
  const [broken, setBroken] = useState(false);
  const height = Math.round((width * 3) / 4);
  if (hasThumbnail && !broken)
    return (
      <img
        src={recordingsApi.thumbnailUrl(id)}
        alt={t('recordings.thumbnail')}
        width={width}
        height={height}
        loading="lazy"
        className="zl-thumb"
        onError={() => setBroken(true)}
      />
    );
  return (
    <Tooltip title={t('recordings.noThumbnail')}>
      <div
        className="zl-thumb zl-thumb-none"
        style={{ width, height }}
        role="img"
        aria-label={`${t(`recordingKind.${(['video', 'photo', 'audio'] as const).find((k) => k === kind) ?? 'other'}`)} · ${t('recordings.noThumbnail')}`}
      >
        <KindIcon kind={kind} style={{ fontSize: Math.round(width / 3) }} />
      </div>
    </Tooltip>
  );
}
