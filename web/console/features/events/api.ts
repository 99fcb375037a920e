import { useQuery } from '@tanstack/react-query';
import { api, type Page, type Query } from '../../../shared/api';

export interface Holder {
  tier: string;
  regionId: string | null;
  organizationId: string | null;
  userId: string | null;
  organizationName?: string | null;
  userName?: string | null;
  regionName?: string | null;
}

export interface HistoryEntry {
  seq: number;
  type: string;
  actorId: string | null;
  actorName?: string | null;
  fromTier: string | null;
  toTier: string | null;
  note: string | null;
  at: string;
  [k: string]: unknown;
}

/** An action the state machine lets the caller take now; the server may send codes or objects. */
export type AllowedAction = string | { type: string; [k: string]: unknown };

export interface EventItem {
  id: string;
  channel: string;
  title: string;
  description: string;
  categoryCode: string | null;
  categoryName?: string | null;
  businessId: string | null;
  businessName?: string | null;
  regionId: string | null;
  regionName?: string | null;
  state: string;
  tier: string;
  holder: Holder;
  originTier: string | null;
  version: number;
  deadline: string | null;
  overdue: boolean;
  hotspot?: boolean;
  duplicateOf?: string | null;
  createdAt: string;
  closedAt: string | null;
  result: string | null;
  feedback: string | null;
  trackingCode?: string | null;
  location?: { lat: number; lng: number } | null;
  address?: string | null;
  history?: HistoryEntry[];
  allowedActions?: AllowedAction[];
  rejectReason?: string | null;
  rectification?: { deadline: string | null; requirement: string | null; overdue: boolean } | null;
  case?: { caseNo: string | null; decision: string | null; penalty: string | null } | null;
  reporterPhone?: string | null;
  anonymous?: boolean;
  rating?: number | null;
  reopenCount?: number;
}

export const actionType = (a: AllowedAction) => (typeof a === 'string' ? a : a.type);

/** The list filters of the console, the same names as the API's query parameters. */
export const EVENT_FILTERS = ['state', 'tier', 'channel', 'regionId', 'categoryCode', 'from', 'to', 'overdue', 'mine', 'q', 'businessId'] as const;
export type EventFilters = Partial<Record<(typeof EVENT_FILTERS)[number], string>>;

export function useEvent(id: string | undefined) {
  return useQuery({
    queryKey: ['event', id],
    enabled: !!id,
    queryFn: () => api.get<EventItem>(`/api/v1/events/${id}`),
  });
}

export interface Attachment {
  id: string;
  mime: string;
  url: string;
  thumbUrl: string | null;
  originalName?: string | null;
  width?: number | null;
  height?: number | null;
}

export function useAttachments(id: string | undefined) {
  return useQuery({
    queryKey: ['event', id, 'attachments'],
    enabled: !!id,
    queryFn: () => api.get<{ items: Attachment[] }>(`/api/v1/events/${id}/attachments`),
    retry: false,
  });
}

export interface CatalogueItem {
  code: string;
  name: string;
  aspect?: string;
  categoryCode?: string;
  categoryName?: string;
}

/** The item catalogue (E11) flattened to items; tolerant of `{items}` or `{categories:[{items}]}`. */
export function useCatalogue() {
  return useQuery({
    queryKey: ['catalogue'],
    staleTime: 10 * 60_000,
    retry: false,
    queryFn: async () => {
      const r = await api.get<any>('/api/v1/catalogue');
      const out: CatalogueItem[] = [];
      const visit = (x: any, cat?: any) => {
        if (!x || typeof x !== 'object') return;
        if (Array.isArray(x)) return x.forEach((y) => visit(y, cat));
        if (x.items && Array.isArray(x.items)) return x.items.forEach((y: any) => visit(y, x.code ? x : cat));
        if (x.categories) return visit(x.categories, cat);
        if (x.code && x.name) out.push({ code: String(x.code), name: String(x.name), aspect: x.aspect, categoryCode: cat?.code, categoryName: cat?.name });
      };
      visit(r);
      return out;
    },
  });
}

export function listEvents(query: Query) {
  return api.get<Page<EventItem>>('/api/v1/events', query);
}
