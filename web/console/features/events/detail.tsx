import { Link, useParams } from 'react-router-dom';
import { Button, Card, Col, Descriptions, Empty, Image, Row, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { ACTIONS, BUSINESS_TYPES, CHANNELS, formatTime, GRADES, label, PENALTIES, SKIP_REASONS, t, TIERS } from '../../../shared/i18n';
import { QueryError, RegionName } from '../../components/common';
import { useBusiness } from '../businesses/api';
import { TeamView } from '../businesses/team';
import { EventActions } from './actions';
import { useAttachments, useCatalogue, useEvent, type EventItem } from './api';
import { Deadline, StateTag, TierTag } from './bits';

function Photos({ id }: { id: string }) {
  const files = useAttachments(id);
  const items = files.data?.items ?? [];
  if (files.isLoading) return <Spin />;
  if (files.error) return <QueryError error={files.error} what={t('照片', 'Photos')} />;
  if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('无照片', 'No photos')} />;
  return (
    <Image.PreviewGroup>
      <Space wrap>
        {items.map((f) =>
          f.mime?.startsWith('image/') ? (
            <Image key={f.id} width={120} height={120} style={{ objectFit: 'cover' }} src={f.thumbUrl ?? f.url} preview={{ src: f.url }} alt={f.originalName ?? t('现场照片', 'Photo')} />
          ) : (
            <a key={f.id} href={f.url} target="_blank" rel="noreferrer">
              {f.originalName ?? f.mime}
            </a>
          ),
        )}
      </Space>
    </Image.PreviewGroup>
  );
}

function BusinessCard({ id }: { id: string }) {
  const b = useBusiness(id);
  if (b.isLoading) return <Spin />;
  if (b.error || !b.data) return <QueryError error={b.error} what={t('经营主体', 'Business')} />;
  return (
    <>
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('名称', 'Name')}>
          <Link to={`/businesses/${b.data.id}`}>{b.data.name}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('业态', 'Type')}>{label(BUSINESS_TYPES, b.data.type)}</Descriptions.Item>
        <Descriptions.Item label={t('分级', 'Grade')}>{b.data.grade ? label(GRADES, b.data.grade) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('地址', 'Address')}>{b.data.address ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('许可证', 'Licence')}>{b.data.licenseNo ?? '—'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5}>{t('1+2+3+N 包保团队', '1+2+3+N team')}</Typography.Title>
      <TeamView team={b.data.team} businessName={b.data.name} />
    </>
  );
}

function Location({ ev }: { ev: EventItem }) {
  if (!ev.location) return <>{ev.address ?? '—'}</>;
  const { lat, lng } = ev.location;
  return (
    <Space>
      <span>
        {lat.toFixed(5)}, {lng.toFixed(5)}
      </span>
      <a href={`https://uri.amap.com/marker?position=${lng},${lat}&name=${encodeURIComponent(ev.title)}`} target="_blank" rel="noreferrer">
        {t('在地图中查看', 'Open map')}
      </a>
    </Space>
  );
}

/** The parameters an action recorded (skip-level reason, case number, rectification deadline …). */
function HistoryDetail({ d }: { d?: Record<string, unknown> }) {
  if (!d) return null;
  const parts: string[] = [];
  if (d.reasonCode) parts.push(`${t('理由', 'Reason')}：${label(SKIP_REASONS, String(d.reasonCode))}`);
  if (d.caseNo) parts.push(`${t('案号', 'Case')} ${d.caseNo}`);
  if (d.penalty) parts.push(label(PENALTIES, String(d.penalty)));
  if (d.deadline) parts.push(`${t('期限', 'Deadline')} ${formatTime(String(d.deadline))}`);
  if (d.passed !== undefined) parts.push(d.passed ? t('复核通过', 'Passed') : t('复核未通过', 'Failed'));
  if (d.intoEventId) parts.push(`${t('并入', 'Merged into')} ${d.intoEventId}`);
  return parts.length ? <div style={{ fontSize: 12, color: '#555' }}>{parts.join(' · ')}</div> : null;
}

