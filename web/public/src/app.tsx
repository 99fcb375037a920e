import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError, api, isMissingRoute, request } from '../../shared/api';
import { REGION_LEVELS, formatTime, getLang, label, onLangChange, setLang, t } from '../../shared/i18n';
import { compressImage } from '../../shared/compress-image';

/**
 * 食品安全投诉举报 — the public portal (S1, E1 public_report, E9 rating/reopen). No account:
 * a report gets a tracking code, which is the only key to its public page. Photos are
 * compressed (and stripped of EXIF/GPS) on the phone before upload.
 */
const BASE = '/p';
const routeListeners = new Set<() => void>();
window.addEventListener('popstate', () => routeListeners.forEach((f) => f()));
export function go(to: string) {
  history.pushState(null, '', BASE + to);
  routeListeners.forEach((f) => f());
  window.scrollTo(0, 0);
}
function useRoute() {
  const href = useSyncExternalStore(
    (f) => {
      routeListeners.add(f);
      return () => routeListeners.delete(f);
    },
    () => location.pathname + location.search,
  );
  const u = new URL(href, location.origin);
  const path = u.pathname.startsWith(BASE) ? u.pathname.slice(BASE.length) || '/' : u.pathname;
  return { path, query: u.searchParams };
}
function useLang() {
  return useSyncExternalStore(onLangChange, getLang);
}
function uid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
function Link({ to, children, className }: { to: string; children: React.ReactNode; className?: string }) {
  return (
    <a
      href={BASE + to}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey) return;
        e.preventDefault();
        go(to);
      }}
    >
      {children}
    </a>
  );
}
/** Moves focus to a page's heading when it appears, so screen readers announce the new page. */
function useFocusHeading<T extends HTMLElement>(dep: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [dep]);
  return ref;
}
const errText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function App() {
  const lang = useLang();
  const { path, query } = useRoute();
  useEffect(() => {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.title = t('食品安全投诉举报', 'Food-safety reports');
  }, [lang]);
  let page: React.ReactNode;
  const m = path.match(/^\/track\/([^/]+)$/);
  if (m) page = <TrackPage code={decodeURIComponent(m[1])} />;
  else if (path === '/track') page = <TrackLookup initial={query.get('code') ?? ''} />;
  else page = <ReportPage businessId={query.get('business')} />;
  return (
    <>
      <a className="skip" href="#main">
        {t('跳到主要内容', 'Skip to content')}
      </a>
      <header>
        <div className="in">
          <Link to="/">{t('食品安全投诉举报', 'Food-safety reports')}</Link>
          <button type="button" onClick={() => setLang(lang === 'en' ? 'zh' : 'en')} lang={lang === 'en' ? 'zh-CN' : 'en'}>
            {lang === 'en' ? '中文' : 'English'}
          </button>
        </div>
      </header>
      <nav className="sub" aria-label={t('导航', 'Navigation')}>
        <Link to="/">{t('我要举报', 'Report')}</Link>
        <Link to="/track">{t('查询办理进度', 'Track a report')}</Link>
      </nav>
      <main id="main">{page}</main>
      <footer>{t('您的举报将依法保密处理。匿名举报同样受理。', 'Reports are handled in confidence. Anonymous reports are accepted.')}</footer>
    </>
  );
}

interface PublicBusiness {
  id: string;
  name: string;
  address?: string | null;
  regionName?: string | null;
}
interface Category {
  code: string;
  name: string;
  nameEn?: string;
}
/** The public chooses among categories (the catalogue's items are for staff). */
function categoriesOf(data: any): Category[] {
  const list: any[] = Array.isArray(data) ? data : (data?.items ?? data?.categories ?? []);
  return list.filter((c) => c && c.code && c.name).map((c) => ({ code: c.code, name: c.name, nameEn: c.nameEn ?? undefined }));
}
/** ABCDE-FGHJK: easier to read out and copy down. */
export function displayCode(code: string): string {
  return /^[0-9A-Z]{10}$/.test(code) ? `${code.slice(0, 5)}-${code.slice(5)}` : code;
}
interface Region {
  id: string;
  name: string;
  level: string;
}

