import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Button, Space, Spin, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { t } from '../../../shared/i18n';
import { QueryError } from '../../components/common';
import { useBusiness } from './api';

/** A printable A4 poster with the QR code that opens the public report form for this business (S1). */
export default function BusinessPoster() {
  const { id } = useParams();
  const b = useBusiness(id);
  const [svg, setSvg] = useState<string | null>(null);
  const url = `${window.location.origin}/p/report?business=${encodeURIComponent(id ?? '')}`;
  useEffect(() => {
    let live = true;
    import('qrcode').then((QR) =>
      QR.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1, width: 320 }).then((s: string) => live && setSvg(s)),
    );
    return () => {
      live = false;
    };
  }, [url]);
  if (b.isLoading) return <Spin />;
  if (b.error || !b.data) return <QueryError error={b.error} what={t('经营主体', 'Business')} />;
  return (
    <>
      <style>{`@media print { .no-print { display: none !important; } .ant-layout-content { padding: 0 !important; } .poster { border: none !important; } }`}</style>
      <Space className="no-print" style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
          {t('打印', 'Print')}
        </Button>
        <Typography.Text type="secondary">{url}</Typography.Text>
      </Space>
      <div className="poster" style={{ width: '180mm', minHeight: '250mm', margin: '0 auto', padding: '16mm', border: '1px dashed #ccc', background: '#fff', textAlign: 'center' }}>
        <div style={{ fontSize: 34, fontWeight: 700, color: '#c41d1d', letterSpacing: 4 }}>食品安全 · 扫码举报</div>
        <div style={{ fontSize: 16, marginTop: 8, color: '#555' }}>Food safety — scan to report</div>
        <div style={{ fontSize: 26, fontWeight: 600, marginTop: 24 }}>{b.data.name}</div>
        {b.data.address && <div style={{ fontSize: 16, color: '#555', marginTop: 4 }}>{b.data.address}</div>}
        <div style={{ margin: '24px auto', width: 320, height: 320 }} aria-label={t('举报二维码', 'Report QR code')} role="img" dangerouslySetInnerHTML={svg ? { __html: svg } : undefined} />
        <div style={{ fontSize: 18, lineHeight: 1.8 }}>
          发现食品安全问题？微信或手机相机扫描二维码，
          <br />
          即可匿名或实名投诉举报，凭查询码跟踪办理结果。
        </div>
        <div style={{ marginTop: 24, fontSize: 14, color: '#888' }}>食安网格 · 食品安全社会共治平台　{b.data.licenseNo ? `许可证号 ${b.data.licenseNo}` : ''}</div>
      </div>
    </>
  );
}
