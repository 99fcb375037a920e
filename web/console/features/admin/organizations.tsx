import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../../shared/api';
import { label, ORG_TYPES, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionMultiSelect, RegionName, RegionSelect, useCursorList } from '../../components/common';
import { useMe } from '../../session';

/** Kinds of other departments (E6 transfers go to the one whose remit it is). */
const DEPARTMENT_KINDS: Record<string, { zh: string; en: string }> = {
  education: { zh: '教育', en: 'Education' },
  agriculture: { zh: '农业农村', en: 'Agriculture' },
  health: { zh: '卫生健康', en: 'Health' },
  urban_management: { zh: '城市管理', en: 'Urban management' },
  public_security: { zh: '公安', en: 'Public security' },
  commerce: { zh: '商务', en: 'Commerce' },
  ecology: { zh: '生态环境', en: 'Ecology' },
  other: { zh: '其他', en: 'Other' },
};

interface Org {
  id: string;
  type: string;
  name: string;
  regionId: string | null;
  jurisdictionRegionIds?: string[];
}

/** Organisations seated in or covering my jurisdiction (H2) with their jurisdictions. */
export default function Organizations() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [type, setType] = useState<string | undefined>();
  const [editing, setEditing] = useState<Org | 'new' | null>(null);
  const [form] = Form.useForm();
  const list = useCursorList<Org>(['organizations'], '/api/v1/organizations', { type }, 200);
  const open = (o: Org | 'new') => {
    setEditing(o);
    form.resetFields();
    if (o !== 'new') form.setFieldsValue({ jurisdictionRegionIds: o.jurisdictionRegionIds ?? [] });
  };
  const save = async (v: { type: string; name: string; code?: string; departmentKind?: string; regionId: string; jurisdictionRegionIds?: string[] }) => {
    try {
      if (editing === 'new') {
        await api.post('/api/v1/organizations', { ...v, code: v.code || null, jurisdictionRegionIds: v.jurisdictionRegionIds?.length ? v.jurisdictionRegionIds : undefined });
      } else if (editing) {
        await api.put(`/api/v1/organizations/${editing.id}/jurisdiction`, { regionIds: v.jurisdictionRegionIds ?? [] });
      }
      message.success(t('已保存', 'Saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['organizations'] });
    } catch (e) {
      const name = e instanceof ApiError && e.field ? e.field.split('.')[0] : null;
      if (name && ['type', 'name', 'code', 'departmentKind', 'regionId', 'jurisdictionRegionIds'].includes(name)) form.setFields([{ name, errors: [(e as Error).message] }]);
      else message.error((e as Error).message);
    }
  };
  return (
    <>
      <PageTitle
        title={t('组织机构', 'Organisations')}
        extra={
          isAdmin ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
              {t('新建机构', 'New organisation')}
            </Button>
          ) : null
        }
      />
      <Space style={{ marginBottom: 16 }}>
        <Select allowClear style={{ width: 180 }} placeholder={t('机构类型', 'Type')} aria-label={t('机构类型', 'Type')} value={type} onChange={setType} options={Object.entries(ORG_TYPES).map(([value, l]) => ({ value, label: t(l) }))} />
      </Space>
      {list.error ? (
        <QueryError error={list.error} />
      ) : (
        <>
          <Table<Org>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.items}
            pagination={false}
            columns={[
              { title: t('名称', 'Name'), dataIndex: 'name' },
              { title: t('类型', 'Type'), key: 'type', width: 150, render: (_, r) => <Tag>{label(ORG_TYPES, r.type)}</Tag> },
              { title: t('驻地', 'Seat'), key: 'seat', render: (_, r) => <RegionName id={r.regionId} /> },
              {
                title: t('管辖范围', 'Jurisdiction'),
                key: 'jur',
                render: (_, r) => (
                  <Space wrap size={4}>
                    {(r.jurisdictionRegionIds ?? []).slice(0, 8).map((id) => (
                      <Tag key={id}>
                        <RegionName id={id} />
                      </Tag>
                    ))}
                    {(r.jurisdictionRegionIds?.length ?? 0) > 8 ? `+${r.jurisdictionRegionIds!.length - 8}` : null}
                  </Space>
                ),
              },
              ...(isAdmin
                ? [
                    {
                      title: '',
                      key: 'ops',
                      width: 110,
                      render: (_: unknown, r: Org) => (
                        <Button size="small" onClick={() => open(r)}>
                          {t('管辖范围', 'Jurisdiction')}
                        </Button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
          <LoadMore list={list} />
        </>
      )}
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('新建机构', 'New organisation') : `${t('设置管辖范围', 'Set jurisdiction')} · ${editing ? (editing as Org).name : ''}`}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={save}>
          {editing === 'new' && (
            <>
              <Form.Item name="type" label={t('机构类型', 'Type')} rules={[{ required: true }]}>
                <Select options={Object.entries(ORG_TYPES).map(([value, l]) => ({ value, label: t(l) }))} />
              </Form.Item>
              <Form.Item name="name" label={t('名称', 'Name')} rules={[{ required: true }]}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="code" label={t('机构代码', 'Code')}>
                <Input maxLength={40} />
              </Form.Item>
              <Form.Item noStyle dependencies={['type']}>
                {({ getFieldValue }) =>
                  getFieldValue('type') === 'department' ? (
                    <Form.Item name="departmentKind" label={t('部门类别', 'Kind of department')} rules={[{ required: true }]}>
                      <Select
                        showSearch
                        options={Object.entries(DEPARTMENT_KINDS).map(([value, l]) => ({ value, label: t(l) }))}
                      />
                    </Form.Item>
                  ) : null
                }
              </Form.Item>
              <Form.Item name="regionId" label={t('驻地', 'Seat')} rules={[{ required: true }]}>
                <RegionSelect style={{ width: '100%' }} />
              </Form.Item>
            </>
          )}
          <Form.Item
            name="jurisdictionRegionIds"
            label={editing === 'new' ? t('管辖范围（可多选；不选则为驻地辖区）', 'Jurisdiction (several allowed; none = the seat)') : t('管辖范围（可多选）', 'Jurisdiction (several allowed)')}
            rules={editing !== 'new' ? [{ required: true, type: 'array', min: 1, message: t('至少选择一个区域', 'Pick at least one region') }] : []}
          >
            <RegionMultiSelect style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