interface Photo {
  key: string;
  blob: Blob;
  url: string;
  fileId?: string;
}

function ReportPage({ businessId }: { businessId: string | null }) {
  const [business, setBusiness] = useState<PublicBusiness | null>(null);
  const [businessError, setBusinessError] = useState<string | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [regionChain, setRegionChain] = useState<Array<{ options: Region[]; value: string }>>([]);
  const [regionsAvailable, setRegionsAvailable] = useState(true);
  const [categoryCode, setCategoryCode] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [place, setPlace] = useState('');
  const [phone, setPhone] = useState('');
  const [anonymous, setAnonymous] = useState(false);
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [trackingCode, setTrackingCode] = useState<string | null>(null);
  const submitKey = useRef(uid());
  const lang = useLang();
  const heading = useFocusHeading<HTMLHeadingElement>(trackingCode);

  useEffect(() => {
    if (!businessId) return;
    api.get<PublicBusiness>(`/api/v1/public/businesses/${encodeURIComponent(businessId)}`).then(setBusiness, (e) =>
      setBusinessError(e instanceof ApiError && e.status === 404 ? t('未找到该经营主体，您仍可填写举报', 'Business not found; you can still report') : errText(e)),
    );
  }, [businessId]);
  useEffect(() => {
    api.get('/api/v1/public/catalogue').then((d) => setCategories(categoriesOf(d)), () => {});
  }, []);
  // Without a business, the reporter picks the place from the region tree, level by level.
  const loadRegions = (parentId: string | null, depth: number) =>
    api.get<{ items: Region[] }>('/api/v1/public/regions', parentId ? { parentId } : undefined).then(
      (r) => {
        setRegionChain((c) => (r.items.length ? [...c.slice(0, depth), { options: r.items, value: '' }] : c.slice(0, depth)));
      },
      (e) => {
        if (isMissingRoute(e) || (e instanceof ApiError && e.status === 404)) setRegionsAvailable(false);
      },
    );
  useEffect(() => {
    if (!businessId) void loadRegions(null, 0);
  }, [businessId]);
  const regionId = [...regionChain].reverse().find((r) => r.value)?.value ?? '';

  async function addPhotos(files: FileList | null) {
    if (!files) return;
    for (const f of Array.from(files).slice(0, 6 - photos.length)) {
      try {
        const blob = await compressImage(f);
        setPhotos((p) => [...p, { key: uid(), blob, url: URL.createObjectURL(blob) }]);
      } catch {
        setErrors((e) => ({ ...e, photos: t('不是有效的图片', 'Not a valid image') }));
      }
    }
  }

  if (trackingCode)
    return (
      <section className="card" aria-labelledby="done-h">
        <h1 id="done-h" tabIndex={-1} ref={heading}>
          {t('举报已提交', 'Report submitted')}
        </h1>
        <p>{t('您的查询码（请截图或记下，凭此查询办理进度和结果）：', 'Your tracking code (save it: you need it to follow your report):')}</p>
        <p className="code" aria-label={t('查询码', 'Tracking code')} data-testid="tracking-code">
          {displayCode(trackingCode)}
        </p>
        <div className="row">
          <button className="btn" type="button" onClick={() => navigator.clipboard?.writeText(displayCode(trackingCode))}>
            {t('复制查询码', 'Copy code')}
          </button>
          <Link className="btn primary" to={`/track/${encodeURIComponent(trackingCode)}`}>
            {t('查看办理进度', 'View progress')}
          </Link>
        </div>
      </section>
    );

  const field = (name: string) => ({
    'aria-invalid': !!errors[name] || undefined,
    'aria-describedby': errors[name] ? `${name}-err` : undefined,
  });
  const err = (name: string) =>
    errors[name] ? (
      <p className="error" id={`${name}-err`}>
        {errors[name]}
      </p>
    ) : null;

  return (
    <section aria-labelledby="report-h">
      <h1 id="report-h">{t('食品安全问题举报', 'Report a food-safety problem')}</h1>
      {business && (
        <div className="business" aria-label={t('被举报经营主体', 'Business reported')}>
          <strong>{business.name}</strong>
          {business.address && <div className="muted">{business.address}</div>}
        </div>
      )}
      {businessError && <p className="alert">{businessError}</p>}
      {formError && (
        <p className="alert" role="alert">
          {formError}
        </p>
      )}
      <form
        className="card"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const errs: Record<string, string> = {};
          if (!title.trim()) errs.title = t('请填写标题', 'Enter a title');
          if (description.trim().length < 5) errs.description = t('请描述问题（至少5个字）', 'Describe the problem (at least 5 characters)');
          if (!business && !regionId && regionsAvailable) errs.region = t('请选择问题所在地', 'Choose where it happened');
          if (!anonymous && phone && !/^[0-9+\- ]{5,20}$/.test(phone)) errs.phone = t('请填写正确的电话号码', 'Enter a valid phone number');
          setErrors(errs);
          setFormError(null);
          if (Object.keys(errs).length) {
            document.getElementById(`r-${Object.keys(errs)[0]}`)?.focus();
            return;
          }
          setBusy(true);
          try {
            const fileIds: string[] = [];
            for (const p of photos) {
              if (!p.fileId) {
                const form = new FormData();
                form.append('file', p.blob, 'photo.jpg');
                const r = await request<{ id: string }>('POST', '/api/v1/public/files', { body: form, headers: { 'Idempotency-Key': p.key } });
                p.fileId = String(r.id);
              }
              fileIds.push(p.fileId!);
            }
            const fullDescription = place.trim() ? `${description.trim()}\n${t('地点', 'Place')}：${place.trim()}` : description.trim();
            const r = await api.post<{ trackingCode: string }>(
              '/api/v1/public/reports',
              {
                title: title.trim(),
                description: fullDescription,
                ...(categoryCode ? { categoryCode } : {}),
                ...(business ? { businessId: business.id } : businessId && !businessError ? { businessId } : regionId ? { regionId } : {}),
                ...(anonymous ? { anonymous: true } : phone.trim() ? { contactPhone: phone.trim() } : {}),
                ...(fileIds.length ? { photos: fileIds } : {}),
              },
              { headers: { 'Idempotency-Key': submitKey.current } },
            );
            setTrackingCode(r.trackingCode);
          } catch (e2) {
            if (e2 instanceof ApiError && e2.field) setErrors({ [e2.field.split('.')[0]]: e2.message });
            setFormError(e2 instanceof ApiError && e2.status === 429 ? t('提交过于频繁，请稍后再试', 'Too many reports, try again later') : errText(e2));
          } finally {
            setBusy(false);
          }
        }}
      >
        {!business && regionsAvailable && (
          <fieldset>
            <legend>{t('问题所在地', 'Where')}</legend>
            {regionChain.map((level, i) => (
              <div className="field" key={i}>
                <label htmlFor={i === 0 ? 'r-region' : `r-region-${i}`} className="muted" style={{ fontWeight: 400 }}>
                  {level.options[0] ? label(REGION_LEVELS, level.options[0].level) : t(`第${i + 1}级区域`, `Area level ${i + 1}`)}
                </label>
                <select
                  id={i === 0 ? 'r-region' : `r-region-${i}`}
                  value={level.value}
                  {...(i === 0 ? field('region') : {})}
                  onChange={(e) => {
                    const v = e.target.value;
                    setRegionChain((c) => [...c.slice(0, i), { ...c[i], value: v }]);
                    if (v) void loadRegions(v, i + 1);
                  }}
                >
                  <option value="">{t('请选择', 'Choose')}</option>
                  {level.options.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            {err('region')}
          </fieldset>
        )}
        {!business && (
          <div className="field">
            <label htmlFor="r-place">{t('具体地点或商户名称（选填）', 'Exact place or shop name (optional)')}</label>
            <input id="r-place" type="text" maxLength={200} value={place} onChange={(e) => setPlace(e.target.value)} />
          </div>
        )}
        {categories.length > 0 && (
          <div className="field">
            <label htmlFor="r-category">{t('问题类型', 'Type of problem')}</label>
            <select id="r-category" value={categoryCode} onChange={(e) => setCategoryCode(e.target.value)}>
              <option value="">{t('请选择（选填）', 'Choose (optional)')}</option>
              {categories.map((c) => (
                <option key={c.code} value={c.code}>
                  {lang === 'en' && c.nameEn ? c.nameEn : c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="r-title">{t('标题', 'Title')}</label>
          <p className="hint" id="r-title-hint">
            {t('一句话说明问题，例如“后厨有老鼠”', 'One line, e.g. "rats in the kitchen"')}
          </p>
          <input id="r-title" type="text" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} {...field('title')} />
          {err('title')}
        </div>
        <div className="field">
          <label htmlFor="r-description">{t('问题描述', 'Description')}</label>
          <textarea id="r-description" maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} {...field('description')} />
          {err('description')}
        </div>
        <div className="field">
          <label htmlFor="r-photos">{t('照片（选填，最多6张）', 'Photos (optional, up to 6)')}</label>
          <input id="r-photos" type="file" accept="image/*" multiple onChange={(e) => addPhotos(e.target.files).then(() => (e.target.value = ''))} {...field('photos')} />
          {err('photos')}
          {photos.length > 0 && (
            <ul className="photos">
              {photos.map((p, i) => (
                <li key={p.key}>
                  <img src={p.url} alt={t(`照片${i + 1}`, `Photo ${i + 1}`)} />
                  <button type="button" aria-label={t(`删除照片${i + 1}`, `Remove photo ${i + 1}`)} onClick={() => setPhotos(photos.filter((x) => x.key !== p.key))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={anonymous} onChange={(e) => setAnonymous(e.target.checked)} />
            <span>{t('匿名举报（不留联系方式）', 'Report anonymously (no contact details)')}</span>
          </label>
        </div>
        {!anonymous && (
          <div className="field">
            <label htmlFor="r-phone">{t('联系电话（选填，仅办理人员可见）', 'Phone (optional, seen only by the handler)')}</label>
            <input id="r-phone" type="tel" autoComplete="tel" maxLength={20} value={phone} onChange={(e) => setPhone(e.target.value)} {...field('phone')} />
            {err('phone')}
          </div>
        )}
        <button className="btn primary block" type="submit" disabled={busy}>
          {busy ? t('正在提交…', 'Submitting…') : t('提交举报', 'Submit report')}
        </button>
      </form>
    </section>
  );
}

function TrackLookup({ initial }: { initial: string }) {
  const [code, setCode] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  return (
    <section aria-labelledby="track-h">
      <h1 id="track-h">{t('查询办理进度', 'Track a report')}</h1>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          const c = code.trim();
          if (!c) return setError(t('请输入查询码', 'Enter your tracking code'));
          go(`/track/${encodeURIComponent(c)}`);
        }}
      >
        <div className="field">
          <label htmlFor="t-code">{t('查询码', 'Tracking code')}</label>
          <input id="t-code" type="text" autoCapitalize="characters" autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} aria-invalid={!!error || undefined} aria-describedby={error ? 't-code-err' : undefined} />
          {error && (
            <p className="error" id="t-code-err">
              {error}
            </p>
          )}
        </div>
        <button className="btn primary block" type="submit">
          {t('查询', 'Look up')}
        </button>
      </form>
    </section>
  );
}

interface PublicReport {
  trackingCode: string;
  title: string;
  state?: string;
  status?: string;
  statusLabel?: { zh: string; en: string };
  createdAt: string;
  closedAt?: string | null;
  result: string | null;
  feedback: string | null;
  rating?: number | null;
  ratingComment?: string | null;
  /** The office handling it now (never a person). */
  level?: string | null;
  business?: { name: string; address: string | null } | null;
  place?: string | null;
  messages?: Array<{ title: string; body: string | null; at: string }>;
  canRate?: boolean;
  canReopen?: boolean;
  history: Array<{ seq?: number; type?: string; label?: string | { zh: string; en: string }; note?: string | null; at: string }>;
}

const PUBLIC_STATES: Record<string, { zh: string; en: string }> = {
  open: { zh: '已受理，待处理', en: 'Received' },
  in_progress: { zh: '处理中', en: 'Being handled' },
  rectifying: { zh: '责令整改中', en: 'Rectification ordered' },
  resolved: { zh: '已处理', en: 'Handled' },
  closed: { zh: '已办结', en: 'Closed' },
  rejected: { zh: '不予受理', en: 'Not accepted' },
  merged: { zh: '已与同类举报合并处理', en: 'Merged with a similar report' },
};
const PUBLIC_STEPS: Record<string, { zh: string; en: string }> = {
  create: { zh: '举报已提交', en: 'Report submitted' },
  created: { zh: '举报已提交', en: 'Report submitted' },
  accept: { zh: '已受理', en: 'Accepted' },
  escalate: { zh: '已转上级部门处理', en: 'Passed to a higher level' },
  skip_escalate: { zh: '已转上级部门处理', en: 'Passed to a higher level' },
  transfer: { zh: '已转相关职能部门处理', en: 'Passed to the responsible department' },
  return: { zh: '已退回重新分派', en: 'Returned for reassignment' },
  refer_enforcement: { zh: '已移送执法部门', en: 'Referred to enforcement' },
  record_case: { zh: '执法部门已处理', en: 'Enforcement decision recorded' },
  order_rectification: { zh: '已责令经营者整改', en: 'Business ordered to rectify' },
  submit_rectification: { zh: '经营者已提交整改', en: 'Business reported rectification' },
  verify_rectification: { zh: '整改已复核', en: 'Rectification checked' },
  resolve: { zh: '已处理完毕', en: 'Handled' },
  feedback: { zh: '已反馈处理结果', en: 'Result fed back' },
  close: { zh: '已办结', en: 'Closed' },
  reject: { zh: '不予受理', en: 'Not accepted' },
  merge: { zh: '已与同类举报合并', en: 'Merged' },
  reopen: { zh: '已重新办理', en: 'Reopened' },
  rating: { zh: '您已评价', en: 'You rated it' },
};

function TrackPage({ code }: { code: string }) {
  const [report, setReport] = useState<PublicReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  const lang = useLang();
  const heading = useFocusHeading<HTMLHeadingElement>(report?.trackingCode);
  useEffect(() => {
    setError(null);
    api.get<PublicReport>(`/api/v1/public/reports/${encodeURIComponent(code)}`).then(setReport, (e) =>
      setError(e instanceof ApiError && e.status === 404 ? t('查询码不存在，请核对后重试', 'No report has this code; check it and try again') : errText(e)),
    );
  }, [code, n]);
  if (error)
    return (
      <>
        <p className="alert" role="alert">
          {error}
        </p>
        <TrackLookup initial={code} />
      </>
    );
  if (!report) return <p>{t('加载中…', 'Loading…')}</p>;
  const state = report.state ?? report.status ?? '';
  const stateLabel = report.statusLabel ? t(report.statusLabel) : t(PUBLIC_STATES[state] ?? { zh: state, en: state });
  const done = state === 'closed' || state === 'resolved' || state === 'rejected';
  const stepLabel = (h: PublicReport['history'][number]) =>
    typeof h.label === 'object' && h.label ? t(h.label) : typeof h.label === 'string' ? h.label : t(PUBLIC_STEPS[h.type ?? ''] ?? { zh: h.type ?? '', en: h.type ?? '' });
  return (
    <section aria-labelledby="tr-h" lang={lang === 'en' ? 'en' : 'zh-CN'}>
      <h1 id="tr-h" tabIndex={-1} ref={heading}>
        {report.title}
      </h1>
      <div className="card">
        <p>
          {t('查询码', 'Tracking code')}：<strong>{displayCode(report.trackingCode)}</strong>
        </p>
        <p>
          {t('当前状态', 'Status')}：
          <span className={done ? 'status done' : 'status'} data-testid="report-status">
            {stateLabel}
          </span>
        </p>
        {report.level && (
          <p>
            {t('承办单位', 'Handled by')}：{report.level}
          </p>
        )}
        {(report.business || report.place) && (
          <p>
            {t('被举报对象', 'About')}：{report.business?.name ?? report.place}
          </p>
        )}
        <p className="muted">
          {t('提交时间', 'Submitted')}：{formatTime(report.createdAt)}
        </p>
      </div>
      {(report.result || report.feedback) && (
        <div className="card" aria-labelledby="res-h">
          <h2 id="res-h">{t('处理结果', 'Result')}</h2>
          {report.result && (
            <p data-testid="report-result" style={{ whiteSpace: 'pre-wrap' }}>
              {report.result}
            </p>
          )}
          {report.feedback && (
            <>
              <h2>{t('反馈', 'Feedback')}</h2>
              <p data-testid="report-feedback" style={{ whiteSpace: 'pre-wrap' }}>
                {report.feedback}
              </p>
            </>
          )}
        </div>
      )}
      {!!report.messages?.length && (
        <div className="card" aria-labelledby="msg-h">
          <h2 id="msg-h">{t('给您的消息', 'Messages to you')}</h2>
          <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {report.messages.map((m, i) => (
              <li key={i} style={{ marginBottom: 8 }}>
                <strong>{m.title}</strong>
                {m.body && <div>{m.body}</div>}
                <div className="muted">{formatTime(m.at)}</div>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="card" aria-labelledby="hist-h">
        <h2 id="hist-h">{t('办理过程', 'Progress')}</h2>
        <ol className="timeline">
          {report.history.map((h, i) => (
            <li key={h.seq ?? i}>
              <strong>{stepLabel(h)}</strong>
              {h.note && <div style={{ whiteSpace: 'pre-wrap' }}>{h.note}</div>}
              <div className="muted">{formatTime(h.at)}</div>
            </li>
          ))}
        </ol>
      </div>
      <Rating report={report} state={state} onDone={() => setN((x) => x + 1)} />
    </section>
  );
}

function Rating({ report, state, onDone }: { report: PublicReport; state: string; onDone: () => void }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  const [reopen, setReopen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [thanks, setThanks] = useState(false);
  const canRate = report.canRate ?? (['closed', 'rejected'].includes(state) && !report.rating);
  if (report.rating)
    return (
      <div className="card">
        <h2>{t('您的评价', 'Your rating')}</h2>
        {thanks && (
          <p className="success" role="status">
            {t('感谢您的评价！', 'Thank you for your rating!')}
          </p>
        )}
        <p>
          {t(`${report.rating} 分（满分5分）`, `${report.rating} out of 5`)}
          {report.ratingComment ? ` — ${report.ratingComment}` : ''}
        </p>
      </div>
    );
  if (!canRate) return null;
  const scores = [
    { v: 1, zh: '非常不满意', en: 'Very dissatisfied' },
    { v: 2, zh: '不满意', en: 'Dissatisfied' },
    { v: 3, zh: '一般', en: 'Neutral' },
    { v: 4, zh: '满意', en: 'Satisfied' },
    { v: 5, zh: '非常满意', en: 'Very satisfied' },
  ];
  return (
    <form
      className="card"
      aria-labelledby="rate-h"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!score) return setError(t('请选择满意度', 'Choose a rating'));
        setBusy(true);
        setError(null);
        try {
          await api.post(`/api/v1/public/reports/${encodeURIComponent(report.trackingCode)}/rating`, {
            score,
            ...(comment.trim() ? { comment: comment.trim() } : {}),
            ...(reopen ? { reopen: true } : {}),
          });
          setThanks(true);
          onDone();
        } catch (e2) {
          setError(errText(e2));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="rate-h">{t('评价办理结果', 'Rate the handling')}</h2>
      <fieldset>
        <legend>{t('满意度（1–5分）', 'Satisfaction (1–5)')}</legend>
        <div className="stars">
          {scores.map((s) => (
            <label key={s.v}>
              <input type="radio" name="score" value={s.v} checked={score === s.v} onChange={() => setScore(s.v)} />
              <span>
                {s.v} · {t(s)}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="rate-comment">{t('意见（选填）', 'Comment (optional)')}</label>
        <textarea id="rate-comment" maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </div>
      {(report.canReopen ?? state !== 'merged') && (
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={reopen} onChange={(e) => setReopen(e.target.checked)} />
            <span>{t('对结果不满意，申请重新办理', 'Not satisfied: ask for it to be handled again')}</span>
          </label>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="btn primary block" type="submit" disabled={busy}>
        {t('提交评价', 'Submit rating')}
      </button>
    </form>
  );
}
