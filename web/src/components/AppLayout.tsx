import { useState, Suspense } from 'react';
import { Button, Drawer, Grid, Layout, Menu, Space, Tooltip, Typography } from 'antd';
import type { MenuProps } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CameraOutlined,
  CloudUploadOutlined,
  DesktopOutlined,
  PlaySquareOutlined,
  FileProtectOutlined,
  FolderOpenOutlined,
  FundOutlined,
  IdcardOutlined,
  ScheduleOutlined,
  SolutionOutlined,
  SoundOutlined,
  ToolOutlined,
  VideoCameraOutlined,
  WarningOutlined,
  HomeOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  SafetyCertificateOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PERM, type Me } from '../api/types';
import { IMPORTS_PAGE, RECORDINGS_PAGE } from '../lib/collection';
import { can } from '../lib/permissions';
import { useLogout } from '../lib/useLogout';
import { useMe } from '../lib/useMe';
import { FullPageSpin } from './FullPageSpin';
import { LanguageSwitch } from './LanguageSwitch';
import { NotificationBell } from './NotificationBell';
import { RoleTags } from './RoleTags';

type MenuItem = Required<MenuProps>['items'][number];

/** Only capabilities that exist and that the user may use appear in the menu. */
function useMenuItems(me: Me | undefined): MenuItem[] {
  const { t } = useTranslation();
  const system: MenuItem[] = [];
  if (can(me, PERM.unitsRead))
    system.push({ key: '/units', icon: <ApartmentOutlined />, label: t('menu.units') });
  if (can(me, PERM.usersRead)) {
    system.push({ key: '/users', icon: <TeamOutlined />, label: t('menu.users') });
    system.push({ key: '/roles', icon: <UsergroupAddOutlined />, label: t('menu.roles') });
  }
  if (can(me, PERM.tokensManage))
    system.push({ key: '/tokens', icon: <KeyOutlined />, label: t('menu.tokens') });
  if (can(me, PERM.settingsManage)) {
    system.push({
      key: '/settings/security',
      icon: <SafetyCertificateOutlined />,
      label: t('menu.security'),
    });
    system.push({ key: '/settings/registry', icon: <ToolOutlined />, label: t('menu.registrySettings') });
  }
  if (can(me, PERM.templatesManage))
    system.push({
      key: '/settings/notification-templates',
      icon: <SoundOutlined />,
      label: t('menu.notificationTemplates'),
    });

  const business: MenuItem[] = [];
  if (can(me, PERM.activitiesRead))
    business.push({ key: '/activities', icon: <ScheduleOutlined />, label: t('menu.activities') });
  if (can(me, PERM.casesRead))
    business.push({ key: '/cases', icon: <FolderOpenOutlined />, label: t('menu.cases') });
  if (can(me, PERM.subjectsRead))
    business.push({ key: '/subjects', icon: <IdcardOutlined />, label: t('menu.subjects') });
  if (can(me, PERM.exemptionsReview))
    business.push({
      key: '/exemptions/review',
      icon: <FileProtectOutlined />,
      label: t('menu.exemptionReview'),
    });
  if (can(me, PERM.activitiesRead))
    business.push({ key: '/violations', icon: <WarningOutlined />, label: t('menu.violations') });
  // everyone sees the numbers they answer for: their own, their units', or all
  if (can(me, PERM.activitiesRead))
    business.push({ key: '/compliance', icon: <FundOutlined />, label: t('menu.complianceDashboard') });

  const collection: MenuItem[] = [];
  const canAny = (list: readonly string[]) => list.some((p) => can(me, p));
  if (canAny(RECORDINGS_PAGE))
    collection.push({ key: '/recordings', icon: <PlaySquareOutlined />, label: t('menu.recordings') });
  if (canAny(IMPORTS_PAGE))
    collection.push({ key: '/imports', icon: <CloudUploadOutlined />, label: t('menu.imports') });
  if (can(me, PERM.devicesRead))
    collection.push({ key: '/stations', icon: <DesktopOutlined />, label: t('menu.stations') });

  const equipment: MenuItem[] = [];
  if (can(me, PERM.devicesRead))
    equipment.push({ key: '/devices', icon: <VideoCameraOutlined />, label: t('menu.devices') });
  if (can(me, PERM.checkoutsOwn))
    equipment.push({ key: '/my-devices', icon: <CameraOutlined />, label: t('menu.myDevices') });
  if (can(me, PERM.reportsEquipment))
    equipment.push({
      key: '/reports/equipment',
      icon: <BarChartOutlined />,
      label: t('menu.equipmentReport'),
    });

  const items: MenuItem[] = [{ key: '/', icon: <HomeOutlined />, label: t('menu.home') }];
  if (business.length)
    items.push({
      key: 'business',
      icon: <SolutionOutlined />,
      label: t('menu.business'),
      children: business,
    });
  if (collection.length)
    items.push({
      key: 'collection',
      icon: <PlaySquareOutlined />,
      label: t('menu.collection'),
      children: collection,
    });
  if (equipment.length)
    items.push({
      key: 'equipment',
      icon: <CameraOutlined />,
      label: t('menu.equipment'),
      children: equipment,
    });
  if (system.length)
    items.push({ key: 'system', icon: <SettingOutlined />, label: t('menu.system'), children: system });
  if (can(me, PERM.auditRead)) items.push({ key: '/audit', icon: <AuditOutlined />, label: t('menu.audit') });
  items.push({ key: '/profile', icon: <UserOutlined />, label: t('menu.profile') });
  return items;
}

