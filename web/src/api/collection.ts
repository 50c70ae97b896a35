import { API_BASE, request } from './client';

// The collection's read side (docs/api.md § Recordings and imports (read)), the stations
// and the media jobs. Shapes mirror the server's; times are epoch milliseconds (UTC).

const id = encodeURIComponent;

export const RECORDING_KINDS = ['video', 'photo', 'audio', 'other'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];
export const IMPORT_STATUSES = ['running', 'completed', 'partial', 'aborted'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type FileStatus = 'imported' | 'duplicate' | 'failed';
export type MediaStatus = 'pending' | 'ready' | 'failed';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** Every finding code of the architecture's findings table (names in i18n `finding.*`). */
export const FINDING_CODES = [
  'PRECHECK_MISSING',
  'CLOCK_OFFSET',
  'NOT_RECORDED',
  'EXEMPTION_PENDING',
  'NOTIFICATION_MISSING',
  'LATE_START',
  'EARLY_STOP',
  'GAP',
  'GAP_NO_SPEECH',
  'GAP_UNREPORTED',
  'SEQUENCE_GAP',
  'EDITED',
  'AFTER_ACTIVITY',
  'UNREADABLE',
  'UNLINKED',
  'LATE_IMPORT',
  'NOT_DOCKED',
  'HOLDER_MISMATCH',
  'FIXITY_FAILED',
  'DUPLICATE',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** The codes a recording or an import can carry (the list's finding filter offers these). */
export const RECORDING_FINDING_CODES: FindingCode[] = [
  'EDITED',
  'UNREADABLE',
  'UNLINKED',
  'HOLDER_MISMATCH',
  'CLOCK_OFFSET',
  'LATE_IMPORT',
  'DUPLICATE',
];

export interface RecordingFilters {
  officer?: string;
  device?: string;
  subject?: string;
  activity?: string;
  from?: number;
  to?: number;
  kind?: RecordingKind;
  finding?: string;
  q?: string;
  linked?: boolean;
  page?: number;
  pageSize?: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface RecordingItem {
  id: string;
  kind: RecordingKind;
  recordedAt: number | null;
  durationMs: number | null;
  originalPath: string;
  deviceId: string;
  deviceSerial: string;
  holderId: string | null;
  holderName: string | null;
  activityId: string | null;
  activityTitle: string | null;
  activityType: string | null;
  subjectId: string | null;
  subjectName: string | null;
  findings: string[];
  mediaStatus: MediaStatus | null;
  hasThumbnail: boolean;
  important: boolean;
  size: number;
  sha256: string;
  importId: string;
}

export interface Finding {
  id: string;
  code: string;
  article: string;
  severity: 'info' | 'warning' | 'serious';
  status: 'open' | 'explained' | 'accepted' | 'violation';
  subjectType: string;
  subjectId: string;
  detail: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface MediaInfo {
  ok?: boolean;
  container?: string | null;
  durationMs?: number | null;
  bitRate?: number | null;
  creationTime?: string | number | null;
  video?: { codec?: string; width?: number; height?: number; fps?: number | null } | null;
  audio?: { codec?: string; sampleRate?: number | null; channels?: number | null } | null;
  gps?: { lat: number; lng: number } | null;
  error?: string;
  [k: string]: unknown;
}

export interface RecordingDetail extends RecordingItem {
  originalPathBytes: string | null;
  nameScheme: string;
  nameInfo: Record<string, unknown>;
  deviceLocalTime: string | null;
  timeSource: string;
  rawRecordedAt: number | null;
  clockOffsetMs: number | null;
  clockCheck: { id: string; checkedAt: number; offsetMs: number; toleranceMs: number; result: string } | null;
  endedAt: number | null;
  sequence: number | null;
  sequenceGroup: string | null;
  mediaOk: boolean;
  mediaInfo: MediaInfo | null;
  mediaError: string | null;
  importedAt: number;
  device: { id: string; serial: string; typeId: string; maker: string | null; model: string | null };
  holder: { id: string; name: string; code: string } | null;
  import: {
    id: string;
    source: string;
    stationId: string | null;
    actorName: string;
    startedAt: number;
    finishedAt: number | null;
    status: ImportStatus;
  };
  activity: {
    id: string;
    type: string;
    title: string | null;
    status: string;
    subjectId: string;
    subjectName: string | null;
    arrivedAt: number | null;
    endedAt: number | null;
  } | null;
  linkHistory: {
    at: number;
    actorName: string | null;
    from: string | null;
    to: string | null;
    fromLabel: string | null;
    toLabel: string | null;
    auto: boolean;
    reason: string | null;
    rule: string | null;
  }[];
  allFindings: Finding[];
  derivatives: { kind: string; size: number; mediaType: string; createdAt: number }[];
  speech: { atStart: boolean | null; speechMs: number | null; firstSpeechAtMs: number | null };
  jobs: {
    id: string;
    kind: string;
    status: JobStatus;
    attempts: number;
    maxAttempts: number;
    lastError: string | null;
    updatedAt: number;
  }[];
  mayLink: boolean;
}

export interface ImportFilters {
  device?: string;
  status?: ImportStatus;
  from?: number;
  to?: number;
  page?: number;
  pageSize?: number;
}

export interface ImportItem {
  id: string;
  deviceId: string;
  deviceSerial: string;
  source: 'cli' | 'station' | string;
  stationId: string | null;
  actorName: string;
  sourcePath: string | null;
  startedAt: number;
  finishedAt: number | null;
  status: ImportStatus;
  summary: {
    files: number;
    imported: number;
    duplicate: number;
    failed: number;
    bytes: number;
    findings: Record<string, number>;
    error?: string;
  };
}

export interface ImportFile {
  id: string;
  path: string;
  pathBytes: string | null;
  sha256: string | null;
  size: number | null;
  status: FileStatus;
  recordingId: string | null;
  kind: RecordingKind | null;
  recordedAt: number | null;
  findings: string[];
  error: { code: string; message: string; messageEn: string } | null;
}

export interface ImportDetail extends ImportItem {
  files: ImportFile[];
  filesTotal: number;
  findings: Finding[];
}

export interface Station {
  id: string;
  version: string;
  freeBytes: number | null;
  queue: number;
  lastError: string | null;
  docked: string[];
  lastSeenAt: number;
  firstSeenAt: number;
  online: boolean;
  imports: {
    id: string;
    deviceSerial: string;
    status: ImportStatus;
    startedAt: number;
    finishedAt: number | null;
  }[];
}

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  recordingId: string | null;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export const recordings = {
  list: (f: RecordingFilters) =>
    request<Paged<RecordingItem>>('/recordings', {
      query: { ...f, linked: f.linked === undefined ? undefined : String(f.linked) },
    }),
  get: (recordingId: string) => request<RecordingDetail>(`/recordings/${id(recordingId)}`),
  link: (recordingId: string, activityId: string | null, reason: string) =>
    request<{ recordingId: string; activityId: string | null; previousActivityId: string | null }>(
      `/recordings/${id(recordingId)}/link`,
      { method: 'POST', body: { activityId, reason } },
    ),
  /** For <img src>: the browser sends the session cookie; each fetch is audited. */
  thumbnailUrl: (recordingId: string) => `${API_BASE}/recordings/${id(recordingId)}/thumbnail`,
};

export const imports = {
  list: (f: ImportFilters) => request<Paged<ImportItem>>('/imports', { query: { ...f } }),
  get: (importId: string) => request<ImportDetail>(`/imports/${id(importId)}`),
};

export const stations = {
  list: () => request<{ items: Station[] }>('/stations').then((r) => r.items),
};

export const jobs = {
  failed: () =>
    request<{ items: Job[] }>('/jobs', { query: { status: 'failed', limit: 200 } }).then((r) => r.items),
};
