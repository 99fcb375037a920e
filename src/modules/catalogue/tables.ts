import type { Timestamp } from '../../db/schema.js';

/** E11 item catalogue; see migration 0041. */
export interface CatalogueTables {
  catalogue_categories: {
    code: string;
    name: string;
    name_en: string | null;
    sort: number;
    created_at: Timestamp;
  };
  catalogue_items: {
    code: string;
    category_code: string;
    aspect: string;
    name: string;
    guidance: string;
    self_handle_tiers: string[];
    business_types: string[];
    active: boolean;
    sort: number;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
}
