import { useEffect, useMemo, useRef, useState } from 'react';
import type { User } from '../api';
import { useCached } from '../cache';
import { compressImage } from '../../../shared/compress-image';
import { getLang, t } from '../i18n';
import { enqueue, flush, newClientId, queued } from '../outbox';
import { navigate, useLocation } from '../router';
import { businessesUrl, type Business } from './home';

export interface ReportPrefill {
  businessId?: string;
  patrolClientId?: string;
  aspects?: string[];
  categoryCode?: string;
  title?: string;
  description?: string;
  message?: string;
}
let prefill: ReportPrefill | null = null;
/** A failed patrol item opens the report form prefilled from the patrol record (P1). */
export function setReportPrefill(p: ReportPrefill) {
  prefill = p;
}

export interface CatalogueItem {
  code: string;
  name: string;
  nameEn?: string;
  aspect?: string;
  group?: string;
  guidance?: string;
  selfHandleTiers?: string[];
}
/** The catalogue comes as categories with items (E11); flatten whatever nesting it has. */
export function flattenCatalogue(data: unknown): CatalogueItem[] {
  const out: CatalogueItem[] = [];
  const walk = (node: any, group?: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, group));
    if (!node || typeof node !== 'object') return;
    const kids = node.items ?? node.children ?? node.categories;
    if (node.code && node.name && !Array.isArray(kids))
      out.push({ code: node.code, name: node.name, nameEn: node.nameEn, aspect: node.aspect, group, guidance: node.guidance, selfHandleTiers: node.selfHandleTiers });
    if (Array.isArray(kids)) walk(kids, node.name ?? group);
  };
  walk(data);
  return out;
}

/** E1 intake channel by role (the server's CHANNEL_ROLES decides who may use which). */
const CHANNEL_BY_ROLE: Record<string, string> = {
  cadre: 'supervision',
  business: 'self_inspection',
  station_staff: 'department_patrol',
  bureau_staff: 'department_patrol',
  // A coordinator passing on what residents told them, and volunteers, report as the public do.
  village_coordinator: 'public_report',
  volunteer: 'public_report',
};

interface Photo {
  id: string;
  blob: Blob;
  url: string;
}

