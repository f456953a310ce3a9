/** Routes of the console: the login page, and every other page inside the shell once an admin is signed in. */
import { lazy, Suspense, useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { currentSession, onSessionChange, type AdminSession } from './api/session';
import { PageLoadBoundary, PageLoading } from './components/PageLoading';
import { Shell } from './components/Shell';

/**
 * Each page is a chunk of its own, fetched on first visit: the login page does not download the
 * console, and only the dashboard downloads ECharts (vite.config.ts says how vendors are split).
 */
function page<M extends Record<K, ComponentType<any>>, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}
const AccountsPage = page(() => import('./pages/AccountsPage'), 'AccountsPage');
const ApprovalsPage = page(() => import('./pages/ApprovalsPage'), 'ApprovalsPage');
const AppointmentsPage = page(() => import('./pages/AppointmentsPage'), 'AppointmentsPage');
const AuditLogPage = page(() => import('./pages/AuditLogPage'), 'AuditLogPage');
const BansPage = page(() => import('./pages/BansPage'), 'BansPage');
const ChangePasswordPage = page(() => import('./pages/ChangePasswordPage'), 'ChangePasswordPage');
const DashboardPage = page(() => import('./pages/DashboardPage'), 'DashboardPage');
const DepartmentsPage = page(() => import('./pages/DepartmentsPage'), 'DepartmentsPage');
const DoctorsPage = page(() => import('./pages/DoctorsPage'), 'DoctorsPage');
const LoginPage = page(() => import('./pages/LoginPage'), 'LoginPage');
const MessagesPage = page(() => import('./pages/MessagesPage'), 'MessagesPage');
const RulesPage = page(() => import('./pages/RulesPage'), 'RulesPage');
const SchedulePage = page(() => import('./pages/SchedulePage'), 'SchedulePage');
const TemplatesPage = page(() => import('./pages/TemplatesPage'), 'TemplatesPage');
const WaitlistPage = page(() => import('./pages/WaitlistPage'), 'WaitlistPage');

/** A page outside the shell (login, 修改初始密码): the loading state fills the window. */
function Standalone({ children }: { children: ReactNode }) {
  return (
    <PageLoadBoundary>
      <Suspense fallback={<PageLoading fullScreen />}>{children}</Suspense>
    </PageLoadBoundary>
  );
}

function useSession(): AdminSession | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

export function App() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    if (location.pathname === '/login') {
      return (
        <Standalone>
          <LoginPage />
        </Standalone>
      );
    }
    // Back to where the admin was once signed in again.
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  // A password an administrator set (a new account, a reset): nothing else until the admin sets their own.
  if (session.account.mustChangePassword) {
    return (
      <Standalone>
        <ChangePasswordPage session={session} />
      </Standalone>
    );
  }
  return (
    <Routes>
      <Route path="/login" element={<Navigate to="/" replace />} />
      <Route element={<Shell session={session} />}>
        <Route index element={<DashboardPage />} />
        <Route path="departments" element={<DepartmentsPage />} />
        <Route path="doctors" element={<DoctorsPage />} />
        <Route path="schedule" element={<SchedulePage />} />
        <Route path="templates" element={<TemplatesPage />} />
        <Route path="approvals" element={<ApprovalsPage />} />
        <Route path="rules" element={<RulesPage />} />
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="bans" element={<BansPage />} />
        <Route path="waitlist" element={<WaitlistPage />} />
        <Route path="appointments" element={<AppointmentsPage />} />
        <Route path="audit-log" element={<AuditLogPage />} />
        <Route path="messages" element={<MessagesPage />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
