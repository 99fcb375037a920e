import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { useQueries, useQuery } from '@tanstack/react-query';
import { Breadcrumb, Button, Card, Col, DatePicker, Empty, List, Row, Space, Statistic, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { api, type Page } from '../../../shared/api';
import { CHANNELS, EVENT_STATES, label, REGION_LEVELS, t, TIERS } from '../../../shared/i18n';
import { PageTitle, QueryError, type Region, useUrlFilters, periodQuery, periodValue } from '../../components/common';
import { useMe } from '../../session';
import { Chart } from './chart';
import { normalise, pct } from './metrics';

const FILTERS = ['regionId', 'from', 'to', 'categoryCode'] as const;

/** Index in an ancestor list (root first) of the first region that roots my jurisdiction. */
function jurisdictionStart(ancestors: Array<{ id: string }>, scope: string[]) {
  if (scope.includes('/')) return 0;
  const roots = new Set(scope.map((p) => p.split('/').filter(Boolean).pop()));
  const i = ancestors.findIndex((a) => roots.has(a.id));
  return i < 0 ? ancestors.length - 1 : i;
}

function Stat({ title, value, suffix, danger }: { title: string; value: string | number; suffix?: string; danger?: boolean }) {
  return (
    <Card size="small">
      <section aria-label={title}>
        <Statistic title={title} value={value} suffix={suffix} valueStyle={danger ? { color: '#cf1322' } : undefined} />
      </section>
    </Card>
  );
}

function pie(title: string, data: Record<string, number>, names: Record<string, { zh: string; en: string }>) {
  return {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0, type: 'scroll' },
    series: [
      {
        name: title,
        type: 'pie',
        radius: ['35%', '65%'],
        data: Object.entries(data)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => ({ name: label(names, k), value: v })),
      },
    ],
  };
}

/**
 * The jurisdiction's picture: totals, rates, breakdowns, overdue by region, weekly trend and
 * hotspots, with drill-down city → county → township → village → grid through `regionId`.
 */