export default function EventDetail() {
  const { id } = useParams();
  const q = useEvent(id);
  const catalogue = useCatalogue();
  if (q.isLoading) return <Spin />;
  if (q.error || !q.data) return <QueryError error={q.error} what={t('事件', 'Event')} />;
  const ev = q.data;
  const category = ev.categoryName ?? catalogue.data?.find((c) => c.code === ev.categoryCode)?.name ?? ev.categoryCode;
  const history = [...(ev.history ?? [])].sort((a, b) => a.seq - b.seq);
  return (
    <>
      <Space align="center" wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {ev.title}
        </Typography.Title>
        <StateTag state={ev.state} />
        <TierTag tier={ev.tier} />
        <Deadline ev={ev} />
        {ev.hotspot && <Tag color="magenta">{t('热点', 'Hotspot')}</Tag>}
        <Button size="small" icon={<ReloadOutlined />} onClick={() => q.refetch()}>
          {t('刷新', 'Reload')}
        </Button>
      </Space>
      <Card size="small" title={t('办理', 'Actions')} style={{ marginBottom: 16 }}>
        <EventActions ev={ev} allowed={ev.allowedActions ?? []} />
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <Card size="small" title={t('事件信息', 'Facts')} style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} bordered>
              <Descriptions.Item label={t('编号', 'Id')}>{ev.id}</Descriptions.Item>
              <Descriptions.Item label={t('来源渠道', 'Channel')}>{label(CHANNELS, ev.channel)}</Descriptions.Item>
              <Descriptions.Item label={t('事项类别', 'Category')}>{category ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('经营主体', 'Business')}>{ev.businessId ? <Link to={`/businesses/${ev.businessId}`}>{ev.businessName ?? ev.businessId}</Link> : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('查询码', 'Tracking code')}>{ev.trackingCode ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('区域', 'Region')}>{ev.regionName ?? <RegionName id={ev.regionId} />}</Descriptions.Item>
              <Descriptions.Item label={t('位置', 'Location')}>
                <Location ev={ev} />
              </Descriptions.Item>
              <Descriptions.Item label={t('当前承办', 'Held by')}>
                {label(TIERS, ev.holder?.tier ?? ev.tier)}
                {ev.holder?.organizationName ? ` · ${ev.holder.organizationName}` : ''}
                {ev.holder?.userName ? ` · ${ev.holder.userName}` : ''}
              </Descriptions.Item>
              <Descriptions.Item label={t('发现层级', 'Origin tier')}>{label(TIERS, ev.originTier)}</Descriptions.Item>
              <Descriptions.Item label={t('上报时间', 'Reported')}>{formatTime(ev.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('办理期限', 'Deadline')}>{formatTime(ev.deadline)}</Descriptions.Item>
              <Descriptions.Item label={t('关闭时间', 'Closed')}>{formatTime(ev.closedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('版本', 'Version')}>{ev.version}</Descriptions.Item>
              <Descriptions.Item label={t('问题描述', 'Description')} span={2}>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{ev.description}</Typography.Paragraph>
              </Descriptions.Item>
              <Descriptions.Item label={t('处理结果', 'Result')} span={2}>
                {ev.result ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('反馈', 'Feedback')} span={2}>
                {ev.feedback ?? '—'}
              </Descriptions.Item>
              {ev.rejectReason && (
                <Descriptions.Item label={t('不予受理理由', 'Rejection reason')} span={2}>
                  {ev.rejectReason}
                </Descriptions.Item>
              )}
              {ev.rectification && (
                <Descriptions.Item label={t('整改要求', 'Rectification')} span={2}>
                  {ev.rectification.requirement ?? '—'}
                  {ev.rectification.deadline ? ` · ${t('期限', 'by')} ${formatTime(ev.rectification.deadline)}` : ''}
                  {ev.rectification.overdue ? <Tag color="red" style={{ marginLeft: 8 }}>{t('整改超期', 'Overdue')}</Tag> : null}
                </Descriptions.Item>
              )}
              {ev.case && (
                <Descriptions.Item label={t('立案处理', 'Case')} span={2}>
                  {[ev.case.caseNo, ev.case.decision, ev.case.penalty ? label(PENALTIES, ev.case.penalty) : null].filter(Boolean).join(' · ')}
                </Descriptions.Item>
              )}
              {ev.channel === 'public_report' && (
                <Descriptions.Item label={t('举报人', 'Reporter')} span={2}>
                  {ev.anonymous ? t('匿名', 'Anonymous') : (ev.reporterPhone ?? '—')}
                  {ev.rating ? ` · ${t('满意度', 'Rating')} ${'★'.repeat(ev.rating)}${'☆'.repeat(Math.max(0, 5 - ev.rating))}` : ''}
                </Descriptions.Item>
              )}
              {ev.duplicateOf && (
                <Descriptions.Item label={t('疑似重复', 'Possible duplicate of')} span={2}>
                  <Link to={`/events/${ev.duplicateOf}`}>{ev.duplicateOf}</Link>
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card size="small" title={t('现场照片', 'Photos')} style={{ marginBottom: 16 }}>
            <Photos id={ev.id} />
          </Card>
          {ev.businessId && (
            <Card size="small" title={t('经营主体', 'Business')} style={{ marginBottom: 16 }}>
              <BusinessCard id={ev.businessId} />
            </Card>
          )}
        </Col>
        <Col xs={24} lg={9}>
          <Card size="small" title={t('办理记录', 'History')}>
            <Timeline
              items={history.map((h) => ({
                color: h.type === 'close' ? 'green' : h.type.includes('escalate') ? 'red' : 'blue',
                children: (
                  <div>
                    <Typography.Text strong>{label(ACTIONS, h.type)}</Typography.Text>{' '}
                    {h.fromTier || h.toTier ? (
                      <Typography.Text type="secondary">
                        {h.fromTier && h.toTier && h.fromTier !== h.toTier ? `${label(TIERS, h.fromTier)} → ${label(TIERS, h.toTier)}` : label(TIERS, h.toTier ?? h.fromTier)}
                      </Typography.Text>
                    ) : null}
                    <div style={{ fontSize: 12, color: '#888' }}>
                      {formatTime(h.at)} {h.actorName ?? ''}
                    </div>
                    {h.note && <div style={{ whiteSpace: 'pre-wrap' }}>{h.note}</div>}
                    <HistoryDetail d={h.detail as Record<string, unknown> | undefined} />
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
