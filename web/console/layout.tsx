import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Avatar, Badge, Button, Dropdown, Layout, Menu, Modal, Space, Typography, App as AntApp } from 'antd';
import {
  AlertOutlined,
  ApartmentOutlined,
  BarChartOutlined,
  BellOutlined,
  ClockCircleOutlined,
  ClusterOutlined,
  FieldTimeOutlined,
  InboxOutlined,
  LogoutOutlined,
  ProfileOutlined,
  ScheduleOutlined,
  ShopOutlined,
  TeamOutlined,
  UserOutlined,
  KeyOutlined,
} from '@ant-design/icons';
import { api, auth } from '../shared/api';
import { label, ROLES, t } from '../shared/i18n';
import { ChangePasswordForm, useMe } from './session';
import { LangSwitch } from './components/lang-switch';
import { PATROL_READERS } from './features/patrols/api';

const ADMIN_READERS = ['admin', 'station_staff', 'bureau_staff', 'food_safety_office', 'enforcement_officer'];

export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const loc = useLocation();
  const nav = useNavigate();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [pwOpen, setPwOpen] = useState(false);
  const unread = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: () => api.get<{ count: number }>('/api/v1/notifications/unread-count'),
    refetchInterval: 60_000,
  });

  const items = [
    { key: '/queue', icon: <InboxOutlined />, label: <Link to="/queue">{t('待办工作', 'Work queue')}</Link> },
    { key: '/events', icon: <AlertOutlined />, label: <Link to="/events">{t('事件管理', 'Events')}</Link> },
    { key: '/dashboard', icon: <BarChartOutlined />, label: <Link to="/dashboard">{t('数据看板', 'Dashboard')}</Link> },
    { key: '/businesses', icon: <ShopOutlined />, label: <Link to="/businesses">{t('经营主体', 'Businesses')}</Link> },
    // Patrols lie in a jurisdiction: staff who have one (P1–P3).
    ...(PATROL_READERS.includes(me.role) && (me.scope === undefined || me.scope.length > 0)
      ? [
          {
            key: 'patrols',
            icon: <ScheduleOutlined />,
            label: t('巡查', 'Patrols'),
            children: [
              { key: '/patrols/coverage', label: <Link to="/patrols/coverage">{t('巡查覆盖率', 'Patrol coverage')}</Link> },
              { key: '/patrols', label: <Link to="/patrols">{t('巡查记录', 'Patrol records')}</Link> },
            ],
          },
        ]
      : []),
    {
      key: 'admin',
      icon: <ClusterOutlined />,
      label: t('基础数据', 'Master data'),
      children: [
        { key: '/admin/regions', icon: <ApartmentOutlined />, label: <Link to="/admin/regions">{t('区域网格', 'Regions')}</Link> },
        { key: '/admin/organizations', icon: <TeamOutlined />, label: <Link to="/admin/organizations">{t('组织机构', 'Organisations')}</Link> },
        ...(ADMIN_READERS.includes(me.role)
          ? [{ key: '/admin/users', icon: <UserOutlined />, label: <Link to="/admin/users">{t('用户管理', 'Users')}</Link> }]
          : []),
        { key: '/admin/catalogue', icon: <ProfileOutlined />, label: <Link to="/admin/catalogue">{t('事项清单', 'Item catalogue')}</Link> },
        { key: '/admin/deadlines', icon: <FieldTimeOutlined />, label: <Link to="/admin/deadlines">{t('办理时限', 'Deadlines')}</Link> },
      ],
    },
    {
      key: '/notifications',
      icon: <BellOutlined />,
      label: (
        <Link to="/notifications">
          {t('消息通知', 'Notifications')} <Badge count={unread.data?.count ?? 0} size="small" offset={[6, -2]} />
        </Link>
      ),
    },
  ];
  const twoLevels = loc.pathname.startsWith('/admin') || loc.pathname.startsWith('/patrols/coverage');
  const selected = '/' + loc.pathname.split('/').filter(Boolean).slice(0, twoLevels ? 2 : 1).join('/');
  const openGroup = loc.pathname.startsWith('/admin') ? 'admin' : loc.pathname.startsWith('/patrols') ? 'patrols' : null;

  const signOut = async () => {
    await auth.logout().catch(() => undefined);
    // Keep the `me` query (the session gate observes it) and drop everything else of this user.
    qc.setQueryData(['me'], null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    nav('/');
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} breakpoint="lg" collapsedWidth={0} theme="dark" className="no-print">
        <div style={{ color: '#fff', padding: '16px 20px', fontSize: 18, fontWeight: 600, whiteSpace: 'nowrap' }}>
          <ClockCircleOutlined /> {t('食安网格', 'FoodGrid')}
        </div>
        <Menu theme="dark" mode="inline" selectedKeys={[selected]} defaultOpenKeys={openGroup ? [openGroup] : []} items={items} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          className="no-print"
          style={{ background: '#fff', padding: '0 20px', display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 16, borderBottom: '1px solid #f0f0f0' }}
        >
          <LangSwitch />
          <Link to="/notifications" aria-label={t('消息通知', 'Notifications')}>
            <Badge count={unread.data?.count ?? 0} size="small">
              <BellOutlined style={{ fontSize: 18 }} />
            </Badge>
          </Link>
          <Dropdown
            menu={{
              items: [
                { key: 'pw', icon: <KeyOutlined />, label: t('修改密码', 'Change password'), onClick: () => setPwOpen(true) },
                { type: 'divider' },
                { key: 'out', icon: <LogoutOutlined />, label: t('退出登录', 'Sign out'), onClick: signOut },
              ],
            }}
          >
            <Button type="text" aria-label={t('用户菜单', 'User menu')}>
              <Space>
                <Avatar size="small" icon={<UserOutlined />} />
                <span>{me.displayName}</span>
                <Typography.Text type="secondary">{me.roleLabel ? t(me.roleLabel) : label(ROLES, me.role)}</Typography.Text>
              </Space>
            </Button>
          </Dropdown>
        </Layout.Header>
        <Layout.Content style={{ padding: 20 }}>{children}</Layout.Content>
      </Layout>
      <Modal open={pwOpen} title={t('修改密码', 'Change password')} footer={null} onCancel={() => setPwOpen(false)} destroyOnHidden>
        <ChangePasswordForm
          username={me.username}
          onDone={() => {
            setPwOpen(false);
            message.success(t('密码已修改', 'Password changed'));
          }}
        />
      </Modal>
    </Layout>
  );
}