export default function Dashboard() {
  const me = useMe();
  const { values: f, set } = useUrlFilters(FILTERS);
  const metrics = useQuery({
    queryKey: ['metrics', 'events', f],
    queryFn: () => api.get<unknown>('/api/v1/metrics/events', { ...f, include: 'dashboard' }),
  });
  const region = useQuery({
    queryKey: ['regions', 'one', f.regionId],
    enabled: !!f.regionId,
    queryFn: () => api.get<Region>(`/api/v1/regions/${f.regionId}`),
  });
  // Children of the region shown, for drilling down. Without a region: the roots of my
  // jurisdiction, or the children of the root when there is just one (a county's townships).
  const roots = useQuery({
    queryKey: ['regions', 'roots'],
    queryFn: () => api.get<Page<Region>>('/api/v1/regions', { limit: 200 }),
  });
  const single = roots.data?.items.length === 1 ? roots.data.items[0] : null;
  const parentId = f.regionId ?? single?.id;
  const children = useQuery({
    queryKey: ['regions', 'children', parentId ?? 'roots'],
    enabled: !!f.regionId || !!roots.data,
    queryFn: () => (parentId ? api.get<Page<Region>>('/api/v1/regions', { parentId, limit: 500 }) : Promise.resolve(roots.data!)),
  });
  const m = useMemo(() => (metrics.data ? normalise(metrics.data) : null), [metrics.data]);
  const kids = (children.data?.items ?? []).filter((r) => r.id !== parentId && r.level !== 'unit').slice(0, 40);
  // Per sub-region figures: from the metrics answer when it carries them, else one call per child.
  const perChild = useQueries({
    queries: kids.map((k) => ({
      queryKey: ['metrics', 'events', { ...f, regionId: k.id }],
      enabled: !!m && !m.byRegion.length,
      queryFn: () => api.get<unknown>('/api/v1/metrics/events', { ...f, regionId: k.id }),
    })),
  });
  // Weekly trend: from the answer when present, else the last 12 weeks one call each (period filter ignored).
  const weeks = useMemo(() => {
    const start = dayjs().startOf('week').add(1, 'day');
    return Array.from({ length: 12 }, (_, i) => start.subtract(11 - i, 'week'));
  }, []);
  const weekly = useQueries({
    queries: weeks.map((w) => ({
      queryKey: ['metrics', 'events', { regionId: f.regionId, categoryCode: f.categoryCode, from: w.format('YYYY-MM-DD'), to: w.add(1, 'week').format('YYYY-MM-DD') }],
      enabled: !!m && !m.weekly.length,
      queryFn: () =>
        api.get<unknown>('/api/v1/metrics/events', { regionId: f.regionId, categoryCode: f.categoryCode, from: w.format('YYYY-MM-DD'), to: w.add(1, 'week').format('YYYY-MM-DD') }),
    })),
  });
  const weeklyRows = m?.weekly.length
    ? m.weekly
    : weekly.every((q) => q.data)
      ? weeks.map((w, i) => {
          const x = normalise(weekly[i].data);
          return { week: w.format('MM-DD'), created: x.total, closed: x.byState.closed ?? 0 };
        })
      : [];
  // Hotspots: from the answer when present, else the open events flagged as hotspots (E12).
  const hotEvents = useQuery({
    queryKey: ['events', 'list', 'hotspots', f.regionId],
    enabled: !!m && !m.hotspots.length,
    queryFn: () => api.get<{ items: Array<{ id: string; title: string; businessId: string | null; businessName?: string; categoryCode: string | null }> }>('/api/v1/events', { hotspot: 'true', regionId: f.regionId, limit: 200 }),
  });
  const hotspots = m?.hotspots.length
    ? m.hotspots
    : Object.values(
        (hotEvents.data?.items ?? []).reduce<Record<string, { name: string; count: number; businessId?: string; category?: string }>>((acc, e) => {
          const key = `${e.businessId ?? e.title}|${e.categoryCode ?? ''}`;
          acc[key] ??= { name: e.businessName ?? e.title, count: 0, businessId: e.businessId ?? undefined, category: e.categoryCode ?? undefined };
          acc[key].count++;
          return acc;
        }, {}),
      ).sort((a, b) => b.count - a.count);
  const childRows = useMemo(() => {
    const byId = new Map((m?.byRegion ?? []).map((r) => [r.regionId, r]));
    kids.forEach((k, i) => {
      const d = perChild[i]?.data;
      if (d && !byId.has(k.id)) {
        const x = normalise(d);
        byId.set(k.id, { regionId: k.id, name: k.name, total: x.total, overdue: x.overdue });
      }
    });
    const rows: Array<Region & { total?: number; overdue?: number }> = kids.map((k) => ({ ...k, total: byId.get(k.id)?.total, overdue: byId.get(k.id)?.overdue }));
    // Regions the metrics name but the children list does not (e.g. roots of a multi-region scope).
    for (const r of m?.byRegion ?? []) if (!rows.some((x) => x.id === r.regionId)) rows.push({ id: r.regionId, name: r.name, level: r.level ?? '', code: '', parentId: null, total: r.total, overdue: r.overdue });
    return rows.filter((r) => r.level !== 'unit');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [children.data, m, f.regionId, perChild.map((q) => q.dataUpdatedAt).join()]);

  const crumbs = [
    { title: <a onClick={() => set({ regionId: undefined })}>{single ? single.name : t('我的辖区', 'My jurisdiction')}</a> },
    // Ancestors below the root of my jurisdiction (those above it are not mine to open).
    ...(region.data?.ancestors ?? []).slice(jurisdictionStart(region.data?.ancestors ?? [], me.scope ?? []) + (single ? 1 : 0)).map((a) => ({
      title: a.id === f.regionId ? <span>{a.name}</span> : <a onClick={() => set({ regionId: a.id })}>{a.name}</a>,
    })),
  ];
  const drill = (id: string) => set({ regionId: id });

  return (
    <>
      <PageTitle
        title={t('数据看板', 'Dashboard')}
        sub={<Breadcrumb items={crumbs} />}
        extra={
          <>
            <DatePicker.RangePicker
              aria-label={t('统计期间', 'Period')}
              value={periodValue(f.from, f.to)}
              onChange={(r) => set(periodQuery(r))}
            />
            <Button onClick={() => metrics.refetch()}>{t('刷新', 'Refresh')}</Button>
          </>
        }
      />
      {metrics.error ? (
        <QueryError error={metrics.error} what={t('统计指标', 'Metrics')} />
      ) : !m ? (
        <Card loading />
      ) : (
        <>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('事件总数', 'Events')} value={m.total} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('办结数', 'Closed')} value={m.byState.closed ?? 0} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('超时未办', 'Overdue')} value={m.overdue} danger={m.overdue > 0} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('自行办结率', 'Self-closure rate')} value={pct(m.selfClosureRate)} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('按时办结率', 'On-time rate')} value={pct(m.onTimeRate)} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('办结用时中位数', 'Median time to close')} value={m.closeTimeMedianHours === null ? '—' : Number(m.closeTimeMedianHours).toFixed(1)} suffix={m.closeTimeMedianHours === null ? undefined : t('小时', 'h')} />
            </Col>
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('按状态', 'By state')}>
                <Chart label={t('按状态', 'By state')} option={pie(t('状态', 'State'), m.byState, EVENT_STATES)} />
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('按层级', 'By tier')}>
                <Chart
                  label={t('按层级', 'By tier')}
                  option={{
                    tooltip: {},
                    grid: { left: 80, right: 16, top: 8, bottom: 24 },
                    xAxis: { type: 'value', minInterval: 1 },
                    yAxis: { type: 'category', data: Object.keys(TIERS).map((k) => label(TIERS, k)) },
                    series: [{ type: 'bar', data: Object.keys(TIERS).map((k) => m.byTier[k] ?? 0), itemStyle: { color: '#1677ff' } }],
                  }}
                />
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t('按来源渠道', 'By channel')}>
                <Chart label={t('按来源渠道', 'By channel')} option={pie(t('渠道', 'Channel'), m.byChannel, CHANNELS)} />
              </Card>
            </Col>
            <Col xs={24} lg={14}>
              <Card size="small" title={t('每周趋势', 'Weekly trend')}>
                {weeklyRows.length ? (
                  <Chart
                    label={t('每周趋势', 'Weekly trend')}
                    option={{
                      tooltip: { trigger: 'axis' },
                      legend: { bottom: 0 },
                      grid: { left: 40, right: 16, top: 16, bottom: 48 },
                      xAxis: { type: 'category', data: weeklyRows.map((w) => w.week.slice(0, 10)) },
                      yAxis: { type: 'value', minInterval: 1 },
                      series: [
                        { name: t('新增', 'Reported'), type: 'line', smooth: true, data: weeklyRows.map((w) => w.created) },
                        { name: t('办结', 'Closed'), type: 'line', smooth: true, data: weeklyRows.map((w) => w.closed) },
                      ],
                    }}
                  />
                ) : (
                  <Empty description={t('暂无趋势数据', 'No trend data')} />
                )}
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('热点问题', 'Hotspots')}>
                <List
                  size="small"
                  dataSource={hotspots.slice(0, 10)}
                  locale={{ emptyText: t('暂无热点', 'No hotspots') }}
                  renderItem={(h) => (
                    <List.Item extra={<Tag color="magenta">{h.count}</Tag>}>
                      {h.businessId ? <Link to={`/businesses/${h.businessId}`}>{h.name}</Link> : h.name}
                      {h.category ? <span style={{ color: '#888' }}> · {h.category}</span> : null}
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('下级区域（点击下钻）', 'Sub-regions (click to drill down)')}>
                {childRows.some((r) => r.total !== undefined) && (
                  <Chart
                    label={t('下级区域超时事件', 'Overdue by sub-region')}
                    height={240}
                    onClick={(p) => {
                      const r = childRows[p.dataIndex];
                      if (r) drill(r.id);
                    }}
                    option={{
                      tooltip: { trigger: 'axis' },
                      legend: { bottom: 0 },
                      grid: { left: 40, right: 16, top: 16, bottom: 64 },
                      xAxis: { type: 'category', data: childRows.map((r) => r.name), axisLabel: { rotate: childRows.length > 8 ? 30 : 0 } },
                      yAxis: { type: 'value', minInterval: 1 },
                      series: [
                        { name: t('事件', 'Events'), type: 'bar', data: childRows.map((r) => r.total ?? 0) },
                        { name: t('超时', 'Overdue'), type: 'bar', data: childRows.map((r) => r.overdue ?? 0), itemStyle: { color: '#cf1322' } },
                      ],
                    }}
                  />
                )}
                <Table
                  rowKey="id"
                  size="small"
                  loading={children.isLoading}
                  dataSource={childRows}
                  pagination={childRows.length > 20 ? { pageSize: 20 } : false}
                  aria-label={t('下级区域', 'Sub-regions')}
                  columns={[
                    {
                      title: t('区域', 'Region'),
                      key: 'name',
                      render: (_, r) => (
                        <Space>
                          <a onClick={() => drill(r.id)}>{r.name}</a>
                          <Tag>{label(REGION_LEVELS, r.level)}</Tag>
                        </Space>
                      ),
                    },
                    { title: t('事件数', 'Events'), key: 'total', render: (_, r) => r.total ?? '—' },
                    { title: t('超时', 'Overdue'), key: 'overdue', render: (_, r) => (r.overdue ? <Tag color="red">{r.overdue}</Tag> : (r.overdue ?? '—')) },
                    {
                      title: '',
                      key: 'events',
                      render: (_, r) => <Link to={`/events?regionId=${r.id}`}>{t('查看事件', 'Events')}</Link>,
                    },
                  ]}
                  locale={{ emptyText: t('没有下级区域', 'No sub-regions') }}
                />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </>
  );
}
