import { API_BASE, buildQuery, request } from './client';
import type {
  Activity,
  ActivityFilters,
  ActivityStatus,
  ActivityType,
  Case,
  CaseStatus,
  Checkout,
  ConsumableItem,
  Device,
  DeviceCheck,
  DeviceDetail,
  DeviceEvent,
  DeviceEventKind,
  DeviceFilters,
  DeviceType,
  DocumentKind,
  DocumentOwner,
  DocumentRecord,
  Dossier,
  EquipmentReport,
  Exemption,
  ExemptionCategory,
  ExemptionListItem,
  ExemptionStatus,
  NotificationScript,
  NotificationTemplate,
  RegistrySettings,
  Subject,
  SubjectType,
  TodoItem,
} from './types';

// One function per endpoint of docs/api.md § Registry; components never build URLs themselves.

const id = encodeURIComponent;

export interface DeviceInput {
  serial: string;
  typeId: string;
  assetNumber?: string | null;
  maker?: string | null;
  model?: string | null;
  unitId?: string | null;
  purchaseDate?: string | null;
  purchaseCostCents?: number | null;
  holderId?: string | null;
  notes?: string | null;
}

export type DevicePatch = Partial<Omit<DeviceInput, 'serial' | 'typeId' | 'holderId'>> & {
  status?: 'in_stock' | 'maintenance';
};

export interface DeviceEventInput {
  kind: DeviceEventKind;
  occurredOn: string;
  description: string;
  item?: ConsumableItem | null;
  quantity?: number | null;
  costCents?: number | null;
  vendor?: string | null;
}

export interface StockConsumableInput {
  unitId?: string | null;
  occurredOn: string;
  item: ConsumableItem;
  quantity: number;
  costCents: number;
  description: string;
  vendor?: string | null;
}

export interface CheckoutInput {
  officerId?: string;
  activityId?: string;
  dueAt?: number;
  remoteWork?: boolean;
  notes?: string;
}

export interface CheckInput {
  batteryPercent: number;
  freeStorageMb: number;
  deviceTime: number;
}

export const deviceTypes = {
  list: () => request<{ items: DeviceType[] }>('/device-types').then((r) => r.items),
};

export const devices = {
  list: (f: DeviceFilters) =>
    request<{ items: Device[] }>('/devices', {
      query: { q: f.q, typeId: f.typeId, status: f.status, holderId: f.holderId, unitId: f.unitId },
    }).then((r) => r.items),
  get: (deviceId: string) => request<DeviceDetail>(`/devices/${id(deviceId)}`),
  create: (input: DeviceInput) => request<Device>('/devices', { method: 'POST', body: input }),
  update: (deviceId: string, patch: DevicePatch) =>
    request<Device>(`/devices/${id(deviceId)}`, { method: 'PATCH', body: patch }),
  changeHolder: (deviceId: string, holderId: string | null, reason: string) =>
    request<Device>(`/devices/${id(deviceId)}/holder`, { method: 'POST', body: { holderId, reason } }),
  addEvent: (deviceId: string, input: DeviceEventInput) =>
    request<DeviceEvent>(`/devices/${id(deviceId)}/events`, { method: 'POST', body: input }),
  checkout: (deviceId: string, input: CheckoutInput) =>
    request<Checkout>(`/devices/${id(deviceId)}/checkout`, { method: 'POST', body: input }),
  check: (deviceId: string, input: CheckInput) =>
    request<DeviceCheck>(`/devices/${id(deviceId)}/checks`, { method: 'POST', body: input }),
};

export const consumables = {
  buyForStock: (input: StockConsumableInput) =>
    request<DeviceEvent>('/consumables', { method: 'POST', body: input }),
};

export const checkouts = {
  list: (f: { open?: boolean; officerId?: string; deviceId?: string }) =>
    request<{ items: Checkout[] }>('/checkouts', {
      query: { open: f.open, officerId: f.officerId, deviceId: f.deviceId },
    }).then((r) => r.items),
  checkin: (checkoutId: string, input: { returnedAt?: number; notes?: string }) =>
    request<Checkout>(`/checkouts/${id(checkoutId)}/checkin`, { method: 'POST', body: input }),
};

export const registrySettings = {
  get: () => request<RegistrySettings>('/settings/registry'),
  put: (s: RegistrySettings) => request<RegistrySettings>('/settings/registry', { method: 'PUT', body: s }),
};

export interface SubjectInput {
  type: SubjectType;
  name: string;
  creditCode?: string | null;
  idNumber?: string | null;
  legalRepresentative?: string | null;
  address?: string | null;
  contact?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  unitId?: string | null;
}

export const subjects = {
  list: (f: { q?: string; type?: SubjectType }) =>
    request<{ items: Subject[] }>('/subjects', { query: { q: f.q, type: f.type } }).then((r) => r.items),
  get: (subjectId: string) => request<Subject>(`/subjects/${id(subjectId)}`),
  create: (input: SubjectInput) => request<Subject>('/subjects', { method: 'POST', body: input }),
  update: (subjectId: string, patch: Partial<SubjectInput>) =>
    request<Subject>(`/subjects/${id(subjectId)}`, { method: 'PATCH', body: patch }),
  dossier: (subjectId: string) => request<Dossier>(`/subjects/${id(subjectId)}/dossier`),
};

