import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Button, Card, Checkbox, Col, DatePicker, Empty, Input, List, Progress, Result, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, ReloadOutlined, UnorderedListOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { downloadUrl } from '../../../shared/api';
import { label, ROLES, t } from '../../../shared/i18n';
import { PageTitle, QueryError, RegionName, RegionSelect, useUrlFilters } from '../../components/common';
import { useMe } from '../../session';
import { chinaMonth, percent, PATROL_READERS, useCoverage, type Coverage, type CoverageGrid, type CoverageTownship, type CoverageWorker } from './api';

const FILTERS = ['month', 'regionId', 'grid', 'short'] as const;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

function Stat({ title, value, danger, suffix }: { title: string; value: ReactNode; danger?: boolean; suffix?: string }) {
  return (
    <Card size="small" style={{ height: '100%' }}>
      <section aria-label={title}>
        <Statistic title={title} value={value as string | number} suffix={suffix} valueStyle={danger ? { color: '#cf1322' } : undefined} />
      </section>
    </Card>
  );
}

function CoverageBar({ value, target }: { value: number; target: number }) {
  return (
    <Space size={8} style={{ minWidth: 150 }}>
      <Progress
        percent={value}
        size="small"
        showInfo={false}
        status={value < target ? 'exception' : 'success'}
        style={{ width: 80, margin: 0 }}
        aria-hidden
      />
      <span data-field="coverage">{percent(value)}</span>
    </Space>
  );
}

/** "吴婷婷（单元长）": a worker named in a shortfall, linked to their patrols of the month. */
function WorkerTag({ w, c, extra, danger }: { w: Pick<CoverageWorker, 'userId' | 'displayName' | 'role'>; c: Coverage; extra: string; danger?: boolean }) {
  return (
    <Tag color={danger ? 'red' : undefined} style={{ marginBottom: 4 }} data-user-id={w.userId}>
      <Link to={`/patrols?patrollerId=${w.userId}&from=${encodeURIComponent(c.from)}&to=${encodeURIComponent(c.to)}`} title={t('查看其本月巡查记录', 'Their patrols this month')}>
        {w.displayName}
      </Link>
      （{label(ROLES, w.role)}）{extra}
    </Tag>
  );
}

function Businesses({ list, total }: { list: Array<{ id: string; name: string }>; total: number }) {
  const shown = list.slice(0, 8);
  return (
    <span>
      {shown.map((b, i) => (
        <span key={b.id}>
          {i > 0 ? '、' : ''}
          <Link to={`/businesses/${b.id}`}>{b.name}</Link>
        </span>
      ))}
      {total > shown.length ? t(` 等 ${total} 家`, ` and ${total - shown.length} more`) : ''}
    </span>
  );
}

/**
 * P2 巡查覆盖率: a month's coverage of a region per township and grid against the S1 targets
 * (every business patrolled, at least 2 hazard reports per grid), the two shortfall lists with
 * the workers concerned, and the API's .xlsx export of the same month and region.
 */
