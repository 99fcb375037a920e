import { useMemo, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query';
import { Alert, Button, Empty, Result, Space, TreeSelect, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api, ApiError, isMissingRoute, type Page, type Query } from '../../shared/api';
import { label, REGION_LEVELS, t } from '../../shared/i18n';

/** Error answer of a query: a route the server does not have yet is an empty state, not a crash. */
export function QueryError({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  if (isMissingRoute(error)) {
    return (
      <Empty
        description={
          <span>
            {what ? `${what}：` : ''}
            {t('该功能的服务接口尚未上线', 'this service is not available on the server yet')}
          </span>
        }
      />
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return <Result status="404" title={t('未找到，或不在您的管辖范围内', 'Not found, or outside your jurisdiction')} />;
  }
  if (error instanceof ApiError && error.status === 403) {
    return <Result status="403" title={t('您的角色无权查看', 'Your role may not see this')} subTitle={error.message} />;
  }
  return <Alert type="error" showIcon message={error instanceof Error ? error.message : String(error)} role="alert" />;
}

export function PageTitle({ title, extra, sub }: { title: ReactNode; extra?: ReactNode; sub?: ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16, gap: 16, flexWrap: 'wrap' }}>
      <div>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {sub && <Typography.Text type="secondary">{sub}</Typography.Text>}
      </div>
      {extra && <Space wrap>{extra}</Space>}
    </div>
  );
}

/** A cursor-paged list (`{items, nextCursor}`) with "load more". */
export function useCursorList<T>(key: unknown[], url: string, query: Query = {}, pageSize = 50, enabled = true) {
  const q = useInfiniteQuery({
    queryKey: [...key, query],
    enabled,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<T>>(url, { ...query, limit: pageSize, cursor: pageParam }, { signal }),
    getNextPageParam: (last) => last?.nextCursor ?? undefined,
  });
  const items = useMemo(() => (q.data?.pages ?? []).flatMap((p) => p?.items ?? []), [q.data]);
  return { ...q, items };
}

export function LoadMore({ list }: { list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown; items: unknown[] } }) {
  return (
    <div style={{ textAlign: 'center', marginTop: 12 }}>
      {list.hasNextPage ? (
        <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('加载更多', 'Load more')}
        </Button>
      ) : list.items.length ? (
        <Typography.Text type="secondary">{t(`共 ${list.items.length} 条`, `${list.items.length} rows`)}</Typography.Text>
      ) : null}
    </div>
  );
}

