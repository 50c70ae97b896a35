// Assembles one running installation from its configuration: the catalogue (migrated),
// the blob store and the services. `serve`, every CLI command and the tests use this.
import fs from 'node:fs';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { openCatalogue, type Catalogue } from './db/database.js';
import { migrateToLatest, type MigrationReport } from './db/migrate.js';
import type { BlobStore } from './storage/blob-store.js';
import { openBlobStore } from './storage/open-blob-store.js';
import { AuditService } from './services/audit.service.js';
import { AuthService } from './services/auth.service.js';
import { systemClock, type Clock, type ServiceContext } from './services/context.js';
import { SettingsService } from './services/settings.service.js';
import { TokensService } from './services/tokens.service.js';
import { UnitsService } from './services/units.service.js';
import { UsersService } from './services/users.service.js';
import { createRecordServices, type DossierService } from './services/dossier.service.js';
import type { CasesService } from './services/cases.service.js';
import type { DocumentsService } from './services/documents.service.js';
import type { SubjectsService } from './services/subjects.service.js';
import { DevicesService } from './services/devices.service.js';
import { CheckoutsService } from './services/checkouts.service.js';
import { EquipmentReportService } from './services/equipment-report.service.js';
import { ComplianceReportService } from './services/compliance-report.service.js';
import { ActivitiesService } from './services/activities.service.js';
import { ExemptionsService } from './services/exemptions.service.js';
import { NotificationTemplatesService } from './services/notification-templates.service.js';
import { TodoService } from './services/todo.service.js';
import { ImportService } from './services/import.service.js';
import { UploadService } from './services/upload.service.js';
import { MediaPipelineService } from './services/media-pipeline.service.js';
import { LinkingService } from './services/linking.service.js';
import { RecordingsService } from './services/recordings.service.js';
import { ComplianceService } from './services/compliance.service.js';
import { FindingsService } from './services/findings.service.js';
import { InterruptionsService } from './services/interruptions.service.js';
import { NotificationsService } from './services/notifications.service.js';
import { DEFAULT_TOLERANCES } from './domain/compliance.js';
import { ViolationsService } from './services/violations.service.js';

export interface Services {
  audit: AuditService;
  auth: AuthService;
  settings: SettingsService;
  tokens: TokensService;
  units: UnitsService;
  users: UsersService;
  activities: ActivitiesService;
  exemptions: ExemptionsService;
  notificationTemplates: NotificationTemplatesService;
  todo: TodoService;
  devices: DevicesService;
  checkouts: CheckoutsService;
  equipmentReport: EquipmentReportService;
  subjects: SubjectsService;
  cases: CasesService;
  documents: DocumentsService;
  dossier: DossierService;
  imports: ImportService;
  media: MediaPipelineService;
  uploads: UploadService;
  linking: LinkingService;
  recordings: RecordingsService;
  compliance: ComplianceService;
  findings: FindingsService;
  interruptions: InterruptionsService;
  notifications: NotificationsService;
  violations: ViolationsService;
  complianceReport: ComplianceReportService;
  // services:types — registry services are added above this line
}

export interface Zhilu {
  config: Config;
  catalogue: Catalogue;
  blobs: BlobStore;
  clock: Clock;
  services: Services;
  migrations: MigrationReport;
  close(): Promise<void>;
}

export function createServices(ctx: ServiceContext): Services {
  const audit = new AuditService(ctx.catalogue, ctx.clock);
  const settings = new SettingsService(ctx, audit);
  const users = new UsersService(ctx, audit);
  const activities = new ActivitiesService(ctx, audit);
  const imports = new ImportService(ctx, audit);
  const linking = new LinkingService(ctx, audit);
  const compliance = new ComplianceService(ctx, async () => ({
    ...DEFAULT_TOLERANCES,
    clockOffsetMs: (await settings.registry()).clockToleranceSeconds * 1000,
  }));
  const notifications = new NotificationsService(ctx);
  const media = new MediaPipelineService(ctx, audit);
  media.addHandlers(compliance.handlers());
  activities.onChange(async (tx, actor, id) => {
    await linking.relinkActivity(tx, actor, id);
    await compliance.enqueue(tx, id);
  });
  return {
    audit,
    settings,
    users,
    auth: new AuthService(ctx, audit, users, settings),
    tokens: new TokensService(ctx, audit),
    units: new UnitsService(ctx, audit),
    activities,
    exemptions: new ExemptionsService(ctx, audit),
    notificationTemplates: new NotificationTemplatesService(ctx, audit),
    todo: new TodoService(ctx, ctx.timezone),
    devices: new DevicesService(ctx, audit),
    checkouts: new CheckoutsService(ctx, audit, settings),
    equipmentReport: new EquipmentReportService(ctx, audit),
    ...createRecordServices(ctx, audit, settings, activities, ctx.timezone),
    imports,
    media,
    uploads: new UploadService(ctx, audit, imports),
    linking,
    recordings: new RecordingsService(ctx, audit),
    compliance,
    findings: new FindingsService(ctx, audit, activities, compliance),
    interruptions: new InterruptionsService(ctx, audit, compliance, notifications),
    notifications,
    violations: new ViolationsService(ctx, audit, notifications),
    complianceReport: new ComplianceReportService(ctx, audit),
    // services:create — registry services are added above this line
  };
}

function ensureWritableDataDir(config: Config): void {
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.accessSync(config.dataDir, fs.constants.W_OK);
  } catch (e) {
    throw new ConfigError(
      'ZHILU_DATA',
      `数据目录 ${config.dataDir} 不可写：${(e as Error).message}`,
      `the data directory ${config.dataDir} is not writable: ${(e as Error).message}`,
    );
  }
}

export async function openZhilu(
  config: Config,
  options: { clock?: Clock; migrate?: boolean } = {},
): Promise<Zhilu> {
  const needsDataDir = config.database.kind === 'sqlite' || config.storage.kind === 'local';
  if (needsDataDir) ensureWritableDataDir(config);
  const catalogue = await openCatalogue(config.database);
  let blobs: BlobStore | null = null;
  try {
    const migrations =
      options.migrate === false ? { applied: [], current: null } : await migrateToLatest(catalogue);
    blobs = await openBlobStore(config.storage);
    const clock = options.clock ?? systemClock;
    const services = createServices({ catalogue, clock, blobs, timezone: config.timezone });
    const opened = blobs;
    return {
      config,
      catalogue,
      blobs: opened,
      clock,
      services,
      migrations,
      close: async () => {
        await opened.close?.();
        await catalogue.close();
      },
    };
  } catch (e) {
    await blobs?.close?.();
    await catalogue.close();
    throw e;
  }
}