export function ReportPage({ user }: { user: User }) {
  const { query } = useLocation();
  const init = useRef(prefill).current;
  useEffect(() => {
    prefill = null;
  }, []);
  const businesses = useCached<{ items: Business[] }>(businessesUrl(user));
  const catalogue = useCached<unknown>('/api/v1/catalogue');
  const cats = useMemo(() => flattenCatalogue(catalogue.data), [catalogue.data]);

  const [businessId, setBusinessId] = useState(init?.businessId ?? query.get('business') ?? '');
  const [categoryCode, setCategoryCode] = useState(init?.categoryCode ?? '');
  const [title, setTitle] = useState(init?.title ?? '');
  const [description, setDescription] = useState(init?.description ?? '');
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [withLocation, setWithLocation] = useState(false);
  const [compressing, setCompressing] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  // Pre-select the first catalogue item of the failed aspect, when the catalogue says which.
  useEffect(() => {
    if (categoryCode || !init?.aspects?.length || !cats.length) return;
    const c = cats.find((x) => x.aspect && init.aspects!.includes(x.aspect));
    if (c) setCategoryCode(c.code);
  }, [cats]);
  useEffect(() => () => photos.forEach((p) => URL.revokeObjectURL(p.url)), []);

  const business = businesses.data?.items.find((b) => String(b.id) === businessId);
  const selected = cats.find((c) => c.code === categoryCode);

  async function addPhotos(files: FileList | null) {
    if (!files?.length) return;
    setCompressing(true);
    const added: Photo[] = [];
    for (const f of Array.from(files)) {
      try {
        const blob = await compressImage(f, 1600, 0.8);
        added.push({ id: newClientId(), blob, url: URL.createObjectURL(blob) });
      } catch {
        setErrors((e) => ({ ...e, photos: getLang() === 'en' ? 'Not an image' : '不是有效的图片' }));
      }
    }
    setPhotos((p) => [...p, ...added].slice(0, 9));
    setCompressing(false);
  }

  async function currentPosition(): Promise<{ lat: number; lng: number } | undefined> {
    if (!withLocation || !navigator.geolocation) return undefined;
    return new Promise((resolve) =>
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
        () => resolve(undefined),
        { timeout: 8000, maximumAge: 60_000 },
      ),
    );
  }

  if (done)
    return (
      <section>
        <p className="notice" role="status">
          {done}
        </p>
        <div className="row">
          <button className="btn primary" onClick={() => navigate('/')}>
            {t('myGrid')}
          </button>
          <button className="btn" onClick={() => navigate('/events')}>
            {t('myEvents')}
          </button>
        </div>
      </section>
    );

  return (
    <section aria-labelledby="report-h">
      <h2 id="report-h">{t('reportTitle')}</h2>
      {init?.message && (
        <p className="notice warn" role="status">
          {init.message}
        </p>
      )}
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const errs: Record<string, string> = {};
          if (!title.trim()) errs.title = t('required', { field: t('title') });
          if (!description.trim()) errs.description = t('required', { field: t('description') });
          if (!businessId && !user.regionId) errs.business = t('required', { field: t('business') });
          setErrors(errs);
          if (Object.keys(errs).length) return;
          setBusy(true);
          const loc = await currentPosition();
          const item = await enqueue({
            kind: 'report',
            label: `${t('kind_report')} · ${business?.name ?? ''} ${title.trim()}`,
            body: {
              channel: CHANNEL_BY_ROLE[user.role] ?? 'grid_patrol',
              title: title.trim(),
              description: description.trim(),
              ...(categoryCode ? { categoryCode } : {}),
              ...(businessId ? { businessId } : { regionId: user.regionId }),
              ...(loc ? { location: loc } : {}),
            },
            photos: photos.map((p, i) => ({ blob: p.blob, name: `photo-${i + 1}.jpg` })),
          });
          if (navigator.onLine) await flush();
          setBusy(false);
          setDone(queued().some((q) => q.clientId === item.clientId) ? t('reportQueued') : t('reportSent'));
        }}
      >
        <div className="field">
          <label htmlFor="r-business">{t('business')}</label>
          <select id="r-business" value={businessId} onChange={(e) => setBusinessId(e.target.value)} aria-invalid={!!errors.business}>
            <option value="">{t('noBusiness')}</option>
            {businessId && !business && <option value={businessId}>{businessId}</option>}
            {businesses.data?.items.map((b) => (
              <option key={b.id} value={String(b.id)}>
                {b.name}
              </option>
            ))}
          </select>
          {errors.business && <p className="error">{errors.business}</p>}
        </div>
        <div className="field">
          <label htmlFor="r-cat">{t('category')}</label>
          <select id="r-cat" value={categoryCode} onChange={(e) => setCategoryCode(e.target.value)} aria-describedby={selected?.guidance ? 'r-cat-guidance' : undefined}>
            <option value="">{t('chooseCategory')}</option>
            {cats.map((c) => (
              <option key={c.code} value={c.code}>
                {c.group ? `${c.group} · ` : ''}
                {getLang() === 'en' && c.nameEn ? c.nameEn : c.name}
              </option>
            ))}
          </select>
          {selected?.guidance && (
            <p className="notice warn" style={{ marginTop: 8 }} id="r-cat-guidance">
              <strong>{t('guidance')}{t('colon')}</strong>
              {selected.guidance}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="r-title">{t('title')}</label>
          <input id="r-title" type="text" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} aria-invalid={!!errors.title} />
          {errors.title && <p className="error">{errors.title}</p>}
        </div>
        <div className="field">
          <label htmlFor="r-desc">{t('description')}</label>
          <textarea id="r-desc" maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} aria-invalid={!!errors.description} />
          {errors.description && <p className="error">{errors.description}</p>}
        </div>
        <div className="field">
          <label htmlFor="r-photo">{t('takePhoto')}</label>
          <input id="r-photo" type="file" accept="image/*" capture="environment" multiple onChange={(e) => addPhotos(e.target.files).then(() => (e.target.value = ''))} />
          {compressing && <p className="muted">{t('compressing')}</p>}
          {errors.photos && <p className="error">{errors.photos}</p>}
          <div className="photos" aria-label={t('photos')}>
            {photos.map((p, i) => (
              <figure key={p.id}>
                <img src={p.url} alt={`${t('photos')} ${i + 1}`} />
                <button type="button" aria-label={`${t('removePhoto')} ${i + 1}`} onClick={() => setPhotos(photos.filter((x) => x.id !== p.id))}>
                  ×
                </button>
              </figure>
            ))}
          </div>
        </div>
        <div className="field">
          <label style={{ fontWeight: 400 }}>
            <input type="checkbox" checked={withLocation} onChange={(e) => setWithLocation(e.target.checked)} /> {t('useLocation')}
          </label>
        </div>
        <button className="btn primary block" type="submit" disabled={busy || compressing}>
          {t('submitReport')}
        </button>
      </form>
    </section>
  );
}