/** Filters kept in the URL query, so a filtered list can be bookmarked, shared and exported. */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined])) as Record<K, string | undefined>;
  const set = (patch: Partial<Record<K, string | undefined | null>>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch) as Array<[string, string | undefined | null]>) {
      if (v === undefined || v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  const clear = () => setParams(new URLSearchParams(), { replace: true });
  return { values, set, clear };
}

export interface Region {
  id: string;
  code: string;
  name: string;
  level: string;
  parentId: string | null;
  path?: string | string[];
  childCount?: number;
  ancestors?: Array<{ id: string; name: string; level: string; code: string }>;
}

interface TreeNode {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

/** Region picker over the caller's jurisdiction, loading children as levels open. */
export function RegionSelect(props: {
  id?: string;
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  style?: React.CSSProperties;
  /** Deepest level offered (e.g. 'grid'). */
  maxLevel?: string;
}) {
  return <RegionTreeSelect {...props} />;
}

/** Several regions (an organisation's jurisdiction). */
export function RegionMultiSelect(props: { id?: string; value?: string[]; onChange?: (v: string[]) => void; placeholder?: string; style?: React.CSSProperties }) {
  return <RegionTreeSelect {...props} multiple />;
}

function RegionTreeSelect({
  id,
  value,
  onChange,
  placeholder,
  style,
  maxLevel,
  multiple,
}: {
  id?: string;
  value?: string | string[];
  onChange?: (v: any) => void;
  placeholder?: string;
  style?: React.CSSProperties;
  maxLevel?: string;
  multiple?: boolean;
}) {
  const [nodes, setNodes] = useState<TreeNode[]>([]);
  const order = ['country', 'province', 'city', 'county', 'township', 'village', 'grid', 'unit'];
  const leafAt = (level: string) => level === 'unit' || (maxLevel ? order.indexOf(level) >= order.indexOf(maxLevel) : false);
  const toNode = (r: Region, pId?: string): TreeNode => ({
    id: r.id,
    pId,
    value: r.id,
    title: `${r.name}（${label(REGION_LEVELS, r.level)}）`,
    isLeaf: leafAt(r.level),
  });
  const roots = useQuery({
    queryKey: ['regions', 'roots'],
    queryFn: () => api.get<Page<Region>>('/api/v1/regions', { limit: 200 }),
    staleTime: 10 * 60_000,
  });
  // The selected region may be deep in the tree: show its name even before its branch is opened.
  const single = typeof value === 'string' ? value : undefined;
  const selected = useQuery({
    queryKey: ['regions', 'one', single],
    enabled: !!single && !nodes.some((n) => n.value === single),
    queryFn: () => api.get<Region>(`/api/v1/regions/${single}`),
    staleTime: 10 * 60_000,
  });
  // Several chosen regions (multiple): fetch the names of those not in the loaded tree.
  const chosen = useQueries({
    queries: (Array.isArray(value) ? value : []).map((id) => ({
      queryKey: ['regions', 'one', id],
      queryFn: () => api.get<Region>(`/api/v1/regions/${id}`),
      staleTime: 10 * 60_000,
      retry: false,
    })),
  });
  const data = useMemo(() => {
    const base = (roots.data?.items ?? []).map((r) => toNode(r));
    const extra = nodes.filter((n) => !base.some((b) => b.id === n.id));
    const all = [...base, ...extra];
    for (const r of [selected.data, ...chosen.map((c) => c.data)]) if (r && !all.some((n) => n.id === r.id)) all.push({ ...toNode(r), pId: undefined });
    return all;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [roots.data, nodes, selected.data, chosen.map((c) => c.dataUpdatedAt).join()]);
  const loadData = async (node: { id?: string; value?: unknown }) => {
    const id = String(node.value ?? node.id);
    const kids: Region[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get<Page<Region>>('/api/v1/regions', { parentId: id, limit: 500, cursor });
      kids.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && kids.length < 3000);
    setNodes((prev) => [...prev.filter((n) => !kids.some((k) => k.id === n.id)), ...kids.map((k) => toNode(k, id))]);
  };
  return (
    <TreeSelect
      treeDataSimpleMode
      allowClear
      showSearch
      treeNodeFilterProp="title"
      style={{ minWidth: 220, ...style }}
      value={value}
      placeholder={placeholder ?? t('区域（含下级）', 'Region (with subtree)')}
      treeData={data}
      loadData={loadData}
      onChange={(v) => onChange?.(multiple ? (v ?? []) : (v ?? undefined))}
      multiple={multiple}
      loading={roots.isLoading}
      popupMatchSelectWidth={false}
      // Inside a form the field's label names it (Form.Item passes the id); alone, say what it is.
      id={id}
      aria-label={id ? undefined : t('区域', 'Region')}
    />
  );
}

/** Region name by id (cached), for tables that carry only ids. */
export function RegionName({ id }: { id?: string | null }) {
  const q = useQuery({
    queryKey: ['regions', 'one', id],
    enabled: !!id,
    queryFn: () => api.get<Region>(`/api/v1/regions/${id}`),
    staleTime: 10 * 60_000,
    retry: false,
  });
  if (!id) return <>—</>;
  if (q.error) return <span title={`#${id}`}>{t('辖区外区域', 'Outside my jurisdiction')}</span>;
  if (!q.data) return <span title={`#${id}`}>…</span>;
  const anc = q.data.ancestors ?? [];
  const trail = anc.length > 2 ? anc.slice(-3).map((a) => a.name).join(' / ') : q.data.name;
  return <span title={anc.map((a) => a.name).join(' / ')}>{trail}</span>;
}

/**
 * A date range picked by day, as the API's half-open period: `from` = start of the first day,
 * `to` = start of the day after the last, both with the browser's offset (China time).
 */
export function periodQuery(r: [Dayjs | null, Dayjs | null] | null | undefined) {
  return {
    from: r?.[0] ? r[0].startOf('day').format() : undefined,
    to: r?.[1] ? r[1].add(1, 'day').startOf('day').format() : undefined,
  };
}

export function periodValue(from?: string, to?: string): [Dayjs | null, Dayjs | null] | null {
  if (!from && !to) return null;
  return [from ? dayjs(from) : null, to ? dayjs(to).subtract(1, 'day') : null];
}
