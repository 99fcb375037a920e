import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Tag, Tooltip } from 'antd';
import { CHANNELS, EVENT_STATES, formatDuration, formatTime, label, t, TIERS } from '../../../shared/i18n';
import type { EventItem } from './api';

const STATE_COLOURS: Record<string, string> = {
  open: 'blue',
  in_progress: 'processing',
  rectifying: 'orange',
  resolved: 'cyan',
  closed: 'green',
  rejected: 'default',
  merged: 'default',
};

export const StateTag = ({ state }: { state: string }) => <Tag color={STATE_COLOURS[state] ?? 'default'}>{label(EVENT_STATES, state)}</Tag>;
export const TierTag = ({ tier }: { tier: string | null | undefined }) => (tier ? <Tag>{label(TIERS, tier)}</Tag> : <>—</>);
export const ChannelText = ({ channel }: { channel: string }) => <>{label(CHANNELS, channel)}</>;

function useNow(ms = 30_000) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const h = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(h);
  }, [ms]);
  return now;
}

const FINAL = ['closed', 'rejected', 'merged'];

/** Countdown to the holder's deadline: red when overdue, orange within a day. */
export function Deadline({ ev }: { ev: Pick<EventItem, 'deadline' | 'overdue' | 'state'> }) {
  const now = useNow();
  if (!ev.deadline || FINAL.includes(ev.state)) return <>—</>;
  const left = new Date(ev.deadline).getTime() - now;
  const overdue = ev.overdue || left < 0;
  const colour = overdue ? 'red' : left < 24 * 3600_000 ? 'orange' : 'default';
  return (
    <Tooltip title={`${t('期限', 'Deadline')} ${formatTime(ev.deadline)}`}>
      <Tag color={colour} data-overdue={overdue ? '1' : '0'}>
        {overdue && left >= 0 ? t('已超时', 'Overdue') : formatDuration(left)}
      </Tag>
    </Tooltip>
  );
}

export const EventLink = ({ ev }: { ev: Pick<EventItem, 'id' | 'title' | 'hotspot'> }) => (
  <Link to={`/events/${ev.id}`}>
    {ev.title}
    {ev.hotspot ? (
      <Tag color="magenta" style={{ marginLeft: 6 }}>
        {t('热点', 'Hotspot')}
      </Tag>
    ) : null}
  </Link>
);
