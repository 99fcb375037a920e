import { Link } from 'react-router-dom';
import { Button, DatePicker, Result, Select, Space, Table, Tag, Typography } from 'antd';
import { BarChartOutlined, DownloadOutlined, FilterOutlined, ReloadOutlined } from '@ant-design/icons';
import { downloadUrl } from '../../../shared/api';
import { formatTime, label, ROLES, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionSelect, useCursorList, useUrlFilters, periodQuery, periodValue } from '../../components/common';
import { useMe } from '../../session';
import { PATROL_FILTERS, PATROL_READERS, PATROL_TYPES, type Patrol } from './api';

export function ResultTag({ p }: { p: Pick<Patrol, 'passed' | 'failedCount'> }) {
  return p.passed ? (
    <Tag color="green">{t('合格', 'Passed')}</Tag>
  ) : (
    <Tag color="red">{t(`不合格 ${p.failedCount} 项`, `${p.failedCount} failed`)}</Tag>
  );
}

/**
 * 巡查记录 (P1 grid patrols, P3 sink-down inspections) in the caller's jurisdiction, newest first,
 * with the API's filters kept in the URL and its cursor paging; the export sends the same filters.
 */
export default function PatrolList() {
  const me = useMe();
  const { values: f, set, clear } = useUrlFilters(PATROL_FILTERS);
  const allowed = PATROL_READERS.includes(me.role);
  const list = useCursorList<Patrol>(['patrols', 'list'], '/api/v1/patrols', { ...f }, 50, allowed);
  if (!allowed) return <Result status="403" title={t('您的角色无权查看巡查记录', 'Your role may not see patrols')} />;
  // Names for the filters set from a row (the API filters by id).
  const patroller = f.patrollerId ? list.items.find((p) => p.patrollerId === f.patrollerId)?.patrollerName : undefined;
  const business = f.businessId ? list.items.find((p) => p.businessId === f.businessId)?.businessName : undefined;
  return (
    <>
      <PageTitle
        title={t('巡查记录', 'Patrol records')}
        extra={
          <>
            <Link to="/patrols/coverage">
              <Button icon={<BarChartOutlined />}>{t('巡查覆盖率', 'Patrol coverage')}</Button>
            </Link>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>
              {t('刷新', 'Refresh')}
            </Button>
            <Button type="primary" icon={<DownloadOutlined />} href={downloadUrl('/api/v1/patrols/export.xlsx', { ...f })}>
              {t('导出 Excel', 'Export to Excel')}
            </Button>
          </>
        }
      />
      <Space wrap style={{ marginBottom: 16 }} aria-label={t('筛选', 'Filters')}>
        <RegionSelect value={f.regionId} onChange={(v) => set({ regionId: v })} />
        <Select
          allowClear
          style={{ width: 150 }}
          placeholder={t('巡查类型', 'Type')}
          aria-label={t('巡查类型', 'Type')}
          value={f.type}
          options={Object.entries(PATROL_TYPES).map(([value, l]) => ({ value, label: t(l) }))}
          onChange={(v) => set({ type: v })}
        />
        <Select
          allowClear
          style={{ width: 130 }}
          placeholder={t('巡查结果', 'Result')}
          aria-label={t('巡查结果', 'Result')}
          value={f.passed}
          options={[
            { value: 'true', label: t('合格', 'Passed') },
            { value: 'false', label: t('不合格', 'Failed') },
          ]}
          onChange={(v) => set({ passed: v })}
        />
        <DatePicker.RangePicker aria-label={t('巡查时间', 'Patrolled between')} value={periodValue(f.from, f.to)} onChange={(r) => set(periodQuery(r))} />
        {f.patrollerId && (
          <Tag closable onClose={() => set({ patrollerId: undefined })} color="blue">
            {t('巡查人员', 'Patroller')}：{patroller ?? f.patrollerId}
          </Tag>
        )}
        {f.businessId && (
          <Tag closable onClose={() => set({ businessId: undefined })} color="blue">
            {t('经营主体', 'Business')}：{business ?? f.businessId}
          </Tag>
        )}
        <Button onClick={clear}>{t('重置', 'Reset')}</Button>
      </Space>
      {list.error ? (
        <QueryError error={list.error} what={t('巡查记录', 'Patrol records')} />
      ) : (
        <>
          <Table<Patrol>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.items}
            pagination={false}
            scroll={{ x: 'max-content' }}
            aria-label={t('巡查记录', 'Patrol records')}
            onRow={(r) => ({ 'data-patrol-id': r.id }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: t('巡查时间', 'Patrolled at'),
                key: 'at',
                width: 150,
                render: (_, r) => (
                  <Link to={`/patrols/${r.id}`} aria-label={t(`巡查详情 ${r.businessName ?? ''} ${formatTime(r.patrolledAt)}`, `Patrol ${r.businessName ?? ''} ${formatTime(r.patrolledAt)}`)}>
                    {formatTime(r.patrolledAt)}
                  </Link>
                ),
              },
              {
                title: t('经营主体', 'Business'),
                key: 'business',
                render: (_, r) => (
                  <Space size={4}>
                    <Link to={`/businesses/${r.businessId}`}>{r.businessName ?? '—'}</Link>
                    {!f.businessId && (
                      <Button type="text" size="small" icon={<FilterOutlined />} onClick={() => set({ businessId: r.businessId })} aria-label={t('只看该主体', 'Only this business')} title={t('只看该主体', 'Only this business')} />
                    )}
                  </Space>
                ),
              },
              { title: t('类型', 'Type'), key: 'type', width: 110, render: (_, r) => label(PATROL_TYPES, r.type) },
              {
                title: t('巡查人员', 'Patroller'),
                key: 'patroller',
                render: (_, r) => (
                  <Space size={4}>
                    <span>{r.patrollerName ?? '—'}</span>
                    <Typography.Text type="secondary">{label(ROLES, r.patrollerRole)}</Typography.Text>
                    {!f.patrollerId && (
                      <Button type="text" size="small" icon={<FilterOutlined />} onClick={() => set({ patrollerId: r.patrollerId })} aria-label={t('只看该人员', 'Only this patroller')} title={t('只看该人员', 'Only this patroller')} />
                    )}
                  </Space>
                ),
              },
              { title: t('结果', 'Result'), key: 'passed', width: 110, render: (_, r) => <ResultTag p={r} /> },
              {
                title: t('已上报事件', 'Events raised'),
                key: 'events',
                render: (_, r) =>
                  r.eventIds.length ? (
                    <Space size={4} wrap>
                      {r.eventIds.map((id, i) => (
                        <Link key={id} to={`/events/${id}`}>
                          {t('事件', 'Event')}
                          {r.eventIds.length > 1 ? ` ${i + 1}` : ''}
                        </Link>
                      ))}
                    </Space>
                  ) : (
                    '—'
                  ),
              },
              { title: t('备注', 'Note'), key: 'note', render: (_, r) => r.note ?? '—' },
            ]}
            locale={{ emptyText: t('没有符合条件的巡查记录', 'No patrols match') }}
          />
          <LoadMore list={list} />
        </>
      )}
    </>
  );
}
