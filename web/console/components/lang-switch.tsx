import { Segmented } from 'antd';
import { getLang, setLang, type Lang } from '../../shared/i18n';

/** 中文 / English, remembered in localStorage. */
export function LangSwitch() {
  return (
    <Segmented
      size="small"
      aria-label="语言 Language"
      value={getLang()}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'EN', value: 'en' },
      ]}
      onChange={(v) => setLang(v as Lang)}
    />
  );
}
