import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { DomainError, invalid } from '../../domain/errors.js';
import { publicCatalogue } from '../public/catalogue.js';
import { submitPublicReport } from '../public/report.js';
import { LEVEL_LABELS, STATE_LABELS } from '../public/status.js';
import { normalizeTrackingCode } from '../public/tracking-code.js';

/**
 * X2: Open311 GeoReport v2 over the public channel. A service is an item of the catalogue
 * (group = its category); a service request is a public report, identified by its tracking code.
 * Nothing personal leaves: no phone, no reporter, no staff; coordinates of reports not tied to a
 * business are rounded to ~100 m.
 */
export interface Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string;
  group: string;
}

export async function services(ctx: AppContext): Promise<Service[]> {
  const cats = await publicCatalogue(ctx.db);
  const out: Service[] = [];
  for (const c of cats) {
    if (!c.items.length) {
      out.push({ service_code: c.code, service_name: c.name, description: c.nameEn ?? c.name, metadata: false, type: 'realtime', keywords: '', group: c.name });
      continue;
    }
    for (const i of c.items) {
      out.push({ service_code: i.code, service_name: i.name, description: i.name, metadata: false, type: 'realtime', keywords: c.name, group: c.name });
    }
  }
  return out;
}

async function serviceByCode(ctx: AppContext, code: string): Promise<Service | undefined> {
  return (await services(ctx)).find((s) => s.service_code === code);
}

export interface ServiceRequestInput {
  service_code: string;
  description?: string;
  lat?: number;
  long?: number;
  address_string?: string;
  address_id?: string;
  phone?: string;
  media_url?: string;
  business_id?: string;
  api_key?: string;
}

/** Open311 status: open until the handling has ended. */
const openOrClosed = (state: string) => (['closed', 'rejected', 'merged'].includes(state) ? 'closed' : 'open');

/**
 * Where an Open311 request is: an explicit business (extension `business_id`), a region given as
 * `address_id` (id or code), the deepest region named in `address_string`, or the unit of the
 * nearest registered business within 500 m of `lat`/`long`.
 */
async function locate(ctx: AppContext, r: ServiceRequestInput): Promise<{ businessId?: string; regionId?: string }> {
  if (r.business_id) {
    const b = /^[0-9a-f-]{36}$/i.test(r.business_id)
      ? await ctx.db.selectFrom('businesses').select('id').where('id', '=', r.business_id).executeTakeFirst()
      : undefined;
    if (!b) throw invalid('unknown_business', 'business_id', '未找到该经营者', 'unknown business_id');
    return { businessId: b.id };
  }
  if (r.address_id) {
    const n = Number(r.address_id);
    const reg = await ctx.db
      .selectFrom('regions')
      .select('id')
      .where((eb) => (Number.isSafeInteger(n) ? eb.or([eb('id', '=', n), eb('code', '=', r.address_id!)]) : eb('code', '=', r.address_id!)))
      .executeTakeFirst();
    if (!reg) throw invalid('unknown_address_id', 'address_id', '未找到该地址编码', 'unknown address_id');
    return { regionId: String(reg.id) };
  }
  if (r.address_string) {
    const reg = await sql<{ id: number }>`
      SELECT id FROM regions WHERE level IN ('city','county','township','village')
        AND length(name) >= 2 AND position(name IN ${r.address_string}) > 0
      ORDER BY depth DESC, length(name) DESC LIMIT 1`.execute(ctx.db);
    if (reg.rows[0]) return { regionId: String(reg.rows[0].id) };
  }
  if (r.lat != null && r.long != null) {
    // ~500 m box, then the nearest by equirectangular distance (good enough at this scale).
    const dLat = 0.0045;
    const dLng = 0.0045 / Math.max(0.2, Math.cos((r.lat * Math.PI) / 180));
    const near = await sql<{ region_id: number }>`
      SELECT region_id FROM businesses
      WHERE lat BETWEEN ${r.lat - dLat} AND ${r.lat + dLat} AND lng BETWEEN ${r.long - dLng} AND ${r.long + dLng}
      ORDER BY (lat - ${r.lat})^2 + ((lng - ${r.long}) * ${Math.cos((r.lat * Math.PI) / 180)})^2 LIMIT 1`.execute(ctx.db);
    if (near.rows[0]) return { regionId: String(near.rows[0].region_id) };
  }
  throw invalid(
    'location_unresolved',
    'address_id',
    '无法确定问题地点：请提供 address_id（地区编码）、包含乡镇/村名的 address_string，或 business_id',
    'location could not be resolved: give address_id (region code), an address_string naming the township/village, or business_id',
  );
}

