import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, DatePicker, Form, Input, Modal, Radio, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { api, ApiError, CONFLICT_MESSAGE, isConflict, type Page } from '../../../shared/api';
import { ACTIONS, label, PENALTIES, SKIP_REASONS, t, TIERS } from '../../../shared/i18n';
import { RegionSelect } from '../../components/common';
import { actionType, type AllowedAction, type EventItem } from './api';

type FieldKind = 'text' | 'textarea' | 'date' | 'skipTier' | 'skipReason' | 'penalty' | 'passed' | 'department' | 'region';
interface FieldSpec {
  name: string;
  kind: FieldKind;
  label: { zh: string; en: string };
  required?: boolean | ((values: Record<string, unknown>) => boolean);
}

const reason = (zh = '原因', en = 'Reason'): FieldSpec => ({ name: 'reason', kind: 'textarea', label: { zh, en }, required: true });

/** The parameters of each action as API.md lists them; the form asks for exactly these. */
export const ACTION_FIELDS: Record<string, FieldSpec[]> = {
  accept: [],
  escalate: [reason('上报原因', 'Why escalate')],
  skip_escalate: [
    { name: 'targetTier', kind: 'skipTier', label: { zh: '越级上报至', en: 'Escalate to' }, required: true },
    { name: 'reasonCode', kind: 'skipReason', label: { zh: '越级理由', en: 'Reason for skipping levels' }, required: true },
    reason('情况说明', 'Explanation'),
  ],
  transfer: [{ name: 'organizationId', kind: 'department', label: { zh: '移交部门', en: 'Department' }, required: true }, reason('移交理由', 'Why this department')],
  return: [reason('退回理由', 'Why return it')],
  refer_enforcement: [reason('移送理由（案件线索）', 'Case clue')],
  record_case: [
    { name: 'caseNo', kind: 'text', label: { zh: '案件编号', en: 'Case number' }, required: true },
    { name: 'decision', kind: 'textarea', label: { zh: '处理决定', en: 'Decision' }, required: true },
    { name: 'penalty', kind: 'penalty', label: { zh: '处罚种类', en: 'Penalty' } },
  ],
  order_rectification: [
    { name: 'deadline', kind: 'date', label: { zh: '整改期限', en: 'Rectify by' }, required: true },
    { name: 'requirement', kind: 'textarea', label: { zh: '整改要求', en: 'Requirement' }, required: true },
  ],
  submit_rectification: [{ name: 'note', kind: 'textarea', label: { zh: '整改情况', en: 'What was done' }, required: true }],
  verify_rectification: [
    { name: 'passed', kind: 'passed', label: { zh: '复核结论', en: 'Verification' }, required: true },
    { name: 'deadline', kind: 'date', label: { zh: '新的整改期限（未通过时）', en: 'New deadline (if failed)' }, required: (v) => v.passed === false },
  ],
  request_assist: [
    { name: 'regionId', kind: 'region', label: { zh: '协办区域', en: 'Assisting region' }, required: true },
    { name: 'note', kind: 'textarea', label: { zh: '协办事项', en: 'What to do' }, required: true },
  ],
  resolve: [{ name: 'result', kind: 'textarea', label: { zh: '处理结果', en: 'Result' }, required: true }],
  feedback: [{ name: 'feedback', kind: 'textarea', label: { zh: '反馈内容（向来源反馈）', en: 'Feedback to the source' }, required: true }],
  close: [],
  reject: [reason('不予受理理由（非食品安全事项/重复等）', 'Why reject (not food safety, duplicate …)')],
  merge: [{ name: 'intoEventId', kind: 'text', label: { zh: '合并到事件编号', en: 'Merge into event id' }, required: true }],
  reopen: [reason('重新打开理由', 'Why reopen')],
  comment: [{ name: 'note', kind: 'textarea', label: { zh: '备注', en: 'Note' }, required: true }],
};

const PRIMARY = new Set(['accept', 'resolve', 'close', 'verify_rectification', 'submit_rectification']);
const DANGER = new Set(['reject', 'merge']);

