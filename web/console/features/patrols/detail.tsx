import { Link, useParams } from 'react-router-dom';
import { useQueries } from '@tanstack/react-query';
import { Button, Card, Descriptions, Result, Space, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { api } from '../../../shared/api';
import { CHANNELS, formatTime, label, ROLES, t } from '../../../shared/i18n';
import { PageTitle, QueryError, RegionName } from '../../components/common';
import { useMe } from '../../session';
import type { EventItem } from '../events/api';
import { StateTag } from '../events/bits';
import { ASPECTS, PATROL_READERS, PATROL_TYPES, usePatrol, type PatrolItem } from './api';
import { ResultTag } from './list';

/** One patrol with its 证/人/物/票/洁 checklist; a failed line links to the event raised from it. */
export default function PatrolDetail() {
  const { id } = useParams();
  const me = useMe();
  const allowed = PATROL_READERS.includes(me.role);
  const q = usePatrol(allowed ? id : undefined);
  const p = q.data;
  // The raised events' titles and states (the patrol carries their ids only).
  const events = useQueries({
    queries: (p?.eventIds ?? []).map((eid) => ({
      queryKey: ['event', eid],
      queryFn: () => api.get<EventItem>(`/api/v1/events/${eid}`),
      retry: false,
    })),
  });
  const eventOf = (eid: string) => events[(p?.eventIds ?? []).indexOf(eid)]?.data;

  if (!allowed) return <Result status="403" title={t('您的角色无权查看巡查记录', 'Your role may not see patrols')} />;
  const back = (
    <Link to="/patrols">
      <Button icon={<ArrowLeftOutlined />}>{t('返回巡查记录', 'Back to patrols')}</Button>
    </Link>
  );
  if (q.error) {
    return (
      <>
        <PageTitle title={t('巡查详情', 'Patrol')} extra={back} />
        <QueryError error={q.error} what={t('巡查记录', 'Patrol')} />
      </>
    );
  }
  if (!p) return <Card loading />;
  return (
    <>
      <PageTitle title={`${t('巡查详情', 'Patrol')}：${p.businessName ?? ''}`} sub={formatTime(p.patrolledAt)} extra={back} />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
          <Descriptions.Item label={t('经营主体', 'Business')}>
            <Link to={`/businesses/${p.businessId}`}>{p.businessName ?? p.businessId}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('巡查类型', 'Type')}>{label(PATROL_TYPES, p.type)}</Descriptions.Item>
          <Descriptions.Item label={t('来源渠道', 'Channel')}>{label(CHANNELS, p.channel)}</Descriptions.Item>
          <Descriptions.Item label={t('巡查人员', 'Patroller')}>
            <Space size={8}>
              <span>{p.patrollerName ?? '—'}</span>
              <Typography.Text type="secondary">{label(ROLES, p.patrollerRole)}</Typography.Text>
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('巡查时间', 'Patrolled at')}>{formatTime(p.patrolledAt)}</Descriptions.Item>
          <Descriptions.Item label={t('结果', 'Result')}>
            <ResultTag p={p} />
          </Descriptions.Item>
          <Descriptions.Item label={t('所在区域', 'Region')}>
            <RegionName id={p.regionId} />
          </Descriptions.Item>
          <Descriptions.Item label={t('位置', 'Location')}>
            {p.location ? (
              <a href={`https://uri.amap.com/marker?position=${p.location.lng},${p.location.lat}`} target="_blank" rel="noreferrer">
                {p.location.lat.toFixed(5)}, {p.location.lng.toFixed(5)}
              </a>
            ) : (
              '—'
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('登记时间', 'Recorded at')}>{formatTime(p.createdAt)}</Descriptions.Item>
          <Descriptions.Item label={t('备注', 'Note')} span={3}>
            {p.note ?? '—'}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title={t('检查清单', 'Checklist')}>
        <Table<PatrolItem>
          rowKey="seq"
          size="small"
          pagination={false}
          aria-label={t('检查清单', 'Checklist')}
          dataSource={p.items}
          scroll={{ x: 'max-content' }}
          columns={[
            { title: t('序号', 'No.'), dataIndex: 'seq', width: 60 },
            { title: t('检查方面', 'Aspect'), key: 'aspect', render: (_, r) => label(ASPECTS, r.aspect) },
            { title: t('检查事项', 'Item'), key: 'item', render: (_, r) => (r.itemName ? `${r.itemCode ?? ''} ${r.itemName}`.trim() : (r.itemCode ?? '—')) },
            {
              title: t('结果', 'Result'),
              key: 'passed',
              render: (_, r) => (r.passed ? <Tag color="green">{t('合格', 'Passed')}</Tag> : <Tag color="red">{t('不合格', 'Failed')}</Tag>),
            },
            { title: t('说明', 'Note'), key: 'note', render: (_, r) => r.note ?? '—' },
            {
              title: t('上报事件', 'Event'),
              key: 'event',
              render: (_, r) => {
                if (!r.eventId) return '—';
                const ev = eventOf(r.eventId);
                return (
                  <Space size={4} wrap>
                    <Link to={`/events/${r.eventId}`}>{ev?.title ?? t('查看事件', 'Open event')}</Link>
                    {ev && <StateTag state={ev.state} />}
                  </Space>
                );
              },
            },
          ]}
        />
      </Card>
    </>
  );
}
