import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { setAuthHandlers } from './api/client';
import { PERM } from './api/types';
import { AppLayout } from './components/AppLayout';
import { FullPageSpin } from './components/FullPageSpin';
import { RequireAuth } from './components/RequireAuth';
import { RequirePermission } from './components/RequirePermission';
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
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

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
              <Route
                path="units"
                element={
                  <RequirePermission permission={PERM.unitsRead}>
                    <UnitsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="users"
                element={
                  <RequirePermission permission={PERM.usersRead}>
                    <UsersPage />
                  </RequirePermission>
                }
              />
              <Route
                path="roles"
                element={
                  <RequirePermission permission={PERM.usersRead}>
                    <RolesPage />
                  </RequirePermission>
                }
              />
              <Route
                path="tokens"
                element={
                  <RequirePermission permission={PERM.tokensManage}>
                    <TokensPage />
                  </RequirePermission>
                }
              />
              <Route
                path="settings/security"
                element={
                  <RequirePermission permission={PERM.settingsManage}>
                    <SecuritySettingsPage />
                  </RequirePermission>
                }
              />
              <Route
                path="audit"
                element={
                  <RequirePermission permission={PERM.auditRead}>
                    <AuditPage />
                  </RequirePermission>
                }
              />
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