function DepartmentSelect(props: Record<string, unknown>) {
  const deps = useQuery({
    queryKey: ['organizations', 'department'],
    queryFn: () => api.get<Page<{ id: string; name: string; type: string }>>('/api/v1/organizations', { type: 'department', limit: 200 }),
    staleTime: 10 * 60_000,
  });
  return (
    <Select
      {...props}
      showSearch
      optionFilterProp="label"
      loading={deps.isLoading}
      options={(deps.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
    />
  );
}

/** Form.Item hands `value`/`onChange` to its child: pass them on to the real input. */
function FieldInput({ spec, ...props }: { spec: FieldSpec; [k: string]: unknown }) {
  switch (spec.kind) {
    case 'textarea':
      return <Input.TextArea {...props} rows={3} maxLength={2000} showCount />;
    case 'text':
      return <Input {...props} maxLength={200} />;
    case 'date':
      return <DatePicker {...props} style={{ width: '100%' }} disabledDate={(d: Dayjs) => d.isBefore(new Date(), 'day')} />;
    case 'skipTier':
      return (
        <Radio.Group
          {...props}
          options={['county', 'city'].map((v) => ({ value: v, label: label(TIERS, v) }))}
          optionType="button"
        />
      );
    case 'skipReason':
      return <Radio.Group {...props} options={Object.entries(SKIP_REASONS).map(([value, l]) => ({ value, label: t(l) }))} />;
    case 'penalty':
      return <Select {...props} allowClear options={Object.entries(PENALTIES).map(([value, l]) => ({ value, label: t(l) }))} />;
    case 'passed':
      return (
        <Radio.Group
          {...props}
          options={[
            { value: true, label: t('通过', 'Passed') },
            { value: false, label: t('未通过', 'Failed') },
          ]}
          optionType="button"
        />
      );
    case 'department':
      return <DepartmentSelect {...props} />;
    case 'region':
      return <RegionSelect {...(props as { value?: string; onChange?: (v: string | undefined) => void })} style={{ width: '100%' }} />;
  }
}

function toBody(type: string, ev: EventItem, values: Record<string, unknown>) {
  const body: Record<string, unknown> = { type, expectedVersion: ev.version };
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || v === '') continue;
    body[k] = v && typeof v === 'object' && 'toISOString' in (v as object) ? (v as Dayjs).endOf('day').toISOString() : v;
  }
  return body;
}

/** One button per action the state machine allows the caller now; each opens its form. */
export function EventActions({ ev, allowed }: { ev: EventItem; allowed: AllowedAction[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const types = allowed.map(actionType);

  const reload = () => {
    setConflict(false);
    qc.invalidateQueries({ queryKey: ['event', ev.id] });
    qc.invalidateQueries({ queryKey: ['events'] });
  };

  const submit = async (type: string, values: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await api.post<EventItem>(`/api/v1/events/${ev.id}/actions`, toBody(type, ev, values));
      if (updated && (updated as EventItem).id) qc.setQueryData(['event', ev.id], updated);
      reload();
      setOpen(null);
      form.resetFields();
      message.success(`${label(ACTIONS, type)} ✓`);
    } catch (e) {
      if (isConflict(e)) {
        setOpen(null);
        setConflict(true);
      } else if (e instanceof ApiError && e.field && (ACTION_FIELDS[type] ?? []).some((f) => f.name === e.field)) {
        form.setFields([{ name: e.field, errors: [e.message] }]);
      } else {
        setError(e instanceof Error ? e.message : String(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const start = (type: string) => {
    setError(null);
    form.resetFields();
    const fields = ACTION_FIELDS[type] ?? [];
    if (!fields.length) {
      Modal.confirm({
        title: `${label(ACTIONS, type)}？`,
        content: ev.title,
        okText: t('确定', 'OK'),
        cancelText: t('取消', 'Cancel'),
        onOk: () => submit(type, {}),
      });
    } else setOpen(type);
  };

  return (
    <>
      {conflict && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          style={{ marginBottom: 12 }}
          message={t(CONFLICT_MESSAGE)}
          action={
            <Button size="small" onClick={reload}>
              {t('刷新', 'Reload')}
            </Button>
          }
        />
      )}
      {error && !open && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={error} closable onClose={() => setError(null)} />}
      {types.length ? (
        <Space wrap aria-label={t('可执行操作', 'Available actions')}>
          {types.map((type) => (
            <Button key={type} type={PRIMARY.has(type) ? 'primary' : 'default'} danger={DANGER.has(type)} onClick={() => start(type)}>
              {label(ACTIONS, type)}
            </Button>
          ))}
        </Space>
      ) : (
        <span style={{ color: '#888' }}>{t('您当前没有可执行的操作', 'Nothing for you to do on this event now')}</span>
      )}
      <Modal
        open={!!open}
        title={open ? label(ACTIONS, open) : ''}
        onCancel={() => setOpen(null)}
        onOk={() => form.submit()}
        okText={t('提交', 'Submit')}
        cancelText={t('取消', 'Cancel')}
        confirmLoading={busy}
        destroyOnHidden
      >
        {error && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={error} />}
        {open && (
          <Form form={form} layout="vertical" onFinish={(v) => submit(open, v)} preserve={false}>
            {(ACTION_FIELDS[open] ?? []).map((spec) => (
              <Form.Item
                key={spec.name}
                name={spec.name}
                label={t(spec.label)}
                dependencies={typeof spec.required === 'function' ? ['passed'] : undefined}
                rules={[
                  ({ getFieldsValue }) => ({
                    validator: (_, v) => {
                      const req = typeof spec.required === 'function' ? spec.required(getFieldsValue()) : spec.required;
                      return req && (v === undefined || v === null || v === '') ? Promise.reject(new Error(t('必填', 'Required'))) : Promise.resolve();
                    },
                  }),
                ]}
              >
                <FieldInput spec={spec} />
              </Form.Item>
            ))}
          </Form>
        )}
      </Modal>
    </>
  );
}
