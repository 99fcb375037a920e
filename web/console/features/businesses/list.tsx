import { Link } from 'react-router-dom';
import { Button, Input, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { downloadUrl } from '../../../shared/api';
import { BUSINESS_STATUSES, BUSINESS_TYPES, GRADES, label, RISK_LEVELS as RISK, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionName, RegionSelect, useCursorList, useUrlFilters } from '../../components/common';
import { BUSINESS_FILTERS, type Business } from './api';

const GRADE_COLOURS: Record<string, string> = { A: 'green', B: 'blue', C: 'orange', D: 'red' };

export default function BusinessList() {
  const { values: f, set, clear } = useUrlFilters(BUSINESS_FILTERS);
  const list = useCursorList<Business>(['businesses', 'list'], '/api/v1/businesses', { ...f });
  return (
    <>
      <PageTitle
        title={t('经营主体', 'Businesses')}
        extra={
          <>
            <Link to="/businesses/import">
              <Button icon={<UploadOutlined />}>{t('批量导入', 'Import')}</Button>
            </Link>
            <Button type="primary" icon={<DownloadOutlined />} href={downloadUrl('/api/v1/businesses/export.xlsx', { ...f })}>
              {t('导出Excel', 'Export to Excel')}
            </Button>
          </>
        }
      />
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          style={{ width: 240 }}
          placeholder={t('名称/信用代码', 'Name or credit code')}
          defaultValue={f.q}
          onSearch={(v) => set({ q: v || undefined })}
          aria-label={t('搜索', 'Search')}
        />
        <RegionSelect value={f.regionId} onChange={(v) => set({ regionId: v })} />
        <Select allowClear style={{ width: 140 }} placeholder={t('业态', 'Type')} aria-label={t('业态', 'Type')} value={f.type} onChange={(v) => set({ type: v })} options={Object.entries(BUSINESS_TYPES).map(([value, l]) => ({ value, label: t(l) }))} />
        <Select allowClear style={{ width: 130 }} placeholder={t('分级', 'Grade')} aria-label={t('分级', 'Grade')} value={f.grade} onChange={(v) => set({ grade: v })} options={Object.entries(GRADES).map(([value, l]) => ({ value, label: t(l) }))} />
        <Select allowClear style={{ width: 120 }} placeholder={t('风险等级', 'Risk')} aria-label={t('风险等级', 'Risk')} value={f.riskLevel} onChange={(v) => set({ riskLevel: v })} options={Object.entries(RISK).map(([value, l]) => ({ value, label: t(l) }))} />
        <Select allowClear style={{ width: 130 }} placeholder={t('经营状态', 'Status')} aria-label={t('经营状态', 'Status')} value={f.status} onChange={(v) => set({ status: v })} options={Object.entries(BUSINESS_STATUSES).map(([value, l]) => ({ value, label: t(l) }))} />
        <Button onClick={clear}>{t('重置', 'Reset')}</Button>
      </Space>
      {list.error ? (
        <QueryError error={list.error} what={t('经营主体', 'Businesses')} />
      ) : (
        <>
          <Table<Business>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.items}
            pagination={false}
            columns={[
              { title: t('名称', 'Name'), key: 'name', render: (_, r) => <Link to={`/businesses/${r.id}`}>{r.name}</Link> },
              { title: t('业态', 'Type'), key: 'type', width: 120, render: (_, r) => label(BUSINESS_TYPES, r.type) },
              { title: t('分级', 'Grade'), key: 'grade', width: 80, render: (_, r) => (r.grade ? <Tag color={GRADE_COLOURS[r.grade]}>{r.grade}</Tag> : '—') },
              { title: t('风险', 'Risk'), key: 'risk', width: 90, render: (_, r) => label(RISK, r.riskLevel ?? null) },
              { title: t('所在区域', 'Region'), key: 'region', render: (_, r) => r.regionName ?? <RegionName id={r.regionId} /> },
              { title: t('许可证编号', 'Licence'), key: 'lic', width: 180, render: (_, r) => r.licenseNo ?? '—' },
              { title: t('联系电话', 'Phone'), key: 'phone', width: 130, render: (_, r) => r.contactPhone ?? '—' },
              { title: t('状态', 'Status'), key: 'status', width: 100, render: (_, r) => label(BUSINESS_STATUSES, r.status ?? null) },
            ]}
            locale={{ emptyText: t('没有符合条件的经营主体', 'No businesses match') }}
          />
          <LoadMore list={list} />
        </>
      )}
    </>
  );
}
