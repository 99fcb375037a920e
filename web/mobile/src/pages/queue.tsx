import { useState } from 'react';
import { fmtTime, t } from '../i18n';
import { flush, remove, retry } from '../outbox';
import { useOnline, useMyQueue } from '../app';

/** What is kept on the device waiting to be sent (E15), and what the server refused. */
export function QueuePage() {
  const items = useMyQueue();
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="q-h">
      <div className="spread">
        <h2 id="q-h">{t('queueTitle')}</h2>
        <button
          className="btn small"
          disabled={!online || busy || !items.length}
          onClick={async () => {
            setBusy(true);
            await flush().finally(() => setBusy(false));
          }}
        >
          {busy ? t('sending') : t('sendNow')}
        </button>
      </div>
      {!items.length && <p className="empty">{t('queueEmpty')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {items.map((i) => (
          <li key={i.clientId} className="card">
            <div className="spread">
              <strong>{i.label}</strong>
              <span className={i.rejected ? 'chip bad' : 'chip warn'}>{t(i.kind === 'patrol' ? 'kind_patrol' : 'kind_report')}</span>
            </div>
            <div className="muted">
              {fmtTime(i.createdAt)}
              {i.photos.length > 0 && ` · ${t('photos')} ${i.photos.length}`}
            </div>
            {i.lastError && (
              <p className="error">
                {t('lastError')}{t('colon')}{i.lastError}
              </p>
            )}
            {i.rejected && (
              <div className="row">
                <button className="btn small" disabled={!online} onClick={() => retry(i.clientId)}>
                  {t('retry')}
                </button>
                <button className="btn danger small" onClick={() => confirm(t('confirmDelete')) && remove(i.clientId)}>
                  {t('deleteItem')}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
