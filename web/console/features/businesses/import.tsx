import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Progress, Space, Table, Typography, Upload } from 'antd';
import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../../shared/api';
import { t } from '../../../shared/i18n';
import { PageTitle } from '../../components/common';

/** The API names row errors by field; staff know the columns by their Chinese headers. */
const COLUMNS: Record<string, { zh: string; en: string }> = {
  name: { zh: '名称', en: 'Name' },
  unit: { zh: '所属单元', en: 'Unit' },
  regionId: { zh: '所属单元', en: 'Unit' },
  creditCode: { zh: '统一社会信用代码', en: 'Credit code' },
  licenseNo: { zh: '许可证编号', en: 'Licence number' },
  licenseExpiry: { zh: '许可证有效期', en: 'Licence expiry' },
  type: { zh: '业态', en: 'Type' },
  address: { zh: '地址', en: 'Address' },
  dinersCount: { zh: '就餐人数', en: 'Diners' },
  employees: { zh: '从业人数', en: 'Employees' },
  revenueWan: { zh: '营业收入（万元）', en: 'Revenue (10k CNY)' },
  riskLevel: { zh: '风险等级', en: 'Risk level' },
};

interface RowError {
  row: number;
  field?: string;
  message: string;
}
interface Job {
  id?: string;
  jobId?: string;
  status: string;
  processed?: number;
  total?: number;
  imported?: number;
  errors?: RowError[];
}

/**
 * Excel/CSV import (B4): upload, then poll the job for progress; a bad row anywhere means
 * nothing is imported and every row error is listed (row, column, message).
 */
export default function BusinessImport() {
  const [job, setJob] = useState<Job | null>(null);
  const [errors, setErrors] = useState<RowError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const poll = (jobId: string) => {
    timer.current = setTimeout(async () => {
      try {
        const j = await api.get<Job>(`/api/v1/businesses/import/${jobId}`);
        setJob(j);
        if (j.errors?.length) setErrors(j.errors);
        if (!['done', 'failed', 'completed', 'succeeded', 'error'].includes(j.status)) poll(jobId);
      } catch (e) {
        setFailure((e as Error).message);
      }
    }, 700);
  };

  const upload = async (file: File) => {
    setBusy(true);
    setJob(null);
    setErrors([]);
    setFailure(null);
    const fd = new FormData();
    fd.append('file', file);
    try {
      const r = await api.post<Job>('/api/v1/businesses/import', fd);
      setJob(r);
      if (r.errors?.length) setErrors(r.errors);
      const jobId = r.jobId ?? r.id;
      if (jobId && !['done', 'failed', 'completed', 'succeeded'].includes(r.status)) poll(jobId);
    } catch (e) {
      if (e instanceof ApiError) {
        // 422 import_rows_invalid: `{error, errors: [{row, field, message}], jobId}`.
        const body = e.body as unknown as { errors?: RowError[]; error?: { errors?: RowError[] } } | undefined;
        const rows = body?.errors ?? body?.error?.errors;
        if (rows?.length) setErrors(rows);
        setFailure(e.message);
      } else setFailure(String(e));
    } finally {
      setBusy(false);
    }
    return false;
  };

  const percent = job?.total ? Math.round(((job.processed ?? 0) / job.total) * 100) : job && ['done', 'completed', 'succeeded'].includes(job.status) ? 100 : 0;
  const failed = !!failure || job?.status === 'failed' || errors.length > 0;
  return (
    <>
      <PageTitle
        title={t('经营主体批量导入', 'Import businesses')}
        extra={
          <Button icon={<DownloadOutlined />} href="/api/v1/businesses/import-template.xlsx">
            {t('下载导入模板', 'Download template')}
          </Button>
        }
      />
      <Card>
        <Typography.Paragraph type="secondary">
          {t(
            '支持 .xlsx 和 .csv，列名按常用台账：名称、统一社会信用代码、许可证编号、许可证有效期、业态、所属单元、地址、就餐人数、从业人数、营业收入(万元)、风险等级。任何一行有误则整批不导入，并列出每行错误。',
            'Accepts .xlsx and .csv with the usual Chinese ledger columns. If any row is wrong nothing is imported and every row error is listed.',
          )}
        </Typography.Paragraph>
        <Upload.Dragger accept=".xlsx,.csv" multiple={false} showUploadList={false} beforeUpload={upload} disabled={busy}>
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('点击或拖拽文件到此处上传', 'Click or drop a file here')}</p>
        </Upload.Dragger>
        {(busy || job) && (
          <Space direction="vertical" style={{ width: '100%', marginTop: 16 }}>
            <Progress percent={percent} status={failed ? 'exception' : percent === 100 ? 'success' : 'active'} aria-label={t('导入进度', 'Import progress')} />
            {job && (
              <Typography.Text>
                {t('状态', 'Status')}：{job.status} {job.total ? `（${job.processed ?? 0}/${job.total}）` : ''} {job.imported !== undefined ? t(`已导入 ${job.imported} 条`, `${job.imported} imported`) : ''}
              </Typography.Text>
            )}
          </Space>
        )}
        {failure && <Alert style={{ marginTop: 16 }} type="error" showIcon message={failure} role="alert" />}
        {errors.length > 0 && (
          <Table<RowError>
            style={{ marginTop: 16 }}
            size="small"
            rowKey={(r, i) => `${r.row}-${r.field}-${i}`}
            dataSource={errors}
            pagination={errors.length > 50 ? { pageSize: 50 } : false}
            aria-label={t('逐行错误', 'Row errors')}
            columns={[
              { title: t('行号', 'Row'), dataIndex: 'row', width: 80 },
              { title: t('列', 'Column'), dataIndex: 'field', width: 180, render: (f: string) => (COLUMNS[f] ? t(COLUMNS[f]) : f) },
              { title: t('错误', 'Error'), dataIndex: 'message' },
            ]}
          />
        )}
      </Card>
    </>
  );
}