/** The menu entry a page belongs to: the longest entry that is a prefix of the path. */
function selectedKey(pathname: string, items: MenuItem[]): string {
  const path = pathname.replace(/\/$/, '') || '/';
  const keys: string[] = [];
  const walk = (list: MenuItem[]) => {
    for (const it of list) {
      if (!it || !('key' in it)) continue;
      if ('children' in it && it.children) walk(it.children as MenuItem[]);
      else if (typeof it.key === 'string' && it.key.startsWith('/')) keys.push(it.key);
    }
  };
  walk(items);
  const match = keys
    .filter((k) => k === path || (k !== '/' && path.startsWith(`${k}/`)))
    .sort((a, b) => b.length - a.length)[0];
  return match ?? path;
}

function Logo({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="zl-logo">
      <span>{t('app.name')}</span>
      {!compact && <small>{t('app.subtitle')}</small>}
    </div>
  );
}

export function AppLayout() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();
  const screens = Grid.useBreakpoint();
  const mobile = !screens.lg;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const items = useMenuItems(me);

  const selected = selectedKey(location.pathname, items);
  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[selected]}
      defaultOpenKeys={['business', 'collection', 'equipment', 'system']}
      items={items}
      onClick={({ key }) => {
        setDrawerOpen(false);
        void navigate(key);
      }}
    />
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!mobile && (
        <Layout.Sider width={232} collapsible collapsed={collapsed} trigger={null}>
          <Logo compact={collapsed} />
          {menu}
        </Layout.Sider>
      )}
      {mobile && (
        <Drawer
          placement="left"
          open={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          size={232}
          closable={false}
          styles={{ body: { padding: 0, background: '#0f2a4f' } }}
        >
          <Logo compact />
          {menu}
        </Drawer>
      )}
      <Layout>
        <Layout.Header className="zl-header">
          <Tooltip title={collapsed || mobile ? t('header.expand') : t('header.collapse')}>
            <Button
              type="text"
              aria-label={collapsed || mobile ? t('header.expand') : t('header.collapse')}
              icon={collapsed || mobile ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
              onClick={() => (mobile ? setDrawerOpen(true) : setCollapsed(!collapsed))}
            />
          </Tooltip>
          {mobile && <Typography.Text strong>{t('app.name')}</Typography.Text>}
          <div className="zl-header-spacer" />
          <Space size={screens.md ? 'middle' : 'small'}>
            {me && (
              <Link to="/profile" data-testid="header-user">
                <Space size={4}>
                  <UserOutlined />
                  <span>{me.name}</span>
                </Space>
              </Link>
            )}
            {me && screens.md && (
              <span>
                <RoleTags roles={me.roles} />
              </span>
            )}
            {me && <NotificationBell />}
            <LanguageSwitch />
            <Tooltip title={t('header.logout')}>
              <Button icon={<LogoutOutlined />} onClick={() => void logout()} aria-label={t('header.logout')}>
                {screens.md ? t('header.logout') : null}
              </Button>
            </Tooltip>
          </Space>
        </Layout.Header>
        <Layout.Content className="zl-content">
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
