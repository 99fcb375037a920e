import { useEffect, useState, useSyncExternalStore } from 'react';
import { ApiError, auth, clearUser, errorText, getSavedUser, onUnauthenticated, saveUser, type User } from './api';
import { setLang, t, useLang } from './i18n';
import { api } from './api';
import { flush, queued, setDeviceUser, startAutoFlush, subscribe } from './outbox';
import { cachedGet } from './cache';
import { BASE, match, navigate, useLocation } from './router';
import { HomePage } from './pages/home';
import { PatrolPage } from './pages/patrol';
import { ReportPage } from './pages/report';
import { EventsPage, EventPage } from './pages/events';
import { InboxPage } from './pages/inbox';
import { QueuePage } from './pages/queue';
import { BusinessPage } from './pages/business';

export function useOnline(): boolean {
  return useSyncExternalStore(
    (f) => {
      window.addEventListener('online', f);
      window.addEventListener('offline', f);
      return () => {
        window.removeEventListener('online', f);
        window.removeEventListener('offline', f);
      };
    },
    () => navigator.onLine,
  );
}

export function useQueue() {
  return useSyncExternalStore(subscribe, queued);
}

export function Link(props: { to: string; children: React.ReactNode; className?: string; current?: boolean; label?: string }) {
  return (
    <a
      href={BASE + props.to}
      className={props.className}
      aria-current={props.current ? 'page' : undefined}
      aria-label={props.label}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

function Login({ onDone }: { onDone: (u: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const lang = useLang();
  return (
    <div className="login">
      <h1>{t('appName')}</h1>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const r = await auth.login(username, password);
            saveUser(r.user);
            onDone(r.user);
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="u">{t('username')}</label>
          <input id="u" type="text" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="p">{t('password')}</label>
          <input id="p" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="btn primary block" type="submit" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
      <p className="row" style={{ justifyContent: 'center' }}>
        <button className="btn small" type="button" onClick={() => setLang(lang === 'en' ? 'zh' : 'en')}>
          {t('language')}
        </button>
      </p>
    </div>
  );
}

/** The signed-in user's queued items (a shared phone may hold a colleague's too). */
export function useMyQueue() {
  const all = useQueue();
  const me = getSavedUser()?.id;
  return all.filter((i) => i.userId === me);
}

/** I1: an initial or reset password must be changed before anything else. */
function ChangePassword({ user, onDone }: { user: User; onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="login">
      <h1>{t('changePassword')}</h1>
      <p className="notice warn">{t('mustChangePassword')}</p>
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          if (next !== again) return setError(t('passwordsDiffer'));
          setBusy(true);
          setError(null);
          try {
            await auth.changePassword(current, next);
            saveUser({ ...user, mustChangePassword: false });
            onDone();
          } catch (err) {
            setError(errorText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="field">
          <label htmlFor="cp-cur">{t('currentPassword')}</label>
          <input id="cp-cur" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="cp-new">{t('newPassword')}</label>
          <input id="cp-new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="cp-again">{t('newPasswordAgain')}</label>
          <input id="cp-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="btn primary block" type="submit" disabled={busy}>
          {t('confirm')}
        </button>
      </form>
    </div>
  );
}

function PendingBar() {
  const items = useMyQueue();
  const online = useOnline();
  const [busy, setBusy] = useState(false);
  const waiting = items.filter((i) => !i.rejected).length;
  const rejected = items.length - waiting;
  if (!items.length) return null;
  return (
    <div className="pending-bar" role="status">
      <Link to="/queue">
        {waiting > 0 && t('pending', { n: waiting })}
        {waiting > 0 && rejected > 0 && '，'}
        {rejected > 0 && t('failedItems', { n: rejected })}
      </Link>
      {waiting > 0 && (
        <button
          className="btn small"
          disabled={!online || busy}
          onClick={async () => {
            setBusy(true);
            await flush().finally(() => setBusy(false));
          }}
        >
          {busy ? t('sending') : t('sendNow')}
        </button>
      )}
    </div>
  );
}

export function App() {
  const [user, setUser] = useState<User | null>(getSavedUser());
  // No profile on the device, but the browser may still hold a live session (the profile was
  // cleared, or written by a page that closed before it reached storage): ask before the sign-in.
  const [probing, setProbing] = useState(() => !user && navigator.onLine);
  const lang = useLang();
  const online = useOnline();
  const { path } = useLocation();
  const unread = useUnread(user);

  useEffect(() => startAutoFlush(), []);
  useEffect(() => {
    // the app is the root and never unmounts: no cancellation to guard
    if (!probing) return;
    auth
      .me()
      .then((me) => {
        saveUser(me);
        setUser(me);
      })
      .catch(() => {})
      .finally(() => setProbing(false));
  }, []);
  useEffect(() => {
    void setDeviceUser(user?.id ?? null).catch(() => {});
  }, [user?.id]);
  // What the forms need offline is fetched while the network is there (E15).
  useEffect(() => {
    if (user && online) void cachedGet('/api/v1/catalogue').catch(() => {});
  }, [user?.id, online]);
  useEffect(() => {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  }, [lang]);
  useEffect(() => {
    onUnauthenticated(() => {
      // Queued items stay on the device: they are sent after the next sign-in.
      clearUser();
      setUser(null);
    });
    return () => onUnauthenticated(null);
  }, []);
  useEffect(() => {
    // Refresh the profile when online (role or region may have changed); offline keep the saved one.
    if (!user || !online) return;
    auth.me().then((me) => {
      saveUser(me);
      if (!!me.mustChangePassword !== !!user.mustChangePassword) setUser(me);
    }, (e) => {
      if (e instanceof ApiError && e.status === 401) {
        clearUser();
        setUser(null);
      }
    });
  }, [user?.id, online]);

  if (!user && probing) return <p className="empty">{t('loading')}</p>;
  if (!user)
    return (
      <Login
        onDone={(u) => {
          setUser(u);
          navigate('/', true);
          void flush();
        }}
      />
    );

  if (user.mustChangePassword) return <ChangePassword user={user} onDone={() => setUser({ ...user, mustChangePassword: false })} />;

  let page: React.ReactNode;
  let m: Record<string, string> | null;
  if ((m = match('/businesses/:id/patrol', path))) page = <PatrolPage businessId={m.id} user={user} />;
  else if ((m = match('/businesses/:id', path))) page = <BusinessPage id={m.id} user={user} />;
  else if (path === '/report') page = <ReportPage user={user} />;
  else if (path === '/events') page = <EventsPage />;
  else if ((m = match('/events/:id', path))) page = <EventPage id={m.id} user={user} />;
  else if (path === '/inbox') page = <InboxPage />;
  else if (path === '/queue') page = <QueuePage />;
  else page = <HomePage user={user} />;

  const tab = path.startsWith('/events') ? 'events' : path.startsWith('/inbox') ? 'inbox' : path === '/' || path.startsWith('/businesses') ? 'home' : '';
  return (
    <>
      <header className="top">
        <h1>{user.displayName}</h1>
        <span className={online ? 'net' : 'net off'} role="status">
          {online ? t('online') : t('offline')}
        </span>
        <button type="button" onClick={() => setLang(lang === 'en' ? 'zh' : 'en')} lang={lang === 'en' ? 'zh-CN' : 'en'}>
          {t('language')}
        </button>
        <button
          type="button"
          onClick={async () => {
            const waiting = queued().filter((i) => i.userId === user.id && !i.rejected).length;
            if (waiting && !confirm(t('logoutWithPending', { n: waiting }))) return;
            await auth.logout().catch(() => {});
            clearUser();
            setUser(null);
          }}
        >
          {t('signOut')}
        </button>
      </header>
      <PendingBar />
      <main>{page}</main>
      <nav className="tabs" aria-label={t('mainNav')}>
        <Link to="/" current={tab === 'home'}>
          <span className="ico" aria-hidden>
            ▦
          </span>
          {t('myGrid')}
        </Link>
        <Link to="/report" current={path === '/report'}>
          <span className="ico" aria-hidden>
            ＋
          </span>
          {t('report')}
        </Link>
        <Link to="/events" current={tab === 'events'}>
          <span className="ico" aria-hidden>
            ☰
          </span>
          {t('myEvents')}
        </Link>
        <Link to="/inbox" current={tab === 'inbox'}>
          <span className="ico" aria-hidden>
            ✉
          </span>
          <span>
            {t('inbox')}
            {unread > 0 && <span className="badge">{unread}</span>}
          </span>
        </Link>
      </nav>
    </>
  );
}

function useUnread(user: User | null): number {
  const [n, setN] = useState(0);
  const { path } = useLocation();
  useEffect(() => {
    if (!user || !navigator.onLine) return;
    api.get<{ count: number }>('/api/v1/notifications/unread-count').then(
      (r) => setN(r.count),
      () => {},
    );
  }, [user?.id, path]);
  return n;
}
