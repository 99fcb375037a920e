import { useMemo, useState } from 'react';
import type { User } from '../api';
import { useCached } from '../cache';
import { t } from '../i18n';
import { enqueue, flush, queued } from '../outbox';
import { navigate } from '../router';
import { businessesUrl, type Business } from './home';
import { flattenCatalogue, setReportPrefill } from './report';

/** P1: the five patrol aspects of S1 — 证 licence, 人 people, 物 goods, 票 invoices, 洁 hygiene. */
export const ASPECTS = ['license', 'people', 'goods', 'invoices', 'hygiene'] as const;
export type Aspect = (typeof ASPECTS)[number];

export function PatrolPage({ businessId, user }: { businessId: string; user: User }) {
  const list = useCached<{ items: Business[] }>(businessesUrl(user));
  const business = list.data?.items.find((b) => String(b.id) === businessId);
  const [passed, setPassed] = useState<Record<Aspect, boolean>>({ license: true, people: true, goods: true, invoices: true, hygiene: true });
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [itemCodes, setItemCodes] = useState<Record<string, string>>({});
  // P3: station and bureau staff record sink-down checks of a given type.
  const sinkDown = user.role === 'station_staff' || user.role === 'bureau_staff';
  const [type, setType] = useState('routine');
  const catalogue = useCached<unknown>('/api/v1/catalogue');
  const items = useMemo(() => flattenCatalogue(catalogue.data), [catalogue.data]);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const name = business?.name ?? '';

  return (
    <section aria-labelledby="patrol-h">
      <h2 id="patrol-h">{t('patrolTitle', { name })}</h2>
      {msg && (
        <p className="notice" role="status">
          {msg}
        </p>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const failed = ASPECTS.filter((a) => !passed[a]);
          const item = await enqueue({
            kind: 'patrol',
            label: `${t('kind_patrol')} · ${name}`,
            body: {
              businessId,
              ...(sinkDown ? { type } : {}),
              patrolledAt: new Date().toISOString(),
              items: ASPECTS.map((a) => ({
                aspect: a,
                passed: passed[a],
                ...(!passed[a] && itemCodes[a] ? { itemCode: itemCodes[a] } : {}),
                note: notes[a]?.trim() || undefined,
              })),
            },
            photos: [],
          });
          const r = navigator.onLine ? await flush() : null;
          setBusy(false);
          const sent = r && !r.stoppedBy && !queued().some((q) => q.clientId === item.clientId);
          if (failed.length) {
            setReportPrefill({
              businessId,
              patrolClientId: item.clientId,
              aspects: failed,
              categoryCode: failed.map((a) => itemCodes[a]).find(Boolean),
              title: t('failedTitle', { name, aspects: failed.map((a) => t(`aspect_${a}` as any).replace(/（.*$/, '')).join(t('listSep')) }),
              description: failed.map((a) => `${t(`aspect_${a}` as any)}${t('colon')}${notes[a]?.trim() || t('fail')}`).join('\n'),
              message: t('failedOpensReport'),
            });
            navigate(`/report?business=${businessId}`);
          } else {
            setMsg(sent ? t('patrolSaved') : t('patrolQueued'));
            setTimeout(() => navigate('/'), 1200);
          }
        }}
      >
        {sinkDown && (
          <div className="field">
            <label htmlFor="p-type">{t('patrolType')}</label>
            <select id="p-type" value={type} onChange={(e) => setType(e.target.value)}>
              {['routine', 'double_random', 'flight', 'unannounced'].map((x) => (
                <option key={x} value={x}>
                  {t(`ptype_${x}` as any)}
                </option>
              ))}
            </select>
          </div>
        )}
        {ASPECTS.map((a) => (
          <fieldset key={a} className="check">
            <legend>{t(`aspect_${a}` as any)}</legend>
            <div className="seg" role="radiogroup" aria-label={t(`aspect_${a}` as any)}>
              <label>
                <input type="radio" name={a} checked={passed[a]} onChange={() => setPassed({ ...passed, [a]: true })} />
                <span className="pass">{t('pass')}</span>
              </label>
              <label>
                <input type="radio" name={a} checked={!passed[a]} onChange={() => setPassed({ ...passed, [a]: false })} />
                <span className="fail">{t('fail')}</span>
              </label>
            </div>
            {!passed[a] && items.some((i) => i.aspect === a) && (
              <div className="field" style={{ marginTop: 8, marginBottom: 0 }}>
                <label htmlFor={`item-${a}`}>
                  {t(`aspect_${a}` as any)} · {t('problemItem')}
                </label>
                <select id={`item-${a}`} value={itemCodes[a] ?? ''} onChange={(e) => setItemCodes({ ...itemCodes, [a]: e.target.value })}>
                  <option value="">{t('chooseCategory')}</option>
                  {items
                    .filter((i) => i.aspect === a)
                    .map((i) => (
                      <option key={i.code} value={i.code}>
                        {i.name}
                      </option>
                    ))}
                </select>
              </div>
            )}
            {!passed[a] && (
              <div className="field" style={{ marginTop: 8, marginBottom: 0 }}>
                <label htmlFor={`note-${a}`}>
                  {t(`aspect_${a}` as any)} · {t('note')}
                </label>
                <textarea id={`note-${a}`} value={notes[a] ?? ''} onChange={(e) => setNotes({ ...notes, [a]: e.target.value })} />
              </div>
            )}
          </fieldset>
        ))}
        <button className="btn primary block" type="submit" disabled={busy}>
          {t('submitPatrol')}
        </button>
      </form>
    </section>
  );
}