export default function PatrolCoverage() {
  const me = useMe();
  const { values: f, set } = useUrlFilters(FILTERS);
  const month = f.month && MONTH_RE.test(f.month) ? f.month : chinaMonth();
  // The API defaults to the caller's own region; an administrator of the whole system has none.
  const needsRegion = !f.regionId && !me.regionId;
  const allowed = PATROL_READERS.includes(me.role);
  const cov = useCoverage({ month, regionId: f.regionId }, allowed && !needsRegion);
  const c = cov.data;
  const target = c?.targets.coveragePercent ?? 100;
  const hazardsTarget = c?.targets.hazardReportsPerGrid ?? 2;
  const needle = (f.grid ?? '').trim();
  const matches = (name: string) => !needle || name.includes(needle);
  const grids = useMemo(
    () => (c?.grids ?? []).filter((g) => matches(g.gridName) && (f.short !== '1' || g.coverageShort || g.hazardsShort)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [c, needle, f.short],
  );
  const coverageShort = useMemo(() => (c?.shortfalls.coverage ?? []).filter((s) => matches(s.gridName)), [c, needle]); // eslint-disable-line react-hooks/exhaustive-deps
  const hazardsShort = useMemo(() => (c?.shortfalls.hazards ?? []).filter((s) => matches(s.gridName)), [c, needle]); // eslint-disable-line react-hooks/exhaustive-deps
  const exportQuery = { month, regionId: f.regionId };
  /** "41", or "1/41" while the grid-name filter narrows the list. */
  const count = (shown: number, all: number) => (needle ? `${shown}/${all}` : String(all));

  if (!allowed) return <Result status="403" title={t('您的角色无权查看巡查覆盖率', 'Your role may not see patrol coverage')} />;

  return (
    <>
      <PageTitle
        title={t('巡查覆盖率', 'Patrol coverage')}
        sub={
          <span>
            {c ? <RegionName id={c.regionId} /> : null}
            {c ? ' · ' : ''}
            {t(
              `${month} · 目标：经营主体巡查全覆盖（${target}%），每个网格每月上报隐患不少于 ${hazardsTarget} 条`,
              `${month} · targets: every business patrolled (${target} %), at least ${hazardsTarget} hazard reports per grid a month`,
            )}
          </span>
        }
        extra={
          <>
            <DatePicker
              picker="month"
              allowClear={false}
              aria-label={t('月份', 'Month')}
              value={dayjs(`${month}-01`)}
              disabledDate={(d) => d.format('YYYY-MM') > chinaMonth()}
              onChange={(d) => set({ month: d ? d.format('YYYY-MM') : undefined })}
            />
            <RegionSelect value={f.regionId} onChange={(v) => set({ regionId: v })} placeholder={t('区域（默认本辖区）', 'Region (default: mine)')} />
            <Button icon={<ReloadOutlined />} onClick={() => cov.refetch()} aria-label={t('刷新', 'Refresh')} />
            <Button type="primary" icon={<DownloadOutlined />} href={downloadUrl('/api/v1/patrols/coverage/export.xlsx', exportQuery)} disabled={needsRegion}>
              {t('导出 Excel', 'Export to Excel')}
            </Button>
            <Link to="/patrols">
              <Button icon={<UnorderedListOutlined />}>{t('巡查记录', 'Patrol records')}</Button>
            </Link>
          </>
        }
      />
      {needsRegion ? (
        <Empty description={t('请先选择区域', 'Choose a region first')} />
      ) : cov.error ? (
        <QueryError error={cov.error} what={t('巡查覆盖率', 'Patrol coverage')} />
      ) : !c ? (
        <Card loading />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
            <Col xs={12} md={8} xl={3}>
              <Stat title={t('覆盖率', 'Coverage')} value={percent(c.totals.coverage)} danger={c.totals.coverage < target} />
            </Col>
            <Col xs={12} md={8} xl={3}>
              <Stat title={t('经营主体', 'Businesses')} value={c.totals.businesses} />
            </Col>
            <Col xs={12} md={8} xl={3}>
              <Stat title={t('已巡查', 'Patrolled')} value={c.totals.patrolled} />
            </Col>
            <Col xs={12} md={8} xl={3}>
              <Stat title={t('隐患上报', 'Hazard reports')} value={c.totals.hazardReports} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('网格数', 'Grids')} value={c.totals.grids} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('覆盖未达标网格', 'Grids below coverage')} value={c.totals.gridsCoverageShort} danger={c.totals.gridsCoverageShort > 0} />
            </Col>
            <Col xs={12} md={8} xl={4}>
              <Stat title={t('隐患上报不足网格', 'Grids short of hazard reports')} value={c.totals.gridsHazardsShort} danger={c.totals.gridsHazardsShort > 0} />
            </Col>
          </Row>

          <Card size="small" title={t('按乡镇（街道）', 'By township')} style={{ marginBottom: 16 }}>
            <Table<CoverageTownship>
              rowKey="townshipId"
              size="small"
              aria-label={t('按乡镇（街道）', 'By township')}
              dataSource={c.townships}
              pagination={c.townships.length > 20 ? { pageSize: 20 } : false}
              scroll={{ x: 'max-content' }}
              columns={[
                {
                  title: t('乡镇（街道）', 'Township'),
                  key: 'name',
                  render: (_, r) =>
                    r.townshipId === c.regionId ? (
                      r.name
                    ) : (
                      <a onClick={() => set({ regionId: r.townshipId, grid: undefined })} title={t('查看该乡镇', 'Open this township')}>
                        {r.name}
                      </a>
                    ),
                },
                { title: t('网格数', 'Grids'), dataIndex: 'grids', align: 'right' },
                { title: t('经营主体', 'Businesses'), dataIndex: 'businesses', align: 'right' },
                { title: t('已巡查', 'Patrolled'), dataIndex: 'patrolled', align: 'right' },
                { title: t('覆盖率', 'Coverage'), key: 'coverage', render: (_, r) => <CoverageBar value={r.coverage} target={target} /> },
                { title: t('隐患上报', 'Hazard reports'), dataIndex: 'hazardReports', align: 'right' },
                { title: t('覆盖未达标网格', 'Grids below coverage'), dataIndex: 'gridsCoverageShort', align: 'right' },
                { title: t('隐患不足网格', 'Grids short of hazards'), dataIndex: 'gridsHazardsShort', align: 'right' },
              ]}
              locale={{ emptyText: t('没有乡镇（街道）', 'No townships') }}
            />
          </Card>

          <Card
            size="small"
            title={t('按网格', 'By grid')}
            style={{ marginBottom: 16 }}
          >
            <Space wrap style={{ marginBottom: 12 }}>
              <Input.Search
                allowClear
                style={{ width: 220 }}
                placeholder={t('网格名称', 'Grid name')}
                aria-label={t('网格名称', 'Grid name')}
                defaultValue={f.grid}
                onSearch={(v) => set({ grid: v.trim() || undefined })}
              />
              <Checkbox checked={f.short === '1'} onChange={(e) => set({ short: e.target.checked ? '1' : undefined })}>
                {t('只看未达标', 'Shortfalls only')}
              </Checkbox>
              <Typography.Text type="secondary">{t('网格名称筛选同样用于下方两个未达标清单', 'The name filter applies to the two shortfall lists below too')}</Typography.Text>
            </Space>
            <Table<CoverageGrid>
              rowKey="gridId"
              size="small"
              aria-label={t('按网格', 'By grid')}
              dataSource={grids}
              pagination={{ defaultPageSize: 20, hideOnSinglePage: true, showSizeChanger: true, showTotal: (n) => t(`共 ${n} 个网格`, `${n} grids`) }}
              scroll={{ x: 'max-content' }}
              onRow={(r) => ({ 'data-grid-id': r.gridId }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: t('网格', 'Grid'), dataIndex: 'gridName' },
                { title: t('经营主体', 'Businesses'), dataIndex: 'businesses', align: 'right' },
                { title: t('已巡查', 'Patrolled'), dataIndex: 'patrolled', align: 'right' },
                { title: t('覆盖率', 'Coverage'), key: 'coverage', render: (_, r) => <CoverageBar value={r.coverage} target={target} /> },
                { title: t('隐患上报', 'Hazard reports'), dataIndex: 'hazardReports', align: 'right' },
                {
                  title: t('达标情况', 'Targets'),
                  key: 'status',
                  render: (_, r) =>
                    !r.coverageShort && !r.hazardsShort ? (
                      <Tag color="green">{t('达标', 'Met')}</Tag>
                    ) : (
                      <>
                        {r.coverageShort && <Tag color="red">{t(`未巡查 ${r.unpatrolled} 家`, `${r.unpatrolled} not patrolled`)}</Tag>}
                        {r.hazardsShort && <Tag color="orange">{t(`隐患缺 ${r.hazardsMissing} 条`, `${r.hazardsMissing} hazard reports missing`)}</Tag>}
                      </>
                    ),
                },
              ]}
              locale={{ emptyText: t('没有符合条件的网格', 'No grids match') }}
            />
          </Card>

          {!c.workersIncluded && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              message={t(
                `本区域有 ${c.totals.grids} 个网格，未列出相关人员；请在上方选择乡镇（街道）查看到人。`,
                `This region has ${c.totals.grids} grids, so the workers are not listed; open a township to see them.`,
              )}
            />
          )}
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card size="small" title={t(
                  `覆盖率未达 ${target}% 的网格（${count(coverageShort.length, c.shortfalls.coverage.length)}）`,
                  `Grids below ${target} % coverage (${count(coverageShort.length, c.shortfalls.coverage.length)})`,
                )}>
                <section aria-label={t('覆盖率未达标网格列表', 'List of grids below coverage')}>
                  <List
                    size="small"
                    dataSource={coverageShort}
                    pagination={coverageShort.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
                    locale={{ emptyText: needle ? t('没有符合条件的网格', 'No grids match') : t('所有网格均已全覆盖', 'Every grid is fully covered') }}
                    renderItem={(s) => (
                      <List.Item data-grid-id={s.gridId}>
                        <div style={{ width: '100%' }}>
                          <Space wrap>
                            <Typography.Text strong>{s.gridName}</Typography.Text>
                            <Tag color="red">{t(`覆盖率 ${percent(s.coverage)}`, `coverage ${percent(s.coverage)}`)}</Tag>
                            <span>{t(`已巡查 ${s.patrolled}/${s.businesses} 家`, `${s.patrolled} of ${s.businesses} patrolled`)}</span>
                          </Space>
                          <div>
                            <Typography.Text type="secondary">{t('未巡查：', 'Not patrolled: ')}</Typography.Text>
                            <Businesses list={s.unpatrolledBusinesses} total={s.businesses - s.patrolled} />
                          </div>
                          {c.workersIncluded && (
                            <div>
                              <Typography.Text type="secondary">{t('相关人员：', 'Workers: ')}</Typography.Text>
                              {s.workers.length ? (
                                s.workers.map((w) => <WorkerTag key={w.userId} w={w} c={c} danger extra={` ${t('覆盖', 'coverage')} ${percent(w.coverage)}`} />)
                              ) : (
                                <Typography.Text type="secondary">{t('无网格人员', 'no grid workers')}</Typography.Text>
                              )}
                            </div>
                          )}
                        </div>
                      </List.Item>
                    )}
                  />
                </section>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card size="small" title={t(
                  `隐患上报不足 ${hazardsTarget} 条的网格（${count(hazardsShort.length, c.shortfalls.hazards.length)}）`,
                  `Grids with fewer than ${hazardsTarget} hazard reports (${count(hazardsShort.length, c.shortfalls.hazards.length)})`,
                )}>
                <section aria-label={t('隐患上报不足网格列表', 'List of grids short of hazard reports')}>
                  <List
                    size="small"
                    dataSource={hazardsShort}
                    pagination={hazardsShort.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false } : false}
                    locale={{ emptyText: needle ? t('没有符合条件的网格', 'No grids match') : t('所有网格隐患上报均已达标', 'Every grid has its hazard reports') }}
                    renderItem={(s) => (
                      <List.Item data-grid-id={s.gridId}>
                        <div style={{ width: '100%' }}>
                          <Space wrap>
                            <Typography.Text strong>{s.gridName}</Typography.Text>
                            <Tag color="orange">{t(`隐患上报 ${s.hazardReports} 条`, `${s.hazardReports} hazard reports`)}</Tag>
                            <span>{t(`尚缺 ${s.missing} 条`, `${s.missing} missing`)}</span>
                          </Space>
                          {c.workersIncluded && (
                            <div>
                              <Typography.Text type="secondary">{t('相关人员：', 'Workers: ')}</Typography.Text>
                              {s.workers.length ? (
                                s.workers.map((w) => <WorkerTag key={w.userId} w={w} c={c} extra={` ${t(`上报 ${w.hazardReports} 条`, `${w.hazardReports} reports`)}`} />)
                              ) : (
                                <Typography.Text type="secondary">{t('无网格人员', 'no grid workers')}</Typography.Text>
                              )}
                            </div>
                          )}
                        </div>
                      </List.Item>
                    )}
                  />
                </section>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </>
  );
}
