import { Button, Checkbox, DatePicker, Select, Space, Table } from 'antd';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { downloadUrl } from '../../../shared/api';
import { CHANNELS, EVENT_STATES, formatTime, t, TIERS, type Text } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, RegionName, RegionSelect, useCursorList, useUrlFilters, periodQuery, periodValue } from '../../components/common';
import { EVENT_FILTERS, useCatalogue, type EventItem } from './api';
import { ChannelText, Deadline, EventLink, StateTag, TierTag } from './bits';

const options = (table: Record<string, Text>) => Object.entries(table).map(([value, l]) => ({ value, label: t(l) }));

/**
 * Event list with every filter in the URL (bookmarkable; the export link sends the same query,
 * so the spreadsheet holds exactly the rows on screen, within the caller's jurisdiction).
 */
export default function EventList() {
  const { values: f, set, clear } = useUrlFilters(EVENT_FILTERS);
  const catalogue = useCatalogue();
  const query = { ...f };
  const list = useCursorList<EventItem>(['events', 'list'], '/api/v1/events', query);
  return (
    <>
      <PageTitle
        title={t('事件管理', 'Events')}
        extra={
          <>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>
              {t('刷新', 'Refresh')}
            </Button>
            <Button type="primary" icon={<DownloadOutlined />} href={downloadUrl('/api/v1/events/export.xlsx', query)} aria-label={t('导出Excel', 'Export to Excel')}>
              {t('导出Excel', 'Export to Excel')}
            </Button>
          </>
        }
      />
      <Space wrap style={{ marginBottom: 16 }} aria-label={t('筛选', 'Filters')}>
        <Select allowClear style={{ width: 140 }} placeholder={t('状态', 'State')} aria-label={t('状态', 'State')} value={f.state} options={options(EVENT_STATES)} onChange={(v) => set({ state: v })} />
        <Select allowClear style={{ width: 130 }} placeholder={t('层级', 'Tier')} aria-label={t('层级', 'Tier')} value={f.tier} options={options(TIERS)} onChange={(v) => set({ tier: v })} />
        <Select allowClear style={{ width: 140 }} placeholder={t('来源渠道', 'Channel')} aria-label={t('来源渠道', 'Channel')} value={f.channel} options={options(CHANNELS)} onChange={(v) => set({ channel: v })} />
        <RegionSelect value={f.regionId} onChange={(v) => set({ regionId: v })} />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 200 }}
          placeholder={t('事项类别', 'Category')}
          aria-label={t('事项类别', 'Category')}
          value={f.categoryCode}
          options={(catalogue.data ?? []).map((c) => ({ value: c.code, label: `${c.code} ${c.name}` }))}
          onChange={(v) => set({ categoryCode: v })}
          notFoundContent={catalogue.error ? t('事项清单暂不可用', 'Catalogue unavailable') : undefined}
        />
        <DatePicker.RangePicker
          aria-label={t('上报时间', 'Reported between')}
          value={periodValue(f.from, f.to)}
          onChange={(r) => set(periodQuery(r))}
        />
        <Checkbox checked={f.overdue === 'true'} onChange={(e) => set({ overdue: e.target.checked ? 'true' : undefined })}>
          {t('仅超时', 'Overdue only')}
        </Checkbox>
        <Checkbox checked={f.mine === 'true'} onChange={(e) => set({ mine: e.target.checked ? 'true' : undefined })}>
          {t('我承办的', 'Held by me')}
        </Checkbox>
        <Button onClick={clear}>{t('重置', 'Reset')}</Button>
      </Space>
      {list.error ? (
        <QueryError error={list.error} what={t('事件列表', 'Event list')} />
      ) : (
        <>
          <Table<EventItem>
            rowKey="id"
            size="middle"
            loading={list.isLoading}
            dataSource={list.items}
            pagination={false}
            aria-label={t('事件列表', 'Event list')}
            columns={[
              { title: t('事件', 'Event'), key: 'title', render: (_, r) => <EventLink ev={r} /> },
              { title: t('状态', 'State'), key: 'state', width: 120, render: (_, r) => <StateTag state={r.state} /> },
              { title: t('当前层级', 'Tier'), key: 'tier', width: 110, render: (_, r) => <TierTag tier={r.tier} /> },
              { title: t('来源', 'Channel'), key: 'channel', width: 110, render: (_, r) => <ChannelText channel={r.channel} /> },
              { title: t('经营主体', 'Business'), key: 'business', render: (_, r) => r.businessName ?? '—' },
              { title: t('区域', 'Region'), key: 'region', render: (_, r) => r.regionName ?? <RegionName id={r.regionId} /> },
              { title: t('时限', 'Deadline'), key: 'deadline', width: 150, render: (_, r) => <Deadline ev={r} /> },
              { title: t('上报时间', 'Reported'), key: 'createdAt', width: 150, render: (_, r) => formatTime(r.createdAt) },
            ]}
            locale={{ emptyText: t('没有符合条件的事件', 'No events match') }}
          />
          <LoadMore list={list} />
        </>
      )}
    </>
  );
}
