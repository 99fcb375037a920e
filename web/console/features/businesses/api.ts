import { useQuery } from '@tanstack/react-query';
import { api } from '../../../shared/api';

export interface Business {
  id: string;
  name: string;
  creditCode?: string | null;
  licenseNo?: string | null;
  licenseExpiry?: string | null;
  type: string;
  regionId: string;
  regionName?: string | null;
  address?: string | null;
  dinersCount?: number | null;
  employees?: number | null;
  revenueWan?: number | null;
  riskLevel?: string | null;
  grade?: string | null;
  status?: string | null;
  contactPhone?: string | null;
  team?: unknown;
  [k: string]: unknown;
}

export const BUSINESS_FILTERS = ['regionId', 'grade', 'type', 'riskLevel', 'status', 'q'] as const;

export function useBusiness(id: string | null | undefined) {
  return useQuery({
    queryKey: ['business', id],
    enabled: !!id,
    queryFn: () => api.get<Business>(`/api/v1/businesses/${id}`),
    retry: false,
  });
}
