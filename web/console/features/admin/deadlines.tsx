import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Form, InputNumber, Spin, Switch } from 'antd';
import { api, ApiError } from '../../../shared/api';
import { label, t, TIERS } from '../../../shared/i18n';
import { PageTitle, QueryError } from '../../components/common';
import { useMe } from '../../session';

interface DeadlineSettings {
  workingDays: Record<string, number>;
  reminderWorkingDays: number;
  autoEscalate: boolean;
  extraHolidays?: string[];
  extraWorkdays?: string[];
}

/** Working-day limits per tier (E10); only admins change them. */
export default function Deadlines() {
  const me = useMe();
  const qc = useQueryClient();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const q = useQuery({ queryKey: ['settings', 'deadlines'], queryFn: () => api.get<DeadlineSettings>('/api/v1/settings/deadlines'), retry: false });
  useEffect(() => {
    if (q.data) form.setFieldsValue(q.data);
  }, [q.data, form]);
  const save = async (v: DeadlineSettings) => {
    try {
      await api.put('/api/v1/settings/deadlines', { ...q.data, ...v });
      message.success(t('已保存', 'Saved'));
      qc.invalidateQueries({ queryKey: ['settings', 'deadlines'] });
    } catch (e) {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field.split('.'), errors: [e.message] }]);
      else message.error((e as Error).message);
    }
  };
  const readOnly = me.role !== 'admin';
  return (
    <>
      <PageTitle title={t('办理时限设置', 'Deadlines')} sub={t('按工作日计算（含法定节假日与调休）；0 表示不限', 'In working days (official holidays and adjusted days); 0 = no limit')} />
      {q.error ? (
        <QueryError error={q.error} what={t('办理时限', 'Deadlines')} />
      ) : !q.data ? (
        <Spin />
      ) : (
        <Card style={{ maxWidth: 560 }}>
          {readOnly && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('仅系统管理员可修改', 'Only administrators may change these')} />}
          <Form form={form} layout="horizontal" labelCol={{ span: 12 }} onFinish={save} disabled={readOnly}>
            {Object.keys(q.data.workingDays).map((tier) => (
              <Form.Item key={tier} name={['workingDays', tier]} label={label(TIERS, tier)} rules={[{ required: true }]}>
                <InputNumber min={0} max={365} addonAfter={t('个工作日', 'working days')} />
              </Form.Item>
            ))}
            <Form.Item name="reminderWorkingDays" label={t('到期前提醒', 'Remind before')} rules={[{ required: true }]}>
              <InputNumber min={0} max={30} addonAfter={t('个工作日', 'working days')} />
            </Form.Item>
            <Form.Item name="autoEscalate" label={t('超时自动上报', 'Escalate when overdue')} valuePropName="checked">
              <Switch />
            </Form.Item>
            {!readOnly && (
              <Button type="primary" htmlType="submit">
                {t('保存', 'Save')}
              </Button>
            )}
          </Form>
        </Card>
      )}
    </>
  );
}
