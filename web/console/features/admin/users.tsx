import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { api, ApiError, downloadUrl, type Page } from '../../../shared/api';
import { label, ORG_TYPES, ROLES, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionName, RegionSelect, useCursorList, useUrlFilters } from '../../components/common';
import { useMe } from '../../session';

interface User {
  id: string;
  username: string;
  displayName: string;
  role: string;
  regionId: string | null;
  organizationId: string | null;
  phone: string | null;
  disabled?: boolean;
  mustChangePassword?: boolean;
}

function OrganizationSelect(props: { value?: string; onChange?: (v: string | undefined) => void }) {
  const q = useQuery({
    queryKey: ['organizations', 'all-for-select'],
    queryFn: () => api.get<Page<{ id: string; name: string; type: string }>>('/api/v1/organizations', { limit: 1000 }),
    staleTime: 10 * 60_000,
  });
  return (
    <Select
      {...props}
      allowClear
      showSearch
      optionFilterProp="label"
      loading={q.isLoading}
      options={(q.data?.items ?? []).map((o) => ({ value: o.id, label: `${o.name}（${label(ORG_TYPES, o.type)}）` }))}
    />
  );
}

const roleOptions = () => Object.entries(ROLES).map(([value, l]) => ({ value, label: t(l) }));

/** Users in my jurisdiction (phones masked); admins create, disable and reset passwords. */
export default function Users() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const { values: f, set } = useUrlFilters(['role', 'regionId', 'q'] as const);
  const list = useCursorList<User>(['users'], '/api/v1/users', { ...f });
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [form] = Form.useForm();
  const [pwForm] = Form.useForm();
  const refresh = () => qc.invalidateQueries({ queryKey: ['users'] });
  const fieldError = (fm: typeof form, e: unknown) => {
    if (e instanceof ApiError && e.field) fm.setFields([{ name: e.field, errors: [e.message] }]);
    else message.error((e as Error).message);
  };
  const create = async (v: Record<string, string>) => {
    try {
      await api.post('/api/v1/users', { ...v, regionId: v.regionId ?? null, organizationId: v.organizationId || null, phone: v.phone || null });
      message.success(t('用户已创建，首次登录须修改密码', 'User created; they change the password at first sign-in'));
      setCreating(false);
      form.resetFields();
      refresh();
    } catch (e) {
      fieldError(form, e);
    }
  };
  const toggle = async (u: User) => {
    try {
      await api.patch(`/api/v1/users/${u.id}`, { disabled: !u.disabled });
      refresh();
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  const reset = async (v: { password: string }) => {
    try {
      await api.post(`/api/v1/users/${resetting!.id}/reset-password`, v);
      message.success(t('密码已重置，用户下次登录须修改', 'Password reset; the user changes it at next sign-in'));
      setResetting(null);
      pwForm.resetFields();
    } catch (e) {
      fieldError(pwForm, e);
    }
  };
  return (
    <>
      <PageTitle
        title={t('用户管理', 'Users')}
        extra={
          <>
            <Button icon={<DownloadOutlined />} href={downloadUrl('/api/v1/users/export.xlsx', { ...f })}>
              {t('导出Excel', 'Export to Excel')}
            </Button>
            {isAdmin && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('新建用户', 'New user')}
              </Button>
            )}
          </>
        }
      />
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear style={{ width: 220 }} placeholder={t('姓名/用户名', 'Name or username')} defaultValue={f.q} onSearch={(v) => set({ q: v || undefined })} />
        <Select allowClear style={{ width: 180 }} placeholder={t('角色', 'Role')} aria-label={t('角色', 'Role')} value={f.role} onChange={(v) => set({ role: v })} options={roleOptions()} />
        <RegionSelect value={f.regionId} onChange={(v) => set({ regionId: v })} />
      </Space>
      {list.error ? (
        <QueryError error={list.error} />
      ) : (
        <>
          <Table<User>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.items}
            pagination={false}
            columns={[
              { title: t('姓名', 'Name'), dataIndex: 'displayName' },
              { title: t('用户名', 'Username'), dataIndex: 'username' },
              { title: t('角色', 'Role'), key: 'role', render: (_, r) => label(ROLES, r.role) },
              { title: t('区域', 'Region'), key: 'region', render: (_, r) => <RegionName id={r.regionId} /> },
              { title: t('电话', 'Phone'), key: 'phone', render: (_, r) => r.phone ?? '—' },
              { title: t('状态', 'Status'), key: 'st', render: (_, r) => (r.disabled ? <Tag color="red">{t('已停用', 'Disabled')}</Tag> : <Tag color="green">{t('正常', 'Active')}</Tag>) },
              ...(isAdmin
                ? [
                    {
                      title: t('操作', 'Actions'),
                      key: 'ops',
                      render: (_: unknown, r: User) => (
                        <Space>
                          <Popconfirm title={r.disabled ? t('启用该用户？', 'Enable this user?') : t('停用该用户？其会话将失效。', 'Disable this user? Their sessions end.')} onConfirm={() => toggle(r)}>
                            <Button size="small" danger={!r.disabled}>
                              {r.disabled ? t('启用', 'Enable') : t('停用', 'Disable')}
                            </Button>
                          </Popconfirm>
                          <Button size="small" onClick={() => setResetting(r)}>
                            {t('重置密码', 'Reset password')}
                          </Button>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
          <LoadMore list={list} />
        </>
      )}
      <Modal open={creating} title={t('新建用户', 'New user')} onCancel={() => setCreating(false)} onOk={() => form.submit()} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={create}>
          <Form.Item name="username" label={t('用户名', 'Username')} rules={[{ required: true, pattern: /^[A-Za-z0-9_.@-]{3,64}$/, message: t('3–64 位字母、数字或 _ . @ -', '3–64 letters, digits, _ . @ -') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label={t('姓名', 'Name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="role" label={t('角色', 'Role')} rules={[{ required: true }]}>
            <Select options={roleOptions()} />
          </Form.Item>
          <Form.Item name="regionId" label={t('所属区域', 'Region')}>
            <RegionSelect style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="organizationId" label={t('所属机构', 'Organisation')} extra={t('所属区域或机构决定管辖范围，至少填一项', 'The region or the organisation sets the jurisdiction: give at least one')}>
            <OrganizationSelect />
          </Form.Item>
          <Form.Item name="phone" label={t('手机号', 'Phone')}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label={t('初始密码', 'Initial password')} rules={[{ required: true, min: 8 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={!!resetting} title={`${t('重置密码', 'Reset password')} · ${resetting?.displayName ?? ''}`} onCancel={() => setResetting(null)} onOk={() => pwForm.submit()} destroyOnHidden>
        <Form form={pwForm} layout="vertical" onFinish={reset}>
          <Form.Item name="password" label={t('新的初始密码', 'New initial password')} rules={[{ required: true, min: 8 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
