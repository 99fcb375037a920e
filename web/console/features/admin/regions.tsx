import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Select, Spin, Tree } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, ApiError, type Page } from '../../../shared/api';
import { label, REGION_LEVELS, t } from '../../../shared/i18n';
import { PageTitle, QueryError, type Region } from '../../components/common';
import { useMe } from '../../session';

interface Node {
  key: string;
  title: string;
  isLeaf: boolean;
  children?: Node[];
  region: Region;
}

const NEXT_LEVEL: Record<string, string> = { country: 'province', province: 'city', city: 'county', county: 'township', township: 'village', village: 'grid', grid: 'unit' };
const toNode = (r: Region): Node => ({ key: r.id, title: `${r.name}（${label(REGION_LEVELS, r.level)}）`, isLeaf: r.level === 'unit', region: r });

function setChildren(list: Node[], key: string, children: Node[]): Node[] {
  return list.map((n) => (n.key === key ? { ...n, children } : n.children ? { ...n, children: setChildren(n.children, key, children) } : n));
}

/** The region tree of my jurisdiction (H1), opened level by level; admins add regions. */
export default function Regions() {
  const me = useMe();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [tree, setTree] = useState<Node[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  const roots = useQuery({
    queryKey: ['regions', 'roots'],
    queryFn: () => api.get<Page<Region>>('/api/v1/regions', { limit: 200 }),
  });
  const detail = useQuery({
    queryKey: ['regions', 'one', selected],
    enabled: !!selected,
    queryFn: () => api.get<Region>(`/api/v1/regions/${selected}`),
  });
  const data = tree ?? (roots.data?.items ?? []).map(toNode);
  const loadChildren = async (key: string) => {
    const kids: Region[] = [];
    let cursor: string | undefined;
    do {
      const p = await api.get<Page<Region>>('/api/v1/regions', { parentId: key, limit: 1000, cursor });
      kids.push(...p.items);
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    setTree((prev) => setChildren(prev ?? data, key, kids.map(toNode)));
  };
  const create = async (v: { code: string; name: string; level: string }) => {
    try {
      await api.post('/api/v1/regions', { ...v, parentId: selected });
      message.success(t('已新建', 'Created'));
      setAdding(false);
      form.resetFields();
      if (selected) await loadChildren(selected);
      qc.invalidateQueries({ queryKey: ['regions'] });
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
      else message.error((e as Error).message);
    }
  };
  return (
    <>
      <PageTitle title={t('区域网格', 'Regions and grids')} />
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card size="small">
            {roots.error ? (
              <QueryError error={roots.error} />
            ) : roots.isLoading ? (
              <Spin />
            ) : (
              <Tree<Node>
                treeData={data}
                loadData={(n) => loadChildren(n.key)}
                onSelect={(keys) => setSelected((keys[0] as string) ?? null)}
                height={640}
                aria-label={t('区域树', 'Region tree')}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card
            size="small"
            title={t('区域详情', 'Region')}
            extra={
              me.role === 'admin' && detail.data && detail.data.level !== 'unit' ? (
                <Button size="small" icon={<PlusOutlined />} onClick={() => { form.setFieldsValue({ level: NEXT_LEVEL[detail.data!.level] }); setAdding(true); }}>
                  {t('新建下级', 'Add child')}
                </Button>
              ) : null
            }
          >
            {!selected ? (
              t('在左侧选择区域', 'Pick a region on the left')
            ) : detail.error ? (
              <QueryError error={detail.error} />
            ) : !detail.data ? (
              <Spin />
            ) : (
              <Descriptions column={1} size="small" bordered>
                <Descriptions.Item label={t('名称', 'Name')}>{detail.data.name}</Descriptions.Item>
                <Descriptions.Item label={t('代码', 'Code')}>{detail.data.code}</Descriptions.Item>
                <Descriptions.Item label={t('层级', 'Level')}>{label(REGION_LEVELS, detail.data.level)}</Descriptions.Item>
                <Descriptions.Item label={t('上级', 'Ancestors')}>{(detail.data.ancestors ?? []).map((a) => a.name).join(' / ')}</Descriptions.Item>
                <Descriptions.Item label={t('下级数量', 'Children')}>{detail.data.childCount ?? '—'}</Descriptions.Item>
              </Descriptions>
            )}
          </Card>
        </Col>
      </Row>
      <Modal open={adding} title={t('新建下级区域', 'Add a child region')} onCancel={() => setAdding(false)} onOk={() => form.submit()} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={create}>
          <Form.Item name="name" label={t('名称', 'Name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="code" label={t('代码', 'Code')} rules={[{ required: true, pattern: /^[0-9A-Za-z-]{2,24}$/, message: t('2–24 位数字/字母', '2–24 digits or letters') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="level" label={t('层级', 'Level')} rules={[{ required: true }]}>
            <Select options={Object.entries(REGION_LEVELS).map(([value, l]) => ({ value, label: t(l) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
