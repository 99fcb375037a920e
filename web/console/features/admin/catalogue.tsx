import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Form, Input, Modal, Select, Switch, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../../shared/api';
import { getLang, label, t, TIERS } from '../../../shared/i18n';
import { PageTitle, QueryError } from '../../components/common';
import { useMe } from '../../session';

interface Aspect {
  key: string;
  zh: string;
  en: string;
}
interface Item {
  code: string;
  categoryCode: string;
  aspect: string;
  name: string;
  guidance?: string | null;
  selfHandleTiers?: string[];
  active?: boolean;
}
interface Category {
  code: string;
  name: string;
  nameEn?: string | null;
  items: Item[];
}
interface Row {
  key: string;
  code: string;
  name: string;
  item?: Item;
  children?: Row[];
}

/** The item catalogue 食品安全社会治理事项清单 (E11): categories and items; admins add, edit and retire items. */
export default function Catalogue() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: ['catalogue', 'raw', isAdmin],
    queryFn: () => api.get<{ aspects: Aspect[]; categories: Category[] }>('/api/v1/catalogue', isAdmin ? { includeInactive: 'true' } : {}),
    retry: false,
  });
  const aspects = q.data?.aspects ?? [];
  const aspectLabel = (k: string) => {
    const a = aspects.find((x) => x.key === k);
    return a ? (getLang() === 'en' ? a.en : a.zh) : k;
  };
  const rows: Row[] = (q.data?.categories ?? []).map((c) => ({
    key: c.code,
    code: c.code,
    name: (getLang() === 'en' && c.nameEn) || c.name,
    children: c.items.map((i) => ({ key: i.code, code: i.code, name: i.name, item: i })),
  }));

  const open = (it: Item | 'new') => {
    setEditing(it);
    form.resetFields();
    if (it !== 'new') form.setFieldsValue({ ...it, active: it.active !== false });
    else form.setFieldsValue({ active: true, selfHandleTiers: [] });
  };
  const save = async (v: Item) => {
    try {
      if (editing === 'new') await api.post('/api/v1/catalogue/items', { code: v.code, categoryCode: v.categoryCode, aspect: v.aspect, name: v.name, guidance: v.guidance || undefined, selfHandleTiers: v.selfHandleTiers });
      else if (editing)
        await api.patch(`/api/v1/catalogue/items/${editing.code}`, {
          categoryCode: v.categoryCode,
          aspect: v.aspect,
          name: v.name,
          guidance: v.guidance ?? undefined,
          selfHandleTiers: v.selfHandleTiers,
          active: v.active,
        });
      message.success(t('已保存', 'Saved'));
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['catalogue'] });
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field.split('.')[0], errors: [e.message] }]);
      else message.error((e as Error).message);
    }
  };

  return (
    <>
      <PageTitle
        title={t('食品安全社会治理事项清单', 'Item catalogue')}
        extra={
          isAdmin ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
              {t('新增事项', 'New item')}
            </Button>
          ) : null
        }
      />
      {q.error ? (
        <QueryError error={q.error} what={t('事项清单', 'Item catalogue')} />
      ) : (
        <Table<Row>
          size="small"
          loading={q.isLoading}
          dataSource={rows}
          pagination={false}
          // Opened once the data is there (defaultExpandAllRows only reads the first render).
          key={rows.length}
          expandable={{ defaultExpandAllRows: true }}
          columns={[
            { title: t('编码', 'Code'), dataIndex: 'code', width: 120 },
            {
              title: t('事项', 'Item'),
              key: 'name',
              render: (_, r) => (
                <>
                  {r.item ? r.name : <b>{r.name}</b>}
                  {r.item?.active === false ? <Tag style={{ marginLeft: 6 }}>{t('已停用', 'Retired')}</Tag> : null}
                </>
              ),
            },
            { title: t('方面', 'Aspect'), key: 'aspect', width: 90, render: (_, r) => (r.item ? <Tag>{aspectLabel(r.item.aspect)}</Tag> : null) },
            { title: t('可自行办结的层级', 'May be closed at'), key: 'tiers', render: (_, r) => (r.item?.selfHandleTiers ?? []).map((x) => <Tag key={x}>{label(TIERS, x)}</Tag>) },
            { title: t('处置指引', 'Guidance'), key: 'guidance', render: (_, r) => r.item?.guidance ?? null },
            ...(isAdmin
              ? [
                  {
                    title: '',
                    key: 'ops',
                    width: 80,
                    render: (_: unknown, r: Row) =>
                      r.item ? (
                        <Button size="small" onClick={() => open(r.item!)}>
                          {t('编辑', 'Edit')}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      )}
      <Modal
        open={!!editing}
        width={640}
        title={editing === 'new' ? t('新增事项', 'New item') : `${t('编辑事项', 'Edit item')} ${editing ? (editing as Item).code : ''}`}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={save}>
          {editing === 'new' && (
            <Form.Item name="code" label={t('编码', 'Code')} rules={[{ required: true }]}>
              <Input maxLength={16} />
            </Form.Item>
          )}
          <Form.Item name="categoryCode" label={t('类别', 'Category')} rules={[{ required: true }]}>
            <Select options={(q.data?.categories ?? []).map((c) => ({ value: c.code, label: `${c.code} ${c.name}` }))} />
          </Form.Item>
          <Form.Item name="aspect" label={t('方面（证/人/物/票/洁）', 'Aspect')} rules={[{ required: true }]}>
            <Select options={aspects.map((a) => ({ value: a.key, label: getLang() === 'en' ? a.en : a.zh }))} />
          </Form.Item>
          <Form.Item name="name" label={t('事项名称', 'Name')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="guidance" label={t('处置指引', 'Guidance')}>
            <Input.TextArea rows={4} maxLength={2000} />
          </Form.Item>
          <Form.Item name="selfHandleTiers" label={t('可自行办结的层级', 'Tiers that may close it themselves')}>
            <Select mode="multiple" options={Object.entries(TIERS).map(([value, l]) => ({ value, label: t(l) }))} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label={t('启用', 'Active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
