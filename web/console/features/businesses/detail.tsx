import { Link, useParams } from 'react-router-dom';
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { QrcodeOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../../shared/api';
import { useMe } from '../../session';
import { ACTIONS, BUSINESS_STATUSES, BUSINESS_TYPES, formatTime, GRADES, label, RISK_LEVELS, t } from '../../../shared/i18n';
import { QueryError, RegionName } from '../../components/common';
import { StateTag } from '../events/bits';
import { useBusiness } from './api';
import { TeamView } from './team';

interface HistoryRow {
  detail?: { state?: string; channel?: string; result?: string | null; caseNo?: string | null; penalty?: string | null };
  id?: string;
  kind?: string;
  type?: string;
  title?: string;
  state?: string;
  at?: string;
  createdAt?: string;
  note?: string;
  eventId?: string;
}

const GRADE_OVERRIDERS = ['admin', 'station_staff', 'bureau_staff'];

/** B2: a manual grade with the reason, recorded with who and when; "clear" returns to the computed grade. */
function GradeOverride({ id, current, computed }: { id: string; current?: string | null; computed?: string | null }) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const save = async (v: { gradeOverride: string | null; gradeOverrideReason?: string }) => {
    try {
      await api.patch(`/api/v1/businesses/${id}`, { gradeOverride: v.gradeOverride ?? null, gradeOverrideReason: v.gradeOverrideReason ?? null });
      message.success(t('已保存', 'Saved'));
      setOpen(false);
      qc.invalidateQueries({ queryKey: ['business', id] });
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field, errors: [e.message] }]);
      else message.error((e as Error).message);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('调整分级', 'Override grade')}</Button>
      <Modal open={open} title={t('调整分级', 'Override grade')} onCancel={() => setOpen(false)} onOk={() => form.submit()} destroyOnHidden>
        <Typography.Paragraph type="secondary">
          {t(`按规则计算为 ${computed ?? '—'} 级，当前为 ${current ?? '—'} 级。`, `Computed grade ${computed ?? '—'}, current ${current ?? '—'}.`)}
        </Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={save}>
          <Form.Item name="gradeOverride" label={t('人工分级（留空恢复计算结果）', 'Manual grade (empty = computed)')}>
            <Select allowClear options={Object.entries(GRADES).map(([value, l]) => ({ value, label: t(l) }))} />
          </Form.Item>
          <Form.Item
            name="gradeOverrideReason"
            label={t('调整理由', 'Reason')}
            dependencies={['gradeOverride']}
            rules={[({ getFieldValue }) => ({ validator: (_, v) => (getFieldValue('gradeOverride') && !v ? Promise.reject(new Error(t('请填写调整理由', 'Give the reason'))) : Promise.resolve()) })]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function BusinessDetail() {
  const { id } = useParams();
  const me = useMe();
  const b = useBusiness(id);
  const history = useQuery({
    queryKey: ['business', id, 'history'],
    enabled: !!id,
    retry: false,
    queryFn: () => api.get<{ items: HistoryRow[] }>(`/api/v1/businesses/${id}/history`),
  });
  if (b.isLoading) return <Spin />;
  if (b.error || !b.data) return <QueryError error={b.error} what={t('经营主体', 'Business')} />;
  const d = b.data;
  const rows = history.data?.items ?? [];
  return (
    <>
      <Space align="center" wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {d.name}
        </Typography.Title>
        {d.grade && <Tag color="blue">{label(GRADES, d.grade)}</Tag>}
        {d.riskLevel === 'high' && <Tag color="red">{t('高风险', 'High risk')}</Tag>}
        <Link to={`/businesses/${d.id}/poster`}>
          <Button icon={<QrcodeOutlined />}>{t('举报二维码海报', 'QR-code poster')}</Button>
        </Link>
        {GRADE_OVERRIDERS.includes(me.role) && <GradeOverride id={d.id} current={d.grade} computed={d.gradeComputed as string | undefined} />}
        <Link to={`/events?businessId=${d.id}`}>{t('相关事件', 'Its events')}</Link>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('基本信息', 'Registry')} style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} bordered>
              <Descriptions.Item label={t('统一社会信用代码', 'Credit code')}>{d.creditCode ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('许可证编号', 'Licence')}>{d.licenseNo ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('许可证有效期', 'Licence expiry')}>{d.licenseExpiry ? String(d.licenseExpiry).slice(0, 10) : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('业态', 'Type')}>{label(BUSINESS_TYPES, d.type)}</Descriptions.Item>
              <Descriptions.Item label={t('分级依据', 'Grade basis')}>
                {(d.gradeBasis as string) ?? '—'}
                {d.gradeOverride ? (
                  <div style={{ color: '#d46b08' }}>
                    {(() => {
                      const o = d.gradeOverride as { grade: string; reason: string | null; at: string | null };
                      return `${t('人工调整为', 'Overridden to')} ${o.grade}${o.reason ? `：${o.reason}` : ''}${o.at ? `（${formatTime(o.at)}）` : ''}`;
                    })()}
                  </div>
                ) : null}
              </Descriptions.Item>
              <Descriptions.Item label={t('风险等级', 'Risk level')}>{label(RISK_LEVELS, d.riskLevel ?? null)}</Descriptions.Item>
              <Descriptions.Item label={t('联系人', 'Contact')}>{[d.contactName as string, d.contactPhone].filter(Boolean).join(' ') || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('所在区域', 'Region')}>{d.regionName ?? <RegionName id={d.regionId} />}</Descriptions.Item>
              <Descriptions.Item label={t('地址', 'Address')}>{d.address ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('就餐人数', 'Diners')}>{d.dinersCount ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('从业人数', 'Employees')}>{d.employees ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('营业收入（万元）', 'Revenue (10k CNY)')}>{d.revenueWan ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('状态', 'Status')}>{label(BUSINESS_STATUSES, d.status ?? null)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={t('监管履历', 'History')}>
            {history.error ? (
              <QueryError error={history.error} what={t('监管履历', 'History')} />
            ) : (
              <Table<HistoryRow>
                rowKey={(r) => r.id ?? `${r.kind}-${r.at ?? r.createdAt}`}
                size="small"
                loading={history.isLoading}
                dataSource={rows}
                pagination={rows.length > 20 ? { pageSize: 20 } : false}
                columns={[
                  { title: t('时间', 'When'), key: 'at', width: 150, render: (_, r) => formatTime(r.at ?? r.createdAt) },
                  { title: t('类型', 'Kind'), key: 'kind', width: 100, render: (_, r) => label({ ...ACTIONS, event: { zh: '事件', en: 'Event' }, patrol: { zh: '巡查', en: 'Patrol' } }, r.kind ?? r.type) },
                  {
                    title: t('内容', 'What'),
                    key: 'title',
                    render: (_, r) => (r.eventId || (r.kind === 'event' && r.id) ? <Link to={`/events/${r.eventId ?? r.id}`}>{r.title ?? r.note}</Link> : (r.title ?? r.note ?? '—')),
                  },
                  { title: t('状态', 'State'), key: 'state', width: 120, render: (_, r) => ((r.state ?? r.detail?.state) ? <StateTag state={(r.state ?? r.detail?.state)!} /> : '—') },
                  { title: t('结果', 'Result'), key: 'result', render: (_, r) => r.detail?.result ?? r.detail?.caseNo ?? '—' },
                ]}
                locale={{ emptyText: t('暂无记录', 'Nothing recorded') }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('1+2+3+N 包保团队', '1+2+3+N team')}>
            <TeamView team={d.team} businessName={d.name} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
