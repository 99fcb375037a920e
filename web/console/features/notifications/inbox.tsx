import { useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { Badge, Button, List, Segmented, Space, Typography } from 'antd';
import { api } from '../../../shared/api';
import { formatTime, t } from '../../../shared/i18n';
import { LoadMore, PageTitle, QueryError, useCursorList, useUrlFilters } from '../../components/common';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  readAt?: string | null;
  createdAt: string;
}

/** My notifications, newest first; opening one marks it read and follows its link. */
export default function Inbox() {
  const { values: f, set } = useUrlFilters(['unread'] as const);
  const list = useCursorList<Notice>(['notifications', 'list'], '/api/v1/notifications', { unread: f.unread });
  const qc = useQueryClient();
  const nav = useNavigate();
  const refresh = () => qc.invalidateQueries({ queryKey: ['notifications'] });
  const open = async (n: Notice) => {
    if (!n.readAt) await api.post(`/api/v1/notifications/${n.id}/read`).catch(() => undefined);
    refresh();
    if (n.link) {
      // Links may point into any app: stay in the console for console paths.
      if (n.link.startsWith('/m/') || n.link.startsWith('/p/') || /^https?:/.test(n.link)) window.location.href = n.link;
      else nav(n.link);
    }
  };
  return (
    <>
      <PageTitle
        title={t('消息通知', 'Notifications')}
        extra={
          <>
            <Segmented
              value={f.unread === 'true' ? 'unread' : 'all'}
              options={[
                { value: 'all', label: t('全部', 'All') },
                { value: 'unread', label: t('未读', 'Unread') },
              ]}
              onChange={(v) => set({ unread: v === 'unread' ? 'true' : undefined })}
            />
            <Button onClick={() => api.post('/api/v1/notifications/read-all').then(refresh)}>{t('全部标为已读', 'Mark all read')}</Button>
          </>
        }
      />
      {list.error ? (
        <QueryError error={list.error} />
      ) : (
        <>
          <List<Notice>
            loading={list.isLoading}
            dataSource={list.items}
            locale={{ emptyText: t('暂无消息', 'No notifications') }}
            renderItem={(n) => (
              <List.Item style={{ cursor: 'pointer' }} onClick={() => open(n)}>
                <List.Item.Meta
                  title={
                    <Space>
                      <Badge status={n.readAt ? 'default' : 'processing'} />
                      <span style={{ fontWeight: n.readAt ? 400 : 600 }}>{n.title}</span>
                    </Space>
                  }
                  description={n.body}
                />
                <Typography.Text type="secondary">{formatTime(n.createdAt)}</Typography.Text>
              </List.Item>
            )}
          />
          <LoadMore list={list} />
        </>
      )}
    </>
  );
}
