/** The console's frame: ProLayout with the menu, the current admin's name and 退出登录. */
import {
  AuditOutlined,
  ApartmentOutlined,
  CalendarOutlined,
  DashboardOutlined,
  FileSearchOutlined,
  ProfileOutlined,
  ScheduleOutlined,
  LogoutOutlined,
  HourglassOutlined,
  StopOutlined,
  MessageOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { Dropdown } from 'antd';
import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { authApi } from '../api/endpoints';
import { signOut, type AdminSession } from '../api/session';
import { HOSPITAL, PRODUCT } from './brand';
import { PageLoadBoundary, PageLoading } from './PageLoading';

const MENU = [
  { path: '/', name: '统计看板', icon: <DashboardOutlined /> },
  { path: '/departments', name: '科室管理', icon: <ApartmentOutlined /> },
  { path: '/doctors', name: '医生管理', icon: <TeamOutlined /> },
  { path: '/schedule', name: '排班管理', icon: <CalendarOutlined /> },
  { path: '/templates', name: '出诊模板', icon: <ScheduleOutlined /> },
  { path: '/approvals', name: '停诊审批', icon: <AuditOutlined /> },
  { path: '/rules', name: '预约规则', icon: <SettingOutlined /> },
  { path: '/appointments', name: '预约管理', icon: <ProfileOutlined /> },
  { path: '/accounts', name: '账号管理', icon: <UserOutlined /> },
  { path: '/bans', name: '预约限制', icon: <StopOutlined /> },
  { path: '/waitlist', name: '候补管理', icon: <HourglassOutlined /> },
  { path: '/audit-log', name: '审计日志', icon: <FileSearchOutlined /> },
  { path: '/messages', name: '消息管理', icon: <MessageOutlined /> },
];

async function logout(session: AdminSession): Promise<void> {
  // End the login on the server (its refresh token stops working), then here whatever the answer.
  await authApi.logout(session.tokens.refreshToken).catch(() => undefined);
  signOut();
}

export function Shell({ session }: { session: AdminSession }) {
  const location = useLocation();
  const name = session.account.displayName ?? session.account.phone;
  return (
    <ProLayout
      title={`${HOSPITAL} · ${PRODUCT}`}
      logo={false}
      layout="mix"
      fixedHeader
      fixSiderbar
      siderWidth={200}
      location={{ pathname: location.pathname }}
      route={{ path: '/', routes: MENU }}
      menuItemRender={(item, dom) => <Link to={item.path ?? '/'}>{dom}</Link>}
      avatarProps={{
        icon: <UserOutlined />,
        size: 'small',
        title: <span data-testid="current-admin">{name}</span>,
        render: (_props, dom) => (
          <Dropdown
            menu={{
              items: [{ key: 'logout', icon: <LogoutOutlined />, label: '退出登录', onClick: () => void logout(session) }],
            }}
          >
            {dom}
          </Dropdown>
        ),
      }}
      token={{ header: { colorBgHeader: '#fff' } }}
    >
      {/* The menu stays while a page's chunk loads; a failed load is forgotten on the next page. */}
      <PageLoadBoundary key={location.pathname}>
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </PageLoadBoundary>
    </ProLayout>
  );
}
