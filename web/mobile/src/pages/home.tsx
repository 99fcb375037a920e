import { useMemo, useState } from 'react';
import type { User } from '../api';
import { useCached } from '../cache';
import { fmtDate, fmtTime, t } from '../i18n';
import { Link } from '../app';

export interface Business {
  id: string;
  name: string;
  address?: string | null;
  type?: string;
  grade?: string;
  regionId?: string;
  lastPatrolAt?: string | null;
  openEvents?: number;
}
interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
interface LastPatrol {
  businessId: string;
  at?: string;
  patrolledAt?: string;
  lastPatrolAt?: string;
}
interface EventRow {
  id: string;
  businessId: string | null;
  state: string;
}

export const OPEN_STATES = new Set(['open', 'in_progress', 'rectifying', 'resolved']);

export function businessesUrl(user: User) {
  return `/api/v1/businesses?limit=200${user.regionId ? `&regionId=${user.regionId}` : ''}`;
}

/** My grid: the businesses I patrol, when each was last patrolled and how many problems are open. */
export function HomePage({ user }: { user: User }) {
  const businesses = useCached<Page<Business>>(businessesUrl(user));
  const last = useCached<Page<LastPatrol> | Record<string, string>>(user.regionId ? `/api/v1/patrols/last?regionId=${user.regionId}` : null);
  const events = useCached<Page<EventRow>>(`/api/v1/events?limit=200${user.regionId ? `&regionId=${user.regionId}` : ''}`);
  const [q, setQ] = useState('');

  const lastBy = useMemo(() => {
    const m = new Map<string, string>();
    const d = last.data as any;
    if (!d) return m;
    if (Array.isArray(d.items)) for (const r of d.items as LastPatrol[]) m.set(String(r.businessId), (r.lastPatrolAt ?? r.patrolledAt ?? r.at)!);
    else for (const [k, v] of Object.entries(d)) if (typeof v === 'string') m.set(k, v);
    return m;
  }, [last.data]);
  const openBy = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of events.data?.items ?? []) if (e.businessId && OPEN_STATES.has(e.state)) m.set(e.businessId, (m.get(e.businessId) ?? 0) + 1);
    return m;
  }, [events.data]);

  const items = (businesses.data?.items ?? []).filter((b) => !q || b.name.includes(q));
  return (
    <section aria-labelledby="home-h">
      <div className="spread">
        <h2 id="home-h">{t('myGrid')}</h2>
        {businesses.cachedAt && <span className="chip warn">{t('cachedData', { at: fmtTime(businesses.cachedAt) })}</span>}
      </div>
      <div className="field">
        <label htmlFor="q" className="label">
          {t('search')}
        </label>
        <input id="q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {businesses.loading && !businesses.data && <p className="empty">{t('loading')}</p>}
      {businesses.error && !businesses.data && (
        <p className="notice bad" role="alert">
          {t('loadFailed')}{t('colon')}{businesses.error}{' '}
          <button className="btn small" onClick={businesses.reload}>
            {t('retry')}
          </button>
        </p>
      )}
      {businesses.data && !items.length && <p className="empty">{t('noBusinesses')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={t('myGrid')}>
        {items.map((b) => {
          const lastAt = b.lastPatrolAt ?? lastBy.get(String(b.id));
          const open = b.openEvents ?? openBy.get(String(b.id)) ?? 0;
          return (
            <li key={b.id} className="card">
              <div className="spread">
                <h3>
                  <Link to={`/businesses/${b.id}`} className="list-link">
                    {b.name}
                  </Link>
                </h3>
                {b.grade && <span className="chip">{b.grade}</span>}
              </div>
              {b.address && <div className="muted">{b.address}</div>}
              <div className="row" style={{ margin: '6px 0' }}>
                <span className={lastAt ? 'chip' : 'chip warn'}>
                  {t('lastPatrol')}{t('colon')}{lastAt ? fmtDate(lastAt) : t('never')}
                </span>
                {open > 0 && <span className="chip bad">{t('openProblems', { n: open })}</span>}
              </div>
              <div className="row">
                <Link className="btn primary small" to={`/businesses/${b.id}/patrol`} label={`${t('patrol')} ${b.name}`}>
                  {t('patrol')}
                </Link>
                <Link className="btn small" to={`/report?business=${b.id}`} label={`${t('report')} ${b.name}`}>
                  {t('report')}
                </Link>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
