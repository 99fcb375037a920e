import { api } from '../api';
import { useCached } from '../cache';
import { fmtTime, t } from '../i18n';
import { navigate } from '../router';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  eventId: string | null;
  readAt: string | null;
  createdAt: string;
}

export function InboxPage() {
  const list = useCached<{ items: Notice[] }>('/api/v1/notifications?limit=100');
  const open = async (n: Notice) => {
    if (!n.readAt) await api.post(`/api/v1/notifications/${n.id}/read`).catch(() => {});
    if (n.eventId) navigate(`/events/${n.eventId}`);
    else list.reload();
  };
  return (
    <section aria-labelledby="inbox-h">
      <div className="spread">
        <h2 id="inbox-h">{t('inbox')}</h2>
        {list.data?.items.some((n) => !n.readAt) && (
          <button className="btn small" onClick={() => api.post('/api/v1/notifications/read-all').then(list.reload, () => {})}>
            {t('markAllRead')}
          </button>
        )}
      </div>
      {list.loading && !list.data && <p className="empty">{t('loading')}</p>}
      {list.error && !list.data && (
        <p className="notice bad" role="alert">
          {t('loadFailed')}{t('colon')}{list.error}
        </p>
      )}
      {list.data && !list.data.items.length && <p className="empty">{t('noNotifications')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {list.data?.items.map((n) => (
          <li key={n.id} className="card" style={n.readAt ? { opacity: 0.75 } : { borderLeft: '4px solid var(--brand)' }}>
            <button className="list-link" style={{ background: 'none', border: 'none', padding: 0, textAlign: 'left', width: '100%' }} onClick={() => open(n)}>
              <div className="spread">
                <strong>{n.title}</strong>
                <span className="muted">{fmtTime(n.createdAt)}</span>
              </div>
              {n.body && <div className="muted">{n.body}</div>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
