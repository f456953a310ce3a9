/** Routes of the console: the login page, and every other page inside the shell once an admin is signed in. */
import { useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { currentSession, onSessionChange, type AdminSession } from './api/session';
import { Shell } from './components/Shell';
import { AccountsPage } from './pages/AccountsPage';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { AppointmentsPage } from './pages/AppointmentsPage';
import { AuditLogPage } from './pages/AuditLogPage';
import { BansPage } from './pages/BansPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { DashboardPage } from './pages/DashboardPage';
import { DepartmentsPage } from './pages/DepartmentsPage';
import { DoctorsPage } from './pages/DoctorsPage';
import { LoginPage } from './pages/LoginPage';
import { MessagesPage } from './pages/MessagesPage';
import { RulesPage } from './pages/RulesPage';
import { SchedulePage } from './pages/SchedulePage';
import { TemplatesPage } from './pages/TemplatesPage';
import { WaitlistPage } from './pages/WaitlistPage';

function useSession(): AdminSession | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}

export function App() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    if (location.pathname === '/login') return <LoginPage />;
    // Back to where the admin was once signed in again.
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  // A password an administrator set (a new account, a reset): nothing else until the admin sets their own.
  if (session.account.mustChangePassword) return <ChangePasswordPage session={session} />;
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
