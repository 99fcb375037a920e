/** H3: positions of a 工作专班 and their duties, as seed 000 §一 words them. */
export const WORKING_GROUP_POSITIONS = ['leader', 'executive_deputy', 'deputy', 'office', 'business_section', 'enforcement', 'station', 'member'] as const;
export type WorkingGroupPosition = (typeof WORKING_GROUP_POSITIONS)[number];

export const POSITION_LABELS: Record<WorkingGroupPosition, string> = {
  leader: '组长',
  executive_deputy: '常务副组长',
  deputy: '副组长',
  office: '办公室',
  business_section: '业务科（股）室',
  enforcement: '综合行政执法支（大）队',
  station: '基层市场监管所',
  member: '成员',
};

export const DEFAULT_DUTIES: Record<WorkingGroupPosition, string> = {
  leader: '负责本单位食品安全社会治理全面工作。',
  executive_deputy: '协助组长拟定食品安全社会治理的工作方案，提出并分解工作任务，指导、协调、推进食品安全社会治理工作开展。',
  deputy: '在各自分管领域督促、推进食品安全社会治理工作开展。',
  office: '负责综合、统筹、协调等食品安全社会治理日常工作。',
  business_section: '负责食品安全社会治理业务指导、本级下沉人员食品安全事件录入和处置等工作。',
  enforcement: '负责本级下沉人员食品安全案件录入和查办等工作。',
  station: '负责本级下沉人员食品安全事件录入和处置等工作。',
  member: '结合自身职责做好食品安全社会治理相关工作。',
};

/** A group needs exactly one leader; everything else is optional. */
export function checkGroupComposition(positions: WorkingGroupPosition[]): string | null {
  const leaders = positions.filter((p) => p === 'leader').length;
  if (leaders !== 1) return leaders === 0 ? 'missing_leader' : 'several_leaders';
  return null;
}
