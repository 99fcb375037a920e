import type { User } from '../api';
import { useCached } from '../cache';
import { EVENT_STATES, fmtDate, fmtTime, label, t } from '../i18n';
import { Link } from '../app';
import { OPEN_STATES, businessesUrl, type Business } from './home';
import type { EventView } from './events';

interface PatrolRow {
  id: string;
  patrolledAt: string;
  passed: boolean;
  failedCount: number;
  patrollerName: string | null;
  type: string;
}

/** One business as the grid worker needs it in front of the shop: recent patrols and open problems. */
export function BusinessPage({ id, user }: { id: string; user: User }) {
  const list = useCached<{ items: Business[] }>(businessesUrl(user));
  const business = list.data?.items.find((b) => String(b.id) === id);
  const patrols = useCached<{ items: PatrolRow[] }>(`/api/v1/patrols?businessId=${id}&limit=10`);
  const events = useCached<{ items: EventView[] }>(`/api/v1/events?businessId=${id}&limit=50`);
  const open = (events.data?.items ?? []).filter((e) => OPEN_STATES.has(e.state));
  return (
    <section aria-labelledby="biz-h">
      <div className="card">
        <h2 id="biz-h">{business?.name ?? ''}</h2>
        {business?.address && <div className="muted">{business.address}</div>}
        <div className="row" style={{ marginTop: 8 }}>
          <Link className="btn primary small" to={`/businesses/${id}/patrol`}>
            {t('patrol')}
          </Link>
          <Link className="btn small" to={`/report?business=${id}`}>
            {t('report')}
          </Link>
        </div>
      </div>
      <div className="card">
        <h3>{t('openProblems', { n: open.length })}</h3>
        {!open.length && <p className="muted">—</p>}
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {open.map((e) => (
            <li key={e.id} style={{ marginBottom: 8 }}>
              <Link to={`/events/${e.id}`}>{e.title}</Link> <span className="chip warn">{label(EVENT_STATES, e.state)}</span>
              <div className="muted">{fmtTime(e.createdAt)}</div>
            </li>
          ))}
        </ul>
      </div>
      <div className="card">
        <h3>{t('recentPatrols')}</h3>
        {patrols.data && !patrols.data.items.length && <p className="muted">{t('never')}</p>}
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {patrols.data?.items.map((p) => (
            <li key={p.id} className="spread" style={{ marginBottom: 6 }}>
              <span>
                {fmtDate(p.patrolledAt)} · {p.patrollerName ?? ''}
              </span>
              <span className={p.passed ? 'chip ok' : 'chip bad'}>{p.passed ? t('pass') : `${t('fail')} ${p.failedCount}`}</span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
