import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { ApiError, isPasswordChangeRequired } from '../shared/api';
import { getLang, onLangChange, type Lang } from '../shared/i18n';
import { SessionGate } from './session';
import { Shell } from './layout';

// Every screen is its own chunk: the first paint loads only the shell (ARCHITECTURE "web").
const Queue = lazy(() => import('./features/events/queue'));
const EventList = lazy(() => import('./features/events/list'));
const EventDetail = lazy(() => import('./features/events/detail'));
const Dashboard = lazy(() => import('./features/dashboard/dashboard'));
const BusinessList = lazy(() => import('./features/businesses/list'));
const BusinessDetail = lazy(() => import('./features/businesses/detail'));
const BusinessImport = lazy(() => import('./features/businesses/import'));
const BusinessPoster = lazy(() => import('./features/businesses/poster'));
const Regions = lazy(() => import('./features/admin/regions'));
const Organizations = lazy(() => import('./features/admin/organizations'));
const Users = lazy(() => import('./features/admin/users'));
const Catalogue = lazy(() => import('./features/admin/catalogue'));
const Deadlines = lazy(() => import('./features/admin/deadlines'));
const Inbox = lazy(() => import('./features/notifications/inbox'));
const PatrolCoverage = lazy(() => import('./features/patrols/coverage'));
const PatrolList = lazy(() => import('./features/patrols/list'));
const PatrolDetail = lazy(() => import('./features/patrols/detail'));

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // Client errors are answers, not hiccups: retry only network and server trouble.
      retry: (n, e) => n < 2 && (!(e instanceof ApiError) || e.status === 0 || e.status >= 500),
    },
  },
});
queryClient.getQueryCache().subscribe((ev) => {
  const err = ev.query.state.error;
  if (ev.type === 'updated' && isPasswordChangeRequired(err) && ev.query.queryKey[0] !== 'me') {
    queryClient.invalidateQueries({ queryKey: ['me'] });
  }
});

function Page({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div style={{ padding: 48, textAlign: 'center' }}>
          <Spin />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

export function App() {
  const [lang, setLangState] = useState<Lang>(getLang());
  useEffect(() => onLangChange(setLangState), []);
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = lang === 'zh' ? '食安网格 · 管理平台' : 'FoodGrid console';
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 4 } }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            {/* key: a language switch re-renders every label */}
            <SessionGate key={lang}>
              <Shell>
                <Routes>
                  <Route path="/" element={<Navigate to="/queue" replace />} />
                  <Route path="/queue" element={<Page><Queue /></Page>} />
                  <Route path="/events" element={<Page><EventList /></Page>} />
                  <Route path="/events/:id" element={<Page><EventDetail /></Page>} />
                  <Route path="/dashboard" element={<Page><Dashboard /></Page>} />
                  <Route path="/businesses" element={<Page><BusinessList /></Page>} />
                  <Route path="/businesses/import" element={<Page><BusinessImport /></Page>} />
                  <Route path="/businesses/:id" element={<Page><BusinessDetail /></Page>} />
                  <Route path="/businesses/:id/poster" element={<Page><BusinessPoster /></Page>} />
                  <Route path="/patrols" element={<Page><PatrolList /></Page>} />
                  <Route path="/patrols/coverage" element={<Page><PatrolCoverage /></Page>} />
                  <Route path="/patrols/:id" element={<Page><PatrolDetail /></Page>} />
                  <Route path="/admin/regions" element={<Page><Regions /></Page>} />
                  <Route path="/admin/organizations" element={<Page><Organizations /></Page>} />
                  <Route path="/admin/users" element={<Page><Users /></Page>} />
                  <Route path="/admin/catalogue" element={<Page><Catalogue /></Page>} />
                  <Route path="/admin/deadlines" element={<Page><Deadlines /></Page>} />
                  <Route path="/notifications" element={<Page><Inbox /></Page>} />
                  <Route path="*" element={<Navigate to="/queue" replace />} />
                </Routes>
              </Shell>
            </SessionGate>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