async function checkApiKey(ctx: AppContext, key: string | undefined) {
  if (!key) return;
  const row = await ctx.db.selectFrom('settings').select('value').where('key', '=', 'open311.api_keys').executeTakeFirst();
  const keys = Array.isArray(row?.value) ? (row!.value as unknown[]).map(String) : null;
  if (keys && keys.length && !keys.includes(key)) throw new DomainError('forbidden', 'invalid_api_key', 'api_key 无效', 'invalid api_key', 'api_key');
}

export async function createServiceRequest(ctx: AppContext, r: ServiceRequestInput, ip: string) {
  await checkApiKey(ctx, r.api_key);
  const service = await serviceByCode(ctx, r.service_code);
  if (!service) throw invalid('unknown_service', 'service_code', '服务编码不存在', 'unknown service_code');
  const description = r.description?.trim();
  if (!description) throw invalid('missing_parameter', 'description', '请填写问题描述', 'description is required');
  const where = await locate(ctx, r);
  const extra = [r.address_string ? `地址：${r.address_string}` : null, r.media_url ? `媒体链接：${r.media_url}` : null].filter(Boolean);
  const { trackingCode } = await submitPublicReport(
    ctx,
    {
      title: service.service_name.slice(0, 100),
      description: [description, ...extra].join('\n').slice(0, 4000),
      categoryCode: service.service_code,
      ...where,
      location: r.lat != null && r.long != null ? { lat: r.lat, lng: r.long } : undefined,
      contactPhone: r.phone,
      anonymous: !r.phone,
      source: 'open311',
    },
    ip,
  );
  return [{ service_request_id: trackingCode, service_notice: '已收到，将由所在村（社区）或市场监管所核实处理', account_id: null }];
}

export interface RequestQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
  lat?: number;
  long?: number;
  radius?: number;
  bbox?: string;
  limit?: number;
}

