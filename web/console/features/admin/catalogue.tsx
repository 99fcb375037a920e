import { useQuery } from '@tanstack/react-query';
import { Table, Tag } from 'antd';
import { api } from '../../../shared/api';
import { getLang, label, t, TIERS } from '../../../shared/i18n';
import { PageTitle, QueryError } from '../../components/common';

const ASPECTS: Record<string, { zh: string; en: string }> = {
  licence: { zh: '证', en: 'Licence' },
  license: { zh: '证', en: 'Licence' },
  people: { zh: '人', en: 'People' },
  goods: { zh: '物', en: 'Goods' },
  invoices: { zh: '票', en: 'Invoices' },
  hygiene: { zh: '洁', en: 'Hygiene' },
};

interface Row {
  key: string;
  code: string;
  name: string;
  aspect?: string;
  guidance?: string;
  selfHandleTiers?: string[];
  children?: Row[];
}

/** The item catalogue 食品安全社会治理事项清单 (E11): categories and their items. */
export default function Catalogue() {
  const q = useQuery({ queryKey: ['catalogue', 'raw'], queryFn: () => api.get<any>('/api/v1/catalogue'), retry: false });
  const toRow = (x: any): Row => ({
    key: String(x.code ?? x.id),
    code: String(x.code ?? ''),
    name: String((getLang() === 'en' && x.nameEn) || x.name || ''),
    aspect: x.aspect,
    guidance: x.guidance ?? x.guide ?? x.description,
    selfHandleTiers: x.selfHandleTiers ?? x.tiers,
    children: Array.isArray(x.items) && x.items.length ? x.items.map(toRow) : undefined,
  });
  const raw = q.data?.categories ?? q.data?.items ?? (Array.isArray(q.data) ? q.data : []);
  const rows: Row[] = (raw as any[]).map(toRow);
  return (
    <>
      <PageTitle title={t('食品安全社会治理事项清单', 'Item catalogue')} />
      {q.error ? (
        <QueryError error={q.error} what={t('事项清单', 'Item catalogue')} />
      ) : (
        <Table<Row>
          size="small"
          loading={q.isLoading}
          dataSource={rows}
          pagination={false}
          // Opened once the data is there (defaultExpandAllRows only reads the first render).
          key={rows.length}
          expandable={{ defaultExpandAllRows: true }}
          columns={[
            { title: t('编码', 'Code'), dataIndex: 'code', width: 120 },
            { title: t('事项', 'Item'), dataIndex: 'name' },
            { title: t('方面', 'Aspect'), key: 'aspect', width: 90, render: (_, r) => (r.aspect ? <Tag>{label(ASPECTS, r.aspect)}</Tag> : null) },
            { title: t('可自行办理的层级', 'May be self-handled at'), key: 'tiers', render: (_, r) => (r.selfHandleTiers ?? []).map((x) => <Tag key={x}>{label(TIERS, x)}</Tag>) },
            { title: t('处置指引', 'Guidance'), dataIndex: 'guidance' },
          ]}
        />
      )}
    </>
  );
}