export interface CaseInput {
  caseNumber?: string;
  title: string;
  subjectId: string;
  filedOn: string;
  officerIds: string[];
  leadOfficerId: string;
  retentionYears?: number | null;
  summary?: string;
}

export interface CasePatch {
  title?: string;
  summary?: string | null;
  retentionYears?: number | null;
  status?: CaseStatus;
  officerIds?: string[];
  leadOfficerId?: string;
}

export const cases = {
  list: (f: { q?: string; status?: CaseStatus; subjectId?: string }) =>
    request<{ items: Case[] }>('/cases', {
      query: { q: f.q, status: f.status, subjectId: f.subjectId },
    }).then((r) => r.items),
  get: (caseId: string) => request<Case>(`/cases/${id(caseId)}`),
  create: (input: CaseInput) => request<Case>('/cases', { method: 'POST', body: input }),
  update: (caseId: string, patch: CasePatch) =>
    request<Case>(`/cases/${id(caseId)}`, { method: 'PATCH', body: patch }),
};

export interface ActivityInput {
  type: ActivityType;
  title?: string;
  subjectId: string;
  caseId?: string;
  address: string;
  latitude?: number;
  longitude?: number;
  plannedAt: number;
  officerIds: string[];
  inChargeId: string;
  remoteWork?: boolean;
  notes?: string;
}

export interface ActivityPatch {
  arrivedAt?: number | null;
  endedAt?: number | null;
  returnedAt?: number | null;
  remoteWork?: boolean;
  status?: ActivityStatus;
  address?: string;
  notes?: string | null;
  officerIds?: string[];
  inChargeId?: string;
}

export const activities = {
  list: (f: ActivityFilters) =>
    request<{ items: Activity[] }>('/activities', {
      query: {
        from: f.from,
        to: f.to,
        subjectId: f.subjectId,
        caseId: f.caseId,
        officerId: f.officerId,
        status: f.status,
        mine: f.mine || undefined,
      },
    }).then((r) => r.items),
  get: (activityId: string) => request<Activity>(`/activities/${id(activityId)}`),
  create: (input: ActivityInput) => request<Activity>('/activities', { method: 'POST', body: input }),
  update: (activityId: string, patch: ActivityPatch) =>
    request<Activity>(`/activities/${id(activityId)}`, { method: 'PATCH', body: patch }),
  addDevice: (activityId: string, deviceId: string) =>
    request<Activity>(`/activities/${id(activityId)}/devices`, { method: 'POST', body: { deviceId } }),
  notified: (activityId: string, at?: number) =>
    request<Activity>(`/activities/${id(activityId)}/notified`, {
      method: 'POST',
      body: at === undefined ? {} : { at },
    }),
  script: (activityId: string) =>
    request<NotificationScript>(`/activities/${id(activityId)}/notification-script`),
  requestExemption: (
    activityId: string,
    input: { category: ExemptionCategory; reason: string; basis: string },
  ) => request<Exemption>(`/activities/${id(activityId)}/exemptions`, { method: 'POST', body: input }),
};

export const notificationTemplates = {
  get: (unitId: string) => request<NotificationTemplate>(`/notification-templates/${id(unitId)}`),
  put: (unitId: string, template: string) =>
    request<NotificationTemplate>(`/notification-templates/${id(unitId)}`, {
      method: 'PUT',
      body: { template },
    }),
};

export const exemptions = {
  list: (f: { status?: ExemptionStatus }) =>
    request<{ items: ExemptionListItem[] }>('/exemptions', { query: { status: f.status } }).then(
      (r) => r.items,
    ),
  review: (exemptionId: string, decision: 'approve' | 'reject', comment: string) =>
    request<Exemption>(`/exemptions/${id(exemptionId)}/review`, {
      method: 'POST',
      body: { decision, comment },
    }),
};

export interface DocumentUpload extends DocumentOwner {
  file: File;
  kind: DocumentKind;
  title: string;
}

export const documents = {
  /** Beyond docs/api.md: the server lists documents by owner. */
  list: (owner: DocumentOwner) =>
    request<{ items: DocumentRecord[] }>('/documents', {
      query: { subjectId: owner.subjectId, caseId: owner.caseId, activityId: owner.activityId },
    }).then((r) => r.items),
  upload: (u: DocumentUpload) => {
    const form = new FormData();
    // Fields before the file: a streaming server reads them first.
    form.set('kind', u.kind);
    form.set('title', u.title);
    if (u.subjectId) form.set('subjectId', u.subjectId);
    if (u.caseId) form.set('caseId', u.caseId);
    if (u.activityId) form.set('activityId', u.activityId);
    form.set('file', u.file, u.file.name);
    return request<DocumentRecord>('/documents', { method: 'POST', form });
  },
  /** A plain link: the browser downloads with the session cookie. */
  contentUrl: (documentId: string) => `${API_BASE}/documents/${id(documentId)}/content`,
};

export const todo = {
  list: () => request<{ items: TodoItem[] }>('/todo').then((r) => r.items),
};

export type ReportFormat = 'pdf' | 'xlsx';

export const reports = {
  equipment: (year: number, unitId?: string) =>
    request<EquipmentReport>('/reports/equipment', { query: { year, unitId, format: 'json' } }),
  equipmentUrl: (year: number, format: ReportFormat, unitId?: string) =>
    `${API_BASE}/reports/equipment${buildQuery({ year, unitId, format })}`,
};
