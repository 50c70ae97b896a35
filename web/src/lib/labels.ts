import { useTranslation } from 'react-i18next';
import {
  ROLES,
  UNIT_KINDS,
  type ActivityStatus,
  type ActivityType,
  type CaseStatus,
  type CheckFailure,
  type ConsumableItem,
  type DeviceEventKind,
  type DeviceStatus,
  type DocumentKind,
  type ExemptionCategory,
  type ExemptionStatus,
  type Outcome,
  type Role,
  type SubjectType,
  type UnitKind,
} from '../api/types';
import { currentLang } from '../i18n';

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
const isUnitKind = (k: string): k is UnitKind => (UNIT_KINDS as readonly string[]).includes(k);

/** Display names for the codes the server sends; unknown codes are shown as they are. */
export function useLabels() {
  const { t } = useTranslation();
  // Action codes contain dots, so they are looked up in the map rather than as key paths.
  const actions = t('auditAction', { returnObjects: true }) as Record<string, string>;
  const targetTypes = t('targetType', { returnObjects: true }) as Record<string, string>;
  const en = currentLang() === 'en';
  return {
    role: (r: string) => (isRole(r) ? t(`role.${r}`) : r),
    unitKind: (k: string) => (isUnitKind(k) ? t(`unitKind.${k}`) : k),
    outcome: (o: Outcome) => t(`outcome.${o}`),
    action: (a: string): string | undefined => actions[a],
    targetType: (tt: string): string | undefined => targetTypes[tt],
    knownActions: Object.keys(actions),
    knownTargetTypes: Object.keys(targetTypes),
    deviceStatus: (s: DeviceStatus) => t(`deviceStatus.${s}`),
    deviceEvent: (k: DeviceEventKind) => t(`deviceEvent.${k}`),
    consumable: (i: ConsumableItem) => t(`consumable.${i}`),
    checkFailure: (f: CheckFailure) => t(`checkFailure.${f}`),
    subjectType: (s: SubjectType) => t(`subjectType.${s}`),
    caseStatus: (s: CaseStatus) => t(`caseStatus.${s}`),
    activityType: (a: ActivityType) => t(`activityType.${a}`),
    activityStatus: (s: ActivityStatus) => t(`activityStatus.${s}`),
    exemptionCategory: (c: ExemptionCategory) => t(`exemptionCategory.${c}`),
    exemptionStatus: (s: ExemptionStatus) => t(`exemptionStatus.${s}`),
    documentKind: (k: DocumentKind) => t(`documentKind.${k}`),
    /** Device types are data with both names. */
    deviceType: (d: { typeNameZh: string; typeNameEn: string }) => (en ? d.typeNameEn : d.typeNameZh),
    typeName: (d: { nameZh: string; nameEn: string }) => (en ? d.nameEn : d.nameZh),
  };
}
