import { useTranslation } from 'react-i18next';
import { ROLES, UNIT_KINDS, type Outcome, type Role, type UnitKind } from '../api/types';

const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);
const isUnitKind = (k: string): k is UnitKind => (UNIT_KINDS as readonly string[]).includes(k);

/** Display names for the codes the server sends; unknown codes are shown as they are. */
export function useLabels() {
  const { t } = useTranslation();
  // Action codes contain dots, so they are looked up in the map rather than as key paths.
  const actions = t('auditAction', { returnObjects: true }) as Record<string, string>;
  const targetTypes = t('targetType', { returnObjects: true }) as Record<string, string>;
  return {
    role: (r: string) => (isRole(r) ? t(`role.${r}`) : r),
    unitKind: (k: string) => (isUnitKind(k) ? t(`unitKind.${k}`) : k),
    outcome: (o: Outcome) => t(`outcome.${o}`),
    action: (a: string): string | undefined => actions[a],
    targetType: (tt: string): string | undefined => targetTypes[tt],
    knownActions: Object.keys(actions),
    knownTargetTypes: Object.keys(targetTypes),
  };
}
