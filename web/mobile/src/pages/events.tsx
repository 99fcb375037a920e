import { useEffect, useState } from 'react';
import { ApiError, api, errorText, type User } from '../api';
import { useCached } from '../cache';
import { ACTIONS, EVENT_STATES, TIERS, fmtTime, label, t } from '../i18n';
import { Link, useOnline } from '../app';

export interface EventView {
  id: string;
  title: string;
  description: string;
  state: string;
  tier: string;
  version: number;
  channel: string;
  businessId: string | null;
  businessName?: string | null;
  holder?: { tier: string; regionId: string | null; organizationId: string | null; userId: string | null };
  deadline: string | null;
  overdue: boolean;
  createdAt: string;
  result: string | null;
  feedback: string | null;
  allowedActions?: string[];
  history?: Array<{ seq: number; type: string; actorName?: string; fromTier?: string | null; toTier?: string | null; note?: string | null; at: string }>;
}

const stateChip = (s: string) => (s === 'closed' ? 'chip ok' : s === 'rejected' || s === 'merged' ? 'chip' : s === 'resolved' ? 'chip' : 'chip warn');

export function EventsPage() {
  const list = useCached<{ items: EventView[] }>('/api/v1/events?mine=true&limit=100');
  return (
    <section aria-labelledby="ev-h">
      <div className="spread">
        <h2 id="ev-h">{t('events')}</h2>
        {list.cachedAt && <span className="chip warn">{t('cachedData', { at: fmtTime(list.cachedAt) })}</span>}
      </div>
      {list.loading && !list.data && <p className="empty">{t('loading')}</p>}
      {list.error && !list.data && (
        <p className="notice bad" role="alert">
          {t('loadFailed')}{t('colon')}{list.error}
        </p>
      )}
      {list.data && !list.data.items.length && <p className="empty">{t('noEvents')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {list.data?.items.map((e) => (
          <li key={e.id} className="card">
            <Link to={`/events/${e.id}`} className="list-link">
              <div className="spread">
                <h3>{e.title}</h3>
                <span className={stateChip(e.state)}>{label(EVENT_STATES, e.state)}</span>
              </div>
              <div className="muted">
                {label(TIERS, e.tier)} · {fmtTime(e.createdAt)}
                {e.overdue && (
                  <>
                    {' '}
                    · <span className="chip bad">{t('overdue')}</span>
                  </>
                )}
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Actions the phone offers (the rest — transfer, merge, skip-level … — belong to the console). */
const PHONE_ACTIONS = ['accept', 'self_handle', 'escalate', 'resolve', 'submit_rectification', 'feedback', 'close', 'reject', 'comment'];

/**
 * What the caller may do from the phone. The server's state machine decides (`allowedActions`);
 * "self-handle" (E2: settle it at the lowest level) is offered when it allows accepting or
 * resolving, and runs accept → resolve → feedback → close in one go.
 */
export function fieldActions(ev: EventView, user: User): string[] {
  let allowed = ev.allowedActions;
  if (!allowed) {
    const holder = ev.holder?.userId ? ev.holder.userId === user.id : true;
    allowed = !holder
      ? ['comment']
      : ev.state === 'open'
        ? ['accept', 'escalate', 'comment']
        : ev.state === 'in_progress'
          ? ['resolve', 'escalate', 'comment']
          : ev.state === 'resolved'
            ? ev.feedback
              ? ['close', 'comment']
              : ['feedback', 'comment']
            : ['comment'];
  }
  const set = new Set(allowed);
  if ((set.has('accept') && ev.state === 'open') || set.has('resolve')) set.add('self_handle');
  return PHONE_ACTIONS.filter((a) => set.has(a));
}

type Form = null | { type: string };

const actionLabel = (a: string) => (a === 'self_handle' ? t('act_self_handle') : label(ACTIONS, a));

export function EventPage({ id, user }: { id: string; user: User }) {
  const online = useOnline();
  const [ev, setEv] = useState<EventView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<Form>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const cached = useCached<EventView>(`/api/v1/events/${id}`);
  const files = useCached<{ items: Array<{ id: string; kind: string; url: string; thumbUrl: string | null; name: string | null }> }>(`/api/v1/events/${id}/attachments`);
  useEffect(() => {
    if (cached.data) setEv(cached.data);
    if (cached.error) setError(cached.error);
  }, [cached.data, cached.error]);

  async function act(type: string, body: Record<string, unknown>, current: EventView): Promise<EventView> {
    return api.post<EventView>(`/api/v1/events/${id}/actions`, { type, expectedVersion: current.version, ...body });
  }

  async function submit() {
    if (!ev || !form) return;
    setBusy(true);
    setMsg(null);
    try {
      let cur = ev;
      if (form.type === 'self_handle') {
        // Self-handle at the lowest level (E2): accept if needed, then result, feedback and close.
        if (cur.state === 'open') cur = await act('accept', {}, cur);
        if (cur.state === 'in_progress') cur = await act('resolve', { result: fields.result }, cur);
        if (!cur.feedback) cur = await act('feedback', { feedback: fields.feedback }, cur);
        if (cur.state === 'resolved') cur = await act('close', {}, cur);
      } else {
        const body: Record<string, unknown> = {};
        if (form.type === 'escalate' || form.type === 'reject') body.reason = fields.reason;
        if (form.type === 'submit_rectification') body.note = fields.note;
        if (form.type === 'resolve') body.result = fields.result;
        if (form.type === 'feedback') body.feedback = fields.feedback;
        if (form.type === 'comment') body.note = fields.note;
        cur = await act(form.type, body, cur);
      }
      setEv(cur);
      setForm(null);
      setFields({});
      setMsg({ ok: true, text: t('actionDone') });
      cached.reload();
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
      if (e instanceof ApiError && e.status === 409) cached.reload();
    } finally {
      setBusy(false);
    }
  }

  if (!ev) return <p className="empty">{error ? `${t('loadFailed')}${t('colon')}${error}` : t('loading')}</p>;
  const actions = fieldActions(ev, user);
  const inputs: Record<string, Array<{ name: string; label: string }>> = {
    self_handle: [
      { name: 'result', label: t('result') },
      { name: 'feedback', label: t('feedback') },
    ],
    resolve: [{ name: 'result', label: t('result') }],
    feedback: [{ name: 'feedback', label: t('feedback') }],
    escalate: [{ name: 'reason', label: t('reason') }],
    reject: [{ name: 'reason', label: t('reason') }],
    submit_rectification: [{ name: 'note', label: t('note') }],
    comment: [{ name: 'note', label: t('note') }],
    accept: [],
    close: [],
  };
  return (
    <section aria-labelledby="evd-h">
      <div className="card">
        <div className="spread">
          <h2 id="evd-h">{ev.title}</h2>
          <span className={stateChip(ev.state)} data-testid="event-state">
            {label(EVENT_STATES, ev.state)}
          </span>
        </div>
        {ev.businessName && <div className="muted">{ev.businessName}</div>}
        <p style={{ whiteSpace: 'pre-wrap' }}>{ev.description}</p>
        <div className="muted">
          {label(TIERS, ev.tier)}
          {!['closed', 'merged'].includes(ev.state) && (
            <>
              {' '}
              · {t('deadline')}{t('colon')}{fmtTime(ev.deadline)} {ev.overdue && <span className="chip bad">{t('overdue')}</span>}
            </>
          )}
        </div>
        {!!files.data?.items.length && (
          <div className="photos" aria-label={t('photos')}>
            {files.data.items.map((f, i) => (
              <a key={f.id} href={f.url} target="_blank" rel="noreferrer">
                {f.kind === 'image' || f.thumbUrl ? (
                  <img src={f.thumbUrl ?? f.url} alt={`${t('photos')} ${i + 1}`} style={{ width: 96, height: 96, objectFit: 'cover', borderRadius: 8 }} />
                ) : (
                  <span className="chip">{f.name ?? f.kind}</span>
                )}
              </a>
            ))}
          </div>
        )}
        {ev.result && (
          <p>
            <strong>{t('result')}{t('colon')}</strong>
            {ev.result}
          </p>
        )}
        {ev.feedback && (
          <p>
            <strong>{t('feedback')}{t('colon')}</strong>
            {ev.feedback}
          </p>
        )}
      </div>
      {msg && (
        <p className={msg.ok ? 'notice' : 'notice bad'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      <div className="card">
        <h3>{t('actions')}</h3>
        {!online && <p className="notice warn">{t('needsNetwork')}</p>}
        {!form && (
          <div className="row">
            {actions.map((a) => (
              <button
                key={a}
                className={a === 'self_handle' ? 'btn primary small' : 'btn small'}
                disabled={!online}
                onClick={() => {
                  setMsg(null);
                  if (!(inputs[a] ?? []).length) {
                    setForm({ type: a });
                    // No parameters: act at once.
                    setBusy(true);
                    act(a, {}, ev)
                      .then((r) => {
                        setEv(r);
                        setMsg({ ok: true, text: t('actionDone') });
                      })
                      .catch((e) => setMsg({ ok: false, text: errorText(e) }))
                      .finally(() => {
                        setBusy(false);
                        setForm(null);
                      });
                  } else setForm({ type: a });
                }}
              >
                {actionLabel(a)}
              </button>
            ))}
          </div>
        )}
        {form && (inputs[form.type] ?? []).length > 0 && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <h4>{actionLabel(form.type)}</h4>
            {inputs[form.type].map((f) => (
              <div className="field" key={f.name}>
                <label htmlFor={`a-${f.name}`}>{f.label}</label>
                <textarea id={`a-${f.name}`} required value={fields[f.name] ?? ''} onChange={(e) => setFields({ ...fields, [f.name]: e.target.value })} />
              </div>
            ))}
            <div className="row end">
              <button type="button" className="btn" onClick={() => setForm(null)}>
                {t('cancel')}
              </button>
              <button type="submit" className="btn primary" disabled={busy || !online}>
                {t('confirm')}
              </button>
            </div>
          </form>
        )}
      </div>
      {ev.history && (
        <div className="card">
          <h3>{t('history')}</h3>
          <ol className="timeline">
            {ev.history.map((h) => (
              <li key={h.seq}>
                <div>
                  <strong>{actionLabel(h.type)}</strong>
                  {h.toTier && h.toTier !== h.fromTier ? ` → ${label(TIERS, h.toTier)}` : ''}
                </div>
                {h.note && <div style={{ whiteSpace: 'pre-wrap' }}>{h.note}</div>}
                <div className="muted">
                  {h.actorName ? `${h.actorName} · ` : ''}
                  {fmtTime(h.at)}
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
