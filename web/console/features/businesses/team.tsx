import type { ReactNode } from 'react';
import { Descriptions, Space, Tag, Typography } from 'antd';
import { label, ROLES, t } from '../../../shared/i18n';

/** Names of the H4 team slots as the businesses API may key them. */
const SLOT_LABELS: Record<string, { zh: string; en: string }> = {
  business: { zh: '1 · 经营者', en: '1 · Business' },
  owner: { zh: '1 · 经营者', en: '1 · Business' },
  stationStaff: { zh: '2 · 监管所包村人员', en: '2 · Station staff' },
  station: { zh: '2 · 监管所包村人员', en: '2 · Station staff' },
  gridLeader: { zh: '3 · 网格长', en: '3 · Grid leader' },
  gridMember: { zh: '3 · 网格员', en: '3 · Grid member' },
  gridMembers: { zh: '3 · 网格员', en: '3 · Grid members' },
  unitLeader: { zh: '3 · 单元长', en: '3 · Unit leader' },
  unitLeaders: { zh: '3 · 单元长', en: '3 · Unit leaders' },
  grid: { zh: '3 · 网格人员', en: '3 · Grid people' },
  followers: { zh: 'N · 关注群众', en: 'N · Followers' },
  followerCount: { zh: 'N · 关注群众', en: 'N · Followers' },
  followersCount: { zh: 'N · 关注群众', en: 'N · Followers' },
  cadre: { zh: '包保干部', en: 'Cadre' },
  cadres: { zh: '包保干部', en: 'Cadres' },
};

function Person({ p }: { p: unknown }) {
  if (p === null || p === undefined) return <>—</>;
  if (typeof p === 'string' || typeof p === 'number') return <Tag>{String(p)}</Tag>;
  const o = p as Record<string, unknown>;
  const name = (o.displayName ?? o.name ?? o.username ?? o.id) as string;
  return (
    <Tag>
      {name}
      {o.role ? <Typography.Text type="secondary"> · {label(ROLES, String(o.role))}</Typography.Text> : null}
      {o.phone ? <Typography.Text type="secondary"> · {String(o.phone)}</Typography.Text> : null}
    </Tag>
  );
}

function Value({ v }: { v: unknown }) {
  if (Array.isArray(v)) return v.length ? <Space wrap size={4}>{v.map((p, i) => <Person key={i} p={p} />)}</Space> : <>—</>;
  if (v && typeof v === 'object' && !('id' in (v as object)) && !('displayName' in (v as object))) {
    return <TeamView team={v} nested />;
  }
  return <Person p={v} />;
}

interface Member {
  id: string;
  role: string;
  displayName: string;
  phone: string | null;
  part: string;
}

/** The team as the businesses API gives it: `members` with their part, plus the follower count. */
function MembersView({ team, businessName }: { team: { members: Member[]; followers?: number }; businessName?: string }) {
  const part = (p: string) => team.members.filter((m) => m.part === p);
  const rows: Array<[string, ReactNode]> = [
    [t('1 · 经营者（主体责任）', '1 · The business'), businessName ?? '—'],
    [t('2 · 监管所包村人员', '2 · Station staff for the village'), <Value v={part('station')} />],
    [t('3 · 网格长、网格员、单元长', '3 · Grid leader, grid member, unit leader'), <Value v={[...part('grid'), ...part('unit')]} />],
    [t('N · 关注群众', 'N · Followers'), String(team.followers ?? 0)],
  ];
  const other = team.members.filter((m) => !['station', 'grid', 'unit'].includes(m.part));
  if (other.length) rows.push([t('其他', 'Others'), <Value v={other} />]);
  return (
    <Descriptions size="small" column={1} bordered aria-label={t('1+2+3+N 团队', '1+2+3+N team')}>
      {rows.map(([k, v]) => (
        <Descriptions.Item key={k} label={k}>
          {v}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/** The 1+2+3+N team of a business (H4), whatever exact shape the API gives it. */
export function TeamView({ team, nested, businessName }: { team: unknown; nested?: boolean; businessName?: string }) {
  if (!team) return <Typography.Text type="secondary">{t('暂无包保团队信息', 'No team recorded')}</Typography.Text>;
  if (typeof team === 'object' && Array.isArray((team as { members?: unknown }).members)) {
    return <MembersView team={team as { members: Member[]; followers?: number }} businessName={businessName} />;
  }
  if (Array.isArray(team)) return <Value v={team} />;
  const entries = Object.entries(team as Record<string, unknown>);
  return (
    <Descriptions size="small" column={1} bordered={!nested} aria-label={t('1+2+3+N 团队', '1+2+3+N team')}>
      {entries.map(([k, v]) => (
        <Descriptions.Item key={k} label={SLOT_LABELS[k] ? t(SLOT_LABELS[k]) : k}>
          <Value v={v} />
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}
