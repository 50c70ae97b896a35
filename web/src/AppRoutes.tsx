import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { setAuthHandlers } from './api/client';
import { PERM } from './api/types';
import { AppLayout } from './components/AppLayout';
import { FullPageSpin } from './components/FullPageSpin';
import { RequireAuth } from './components/RequireAuth';
import { RequirePermission } from './components/RequirePermission';
import { IMPORTS_PAGE, RECORDINGS_PAGE } from './lib/collection';
import { ME_KEY } from './lib/useMe';

const LoginPage = lazy(() => import('./pages/LoginPage'));
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'));
const MfaEnrolPage = lazy(() => import('./pages/MfaEnrolPage'));
const HomePage = lazy(() => import('./pages/HomePage'));
const UnitsPage = lazy(() => import('./pages/UnitsPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const RolesPage = lazy(() => import('./pages/RolesPage'));
const TokensPage = lazy(() => import('./pages/TokensPage'));
const SecuritySettingsPage = lazy(() => import('./pages/SecuritySettingsPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const DevicesPage = lazy(() => import('./pages/DevicesPage'));
const DeviceDetailPage = lazy(() => import('./pages/DeviceDetailPage'));
const MyDevicesPage = lazy(() => import('./pages/MyDevicesPage'));
const PreUseCheckPage = lazy(() => import('./pages/PreUseCheckPage'));
const SubjectsPage = lazy(() => import('./pages/SubjectsPage'));
const DossierPage = lazy(() => import('./pages/DossierPage'));
const CasesPage = lazy(() => import('./pages/CasesPage'));
const CaseDetailPage = lazy(() => import('./pages/CaseDetailPage'));
const ActivitiesPage = lazy(() => import('./pages/ActivitiesPage'));
const ActivityCreatePage = lazy(() => import('./pages/ActivityCreatePage'));
const ActivityDetailPage = lazy(() => import('./pages/ActivityDetailPage'));
const ExemptionReviewPage = lazy(() => import('./pages/ExemptionReviewPage'));
const EquipmentReportPage = lazy(() => import('./pages/EquipmentReportPage'));
const RegistrySettingsPage = lazy(() => import('./pages/RegistrySettingsPage'));
const NotificationTemplatesPage = lazy(() => import('./pages/NotificationTemplatesPage'));
const RecordingsPage = lazy(() => import('./pages/RecordingsPage'));
const RecordingDetailPage = lazy(() => import('./pages/RecordingDetailPage'));
const ImportsPage = lazy(() => import('./pages/ImportsPage'));
const ImportDetailPage = lazy(() => import('./pages/ImportDetailPage'));
const StationsPage = lazy(() => import('./pages/StationsPage'));
const ViolationsPage = lazy(() => import('./pages/ViolationsPage'));
const ComplianceDashboardPage = lazy(() => import('./pages/ComplianceDashboardPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

/** Pages of the app behind a permission (or any of a list): path → page. */
const GUARDED: { path: string; permission: string | readonly string[]; page: ReactNode }[] = [
  { path: 'units', permission: PERM.unitsRead, page: <UnitsPage /> },
  { path: 'users', permission: PERM.usersRead, page: <UsersPage /> },
  { path: 'roles', permission: PERM.usersRead, page: <RolesPage /> },
  { path: 'tokens', permission: PERM.tokensManage, page: <TokensPage /> },
  { path: 'settings/security', permission: PERM.settingsManage, page: <SecuritySettingsPage /> },
  { path: 'settings/registry', permission: PERM.settingsManage, page: <RegistrySettingsPage /> },
  {
    path: 'settings/notification-templates',
    permission: PERM.templatesManage,
    page: <NotificationTemplatesPage />,
  },
  { path: 'audit', permission: PERM.auditRead, page: <AuditPage /> },
  { path: 'devices', permission: PERM.devicesRead, page: <DevicesPage /> },
  { path: 'devices/:id', permission: PERM.devicesRead, page: <DeviceDetailPage /> },
  { path: 'my-devices', permission: PERM.checkoutsOwn, page: <MyDevicesPage /> },
  { path: 'my-devices/:id/check', permission: PERM.checkoutsOwn, page: <PreUseCheckPage /> },
  { path: 'subjects', permission: PERM.subjectsRead, page: <SubjectsPage /> },
  { path: 'subjects/:id', permission: PERM.subjectsRead, page: <DossierPage /> },
  { path: 'cases', permission: PERM.casesRead, page: <CasesPage /> },
  { path: 'cases/:id', permission: PERM.casesRead, page: <CaseDetailPage /> },
  { path: 'activities', permission: PERM.activitiesRead, page: <ActivitiesPage /> },
  { path: 'activities/new', permission: PERM.activitiesManage, page: <ActivityCreatePage /> },
  { path: 'activities/:id', permission: PERM.activitiesRead, page: <ActivityDetailPage /> },
  { path: 'exemptions/review', permission: PERM.exemptionsReview, page: <ExemptionReviewPage /> },
  { path: 'reports/equipment', permission: PERM.reportsEquipment, page: <EquipmentReportPage /> },
  { path: 'recordings', permission: RECORDINGS_PAGE, page: <RecordingsPage /> },
  { path: 'recordings/:id', permission: RECORDINGS_PAGE, page: <RecordingDetailPage /> },
  { path: 'imports', permission: IMPORTS_PAGE, page: <ImportsPage /> },
  { path: 'imports/:id', permission: IMPORTS_PAGE, page: <ImportDetailPage /> },
  { path: 'stations', permission: PERM.devicesRead, page: <StationsPage /> },
  // everyone sees the register as far as it concerns them (own, units led, or all)
  { path: 'violations', permission: PERM.activitiesRead, page: <ViolationsPage /> },
  // scoped by the server: one's own numbers, one's units', or all
  { path: 'compliance', permission: PERM.activitiesRead, page: <ComplianceDashboardPage /> },
];

/** Where the API client sends the user on 401 and on a forced password change. */
function AuthRedirects() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  useEffect(() => {
    setAuthHandlers({
      onUnauthorized: () => {
        const from = window.location.pathname;
        if (from === '/login') return;
        qc.clear();
        void navigate('/login', { replace: true, state: { from } });
      },
      onPasswordChangeRequired: () => {
        void qc.invalidateQueries({ queryKey: ME_KEY });
        void navigate('/change-password', { replace: true });
      },
      onMfaEnrolmentRequired: () => {
        void qc.invalidateQueries({ queryKey: ME_KEY });
        void navigate('/setup-mfa', { replace: true });
      },
    });
  }, [navigate, qc]);
  return null;
}

export function AppRoutes() {
  return (
    <>
      <AuthRedirects />
      <Suspense fallback={<FullPageSpin />}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/change-password" element={<ChangePasswordPage />} />
          <Route path="/setup-mfa" element={<MfaEnrolPage />} />
          <Route element={<RequireAuth />}>
            <Route element={<AppLayout />}>
              <Route index element={<HomePage />} />
              {GUARDED.map(({ path, permission, page }) => (
                <Route
                  key={path}
                  path={path}
                  element={<RequirePermission permission={permission}>{page}</RequirePermission>}
                />
              ))}
              <Route path="profile" element={<ProfilePage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </>
  );
}
