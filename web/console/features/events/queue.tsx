import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Statistic, Table } from 'antd';
import { api, type Page } from '../../../shared/api';
import { formatTime, t } from '../../../shared/i18n';
import { PageTitle, QueryError, RegionName } from '../../components/common';
import { useMe } from '../../session';
import type { EventItem } from './api';
import { ChannelText, Deadline, EventLink, StateTag, TierTag } from './bits';

/** What I hold now (as a person or as my organisation's tier), overdue first, then by deadline. */
export default function Queue() {
  const me = useMe();
  const q = useQuery({
    queryKey: ['events', 'queue'],
    queryFn: () => api.get<Page<EventItem> | { items: EventItem[] }>('/api/v1/events/queue', { limit: 200 }),
    refetchInterval: 60_000,
  });
  const items = [...(q.data?.items ?? [])].sort((a, b) => {
    if (!!a.overdue !== !!b.overdue) return a.overdue ? -1 : 1;
    return (a.deadline ? Date.parse(a.deadline) : Infinity) - (b.deadline ? Date.parse(b.deadline) : Infinity);
  });
  const overdue = items.filter((e) => e.overdue).length;
  const dueSoon = items.filter((e) => !e.overdue && e.deadline && Date.parse(e.deadline) - Date.now() < 24 * 3600_000).length;
  return (
    <>
      <PageTitle title={t('待办工作', 'Work queue')} sub={t(`${me.displayName}，以下是您（或您所在单位）当前承办的事件`, `${me.displayName}, the events you (or your organisation) hold now`)} />
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={8}>
          <Card size="small">
            <Statistic title={t('待办', 'To do')} value={items.length} />
          </Card>
        </Col>
        <Col xs={8}>
          <Card size="small">
            <Statistic title={t('已超时', 'Overdue')} value={overdue} valueStyle={{ color: overdue ? '#cf1322' : undefined }} />
          </Card>
        </Col>
        <Col xs={8}>
          <Card size="small">
            <Statistic title={t('24小时内到期', 'Due within 24 h')} value={dueSoon} valueStyle={{ color: dueSoon ? '#d46b08' : undefined }} />
          </Card>
        </Col>
      </Row>
      {q.error ? (
        <QueryError error={q.error} what={t('待办工作', 'Work queue')} />
      ) : (
        <Table<EventItem>
          rowKey="id"
          size="middle"
          loading={q.isLoading}
          dataSource={items}
          pagination={items.length > 50 ? { pageSize: 50 } : false}
          rowClassName={(r) => (r.overdue ? 'row-overdue' : '')}
          columns={[
            { title: t('剩余时限', 'Time left'), key: 'deadline', width: 150, render: (_, r) => <Deadline ev={r} /> },
            { title: t('事件', 'Event'), key: 'title', render: (_, r) => <EventLink ev={r} /> },
            { title: t('状态', 'State'), key: 'state', width: 120, render: (_, r) => <StateTag state={r.state} /> },
            { title: t('层级', 'Tier'), key: 'tier', width: 110, render: (_, r) => <TierTag tier={r.tier} /> },
            { title: t('来源', 'Channel'), key: 'channel', width: 110, render: (_, r) => <ChannelText channel={r.channel} /> },
            { title: t('区域', 'Region'), key: 'region', render: (_, r) => r.regionName ?? <RegionName id={r.regionId} /> },
            { title: t('上报时间', 'Reported'), key: 'createdAt', width: 150, render: (_, r) => formatTime(r.createdAt) },
          ]}
          locale={{ emptyText: t('暂无待办事件', 'Nothing to do') }}
        />
      )}
    </>
  );
}
