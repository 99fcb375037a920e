import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Result, Space, Spin, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { ApiError, auth, onUnauthenticated, type Me } from '../shared/api';
import { formatTime, t } from '../shared/i18n';
import { LangSwitch } from './components/lang-switch';

const MeContext = createContext<Me | null>(null);

/** The signed-in user (inside SessionGate it is always there). */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside SessionGate');
  return me;
}

/** Roles that work in the field app (/m/) rather than here. */
export const FIELD_ROLES = ['unit_leader', 'grid_member', 'grid_leader', 'village_coordinator', 'cadre', 'volunteer', 'business'];

/**
 * Shows the sign-in page until there is a session, the change-password form while the initial
 * password must be changed (403 password_change_required), then the console.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await auth.me();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 5 * 60_000,
  });
  useEffect(() => {
    // Any 401 (session expired or signed out elsewhere) → back to the sign-in page.
    onUnauthenticated(() => {
      qc.setQueryData(['me'], null);
    });
    return () => onUnauthenticated(null);
  }, [qc]);

  if (me.isLoading) {
    return (
      <div style={{ height: '100vh', display: 'grid', placeItems: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }
  if (me.error) {
    return (
      <Result
        status="error"
        title={t('无法连接服务器', 'Cannot reach the server')}
        subTitle={(me.error as Error).message}
        extra={<Button onClick={() => me.refetch()}>{t('重试', 'Retry')}</Button>}
      />
    );
  }
  if (!me.data) return <SignIn onSignedIn={(u) => qc.setQueryData(['me'], u)} />;
  if (me.data.mustChangePassword) return <ChangePasswordPage me={me.data} />;
  if (FIELD_ROLES.includes(me.data.role)) return <FieldRoleNotice me={me.data} />;
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

function CenteredCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: 'linear-gradient(160deg,#e6f4ff,#f5f5f5)' }}>
      <div style={{ width: 400, maxWidth: '92vw' }}>
        <div style={{ textAlign: 'right', marginBottom: 8 }}>
          <LangSwitch />
        </div>
        <Card>
          <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
            {t('食安网格', 'FoodGrid')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
            {title}
          </Typography.Paragraph>
          {children}
        </Card>
      </div>
    </div>
  );
}

export function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await auth.login(v.username.trim(), v.password);
      // /me carries the scope and labels the console uses; the cookie is set now.
      onSignedIn(await auth.me().catch(() => r.user));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'network_error', String(e)));
    } finally {
      setBusy(false);
    }
  };
  const message = !error
    ? null
    : error.status === 423
      ? error.body?.error.lockedUntil
        ? t(
            `登录失败次数过多，账号已锁定，请于 ${formatTime(String(error.body.error.lockedUntil))} 后再试`,
            `Too many failed sign-ins: the account is locked until ${formatTime(String(error.body.error.lockedUntil))}`,
          )
        : `${t('账号已锁定', 'Account locked')}：${error.message}`
      : error.status === 401
        ? t('用户名或密码错误', 'Wrong username or password')
        : error.message;
  return (
    <CenteredCard title={t('食品安全社会共治平台 · 管理端', 'Food-safety co-governance platform · console')}>
      <Form layout="vertical" onFinish={submit} requiredMark={false} aria-label={t('登录', 'Sign in')}>
        {message && <Alert type={error?.status === 423 ? 'warning' : 'error'} showIcon message={message} style={{ marginBottom: 16 }} role="alert" />}
        <Form.Item name="username" label={t('用户名', 'Username')} rules={[{ required: true, message: t('请输入用户名', 'Enter your username') }]}>
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item name="password" label={t('密码', 'Password')} rules={[{ required: true, message: t('请输入密码', 'Enter your password') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('登录', 'Sign in')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
        {t('网格员、单元长等现场人员请使用', 'Field staff use the')} <a href="/m/">{t('移动端', 'field app')}</a>
        {t('；群众投诉举报请访问', '; the public reports at')} <a href="/p/">{t('举报入口', 'the public portal')}</a>
      </Typography.Paragraph>
    </CenteredCard>
  );
}

export function ChangePasswordForm({ onDone, username }: { onDone: () => void; username?: string }) {
  const [form] = Form.useForm();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { currentPassword: string; newPassword: string }) => {
    setBusy(true);
    setError(null);
    try {
      await auth.changePassword(v.currentPassword, v.newPassword);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e);
        if (e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={submit} aria-label={t('修改密码', 'Change password')}>
      {error && !error.field && <Alert type="error" showIcon message={error.message} style={{ marginBottom: 16 }} />}
      <Form.Item name="currentPassword" label={t('当前密码', 'Current password')} rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item
        name="newPassword"
        label={t('新密码', 'New password')}
        extra={t('至少 8 位，含大写字母、小写字母、数字、符号中的三类，且不含用户名', 'At least 8 characters from three of: upper case, lower case, digits, symbols; not the username')}
        rules={[
          { required: true },
          { min: 8, message: t('至少 8 位', 'At least 8 characters') },
          {
            validator: (_, v: string) =>
              !v || !username || !v.toLowerCase().includes(username.toLowerCase()) ? Promise.resolve() : Promise.reject(new Error(t('不得包含用户名', 'Must not contain the username'))),
          },
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="confirm"
        label={t('确认新密码', 'Confirm new password')}
        dependencies={['newPassword']}
        rules={[
          { required: true },
          ({ getFieldValue }) => ({
            validator: (_, v) => (!v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('两次输入不一致', 'The two entries differ')))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t('修改密码', 'Change password')}
      </Button>
    </Form>
  );
}

function ChangePasswordPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  return (
    <CenteredCard title={t('首次登录须先修改初始密码', 'Change your initial password first')}>
      <ChangePasswordForm username={me.username} onDone={() => qc.invalidateQueries({ queryKey: ['me'] })} />
      <Button type="link" block onClick={() => auth.logout().finally(() => qc.setQueryData(['me'], null))}>
        {t('退出登录', 'Sign out')}
      </Button>
    </CenteredCard>
  );
}

function FieldRoleNotice({ me }: { me: Me }) {
  const qc = useQueryClient();
  return (
    <Result
      status="info"
      title={t('请使用移动端', 'Please use the field app')}
      subTitle={`${me.displayName}：${t('您的角色在移动端开展巡查、上报和处置', 'your role works in the field app: patrols, reports and handling')}`}
      extra={
        <Space>
          <Button type="primary" href="/m/">
            {t('打开移动端', 'Open the field app')}
          </Button>
          <Button onClick={() => auth.logout().finally(() => qc.setQueryData(['me'], null))}>{t('退出登录', 'Sign out')}</Button>
        </Space>
      }
    />
  );
}
