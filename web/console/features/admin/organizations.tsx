import { useState } from 'react';
import { Select, Space, Table, Tag } from 'antd';
import { label, ORG_TYPES, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionName, useCursorList } from '../../components/common';

interface Org {
  id: string;
  type: string;
  name: string;
  regionId: string | null;
  jurisdictionRegionIds?: string[];
}

/** Organisations seated in or covering my jurisdiction (H2) with their jurisdictions. */
export default function Organizations() {
  const [type, setType] = useState<string | undefined>();
  const list = useCursorList<Org>(['organizations'], '/api/v1/organizations', { type }, 200);
  return (
    <>
      <PageTitle title={t('组织机构', 'Organisations')} />
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
            ]}
          />
          <LoadMore list={list} />
        </>
      )}
    </>
  );
}