const round = (v: number | null, digits: number) => (v == null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

/** GeoReport v2 service requests: public reports only, newest first; 90 days and 1000 rows by default. */
export async function listServiceRequests(ctx: AppContext, q: RequestQuery, opts: { fullDescription?: boolean } = {}) {
  let query = ctx.db
    .selectFrom('events as e')
    .leftJoin('businesses as b', 'b.id', 'e.business_id')
    .leftJoin('regions as r', 'r.id', 'e.region_id')
    .leftJoin('organizations as o', 'o.id', 'e.holder_org_id')
    .select([
      'e.id',
      'e.tracking_code',
      'e.title',
      'e.description',
      'e.category_code',
      'e.state',
      'e.tier',
      'e.created_at',
      'e.updated_at',
      'e.region_id',
      'e.lat as e_lat',
      'e.lng as e_lng',
      'b.lat as b_lat',
      'b.lng as b_lng',
      'b.address as b_address',
      'b.name as b_name',
      'r.name as region_name',
      'o.name as org_name',
      sql<string | null>`(SELECT h.public_note FROM event_history h WHERE h.event_id = e.id AND h.public_note IS NOT NULL ORDER BY h.seq DESC LIMIT 1)`.as('last_note'),
    ])
    .where('e.channel', '=', 'public_report')
    .where('e.tracking_code', 'is not', null);

  const ids = q.service_request_id?.split(',').map((s) => normalizeTrackingCode(s)).filter((s): s is string => !!s);
  if (q.service_request_id) {
    if (!ids?.length) return [];
    query = query.where('e.tracking_code', 'in', ids);
  } else {
    const end = q.end_date ? new Date(q.end_date) : ctx.now();
    const start = q.start_date ? new Date(q.start_date) : new Date(end.getTime() - 90 * 86_400_000);
    if (Number.isNaN(end.getTime())) throw invalid('invalid_parameter', 'end_date', 'end_date 不是有效的时间', 'end_date is not a valid date');
    if (Number.isNaN(start.getTime())) throw invalid('invalid_parameter', 'start_date', 'start_date 不是有效的时间', 'start_date is not a valid date');
    query = query.where('e.created_at', '>=', start).where('e.created_at', '<=', end);
    if (q.service_code) query = query.where('e.category_code', 'in', q.service_code.split(',').map((s) => s.trim()));
    if (q.status) {
      const wanted = q.status.split(',').map((s) => s.trim());
      const states = [
        ...(wanted.includes('open') ? ['open', 'in_progress', 'rectifying', 'resolved'] : []),
        ...(wanted.includes('closed') ? ['closed', 'rejected', 'merged'] : []),
      ];
      if (!states.length) throw invalid('invalid_parameter', 'status', 'status 只能为 open 或 closed', 'status must be open or closed');
      query = query.where('e.state', 'in', states);
    }
    const box = boundingBox(q);
    if (box) {
      const lat = sql`COALESCE(e.lat, b.lat)`;
      const lng = sql`COALESCE(e.lng, b.lng)`;
      query = query.where(sql<boolean>`${lat} BETWEEN ${box.minLat} AND ${box.maxLat} AND ${lng} BETWEEN ${box.minLng} AND ${box.maxLng}`);
    }
  }
  const limit = Math.min(q.limit ?? 1000, 1000);
  const rows = await query.orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(limit).execute();
  const names = new Map((await services(ctx)).map((s) => [s.service_code, s.service_name]));
  return rows.map((e) => {
    const onBusiness = e.b_lat != null && e.b_lng != null;
    const lat = onBusiness ? e.b_lat : round(e.e_lat, 3);
    const lng = onBusiness ? e.b_lng : round(e.e_lng, 3);
    return {
      service_request_id: e.tracking_code!,
      status: openOrClosed(e.state),
      status_notes: e.last_note ?? STATE_LABELS[e.state]?.zh ?? null,
      service_name: e.category_code ? (names.get(e.category_code) ?? null) : null,
      service_code: e.category_code,
      description: opts.fullDescription ? e.description : e.title,
      agency_responsible: e.org_name ?? LEVEL_LABELS[e.tier] ?? null,
      service_notice: null,
      requested_datetime: new Date(e.created_at).toISOString(),
      updated_datetime: new Date(e.updated_at).toISOString(),
      expected_datetime: null,
      address: e.b_name ? [e.b_name, e.b_address].filter(Boolean).join('，') : e.region_name,
      address_id: String(e.region_id),
      zipcode: null,
      lat,
      long: lng,
      media_url: null,
    };
  });
}

function boundingBox(q: RequestQuery): { minLat: number; maxLat: number; minLng: number; maxLng: number } | null {
  if (q.bbox) {
    const p = q.bbox.split(',').map(Number);
    if (p.length !== 4 || p.some((x) => !Number.isFinite(x)) || p[0] > p[2] || p[1] > p[3]) {
      throw invalid('invalid_parameter', 'bbox', 'bbox 格式应为 minLong,minLat,maxLong,maxLat', 'bbox must be minLong,minLat,maxLong,maxLat');
    }
    return { minLng: p[0], minLat: p[1], maxLng: p[2], maxLat: p[3] };
  }
  if (q.lat != null && q.long != null) {
    const radius = Math.min(Math.max(q.radius ?? 1000, 10), 50_000);
    const dLat = radius / 111_320;
    const dLng = radius / (111_320 * Math.max(0.2, Math.cos((q.lat * Math.PI) / 180)));
    return { minLat: q.lat - dLat, maxLat: q.lat + dLat, minLng: q.long - dLng, maxLng: q.long + dLng };
  }
  return null;
}
