import type { BusinessType } from './grading.js';

/**
 * B3 risk level. Seed 003 §三(二): 高风险的食品生产经营者（如：乳制品、肉制品等生产企业），学校、
 * 幼儿园食堂等餐饮单位，必须开展现场督导; 低风险的 may be supervised online/by phone. The "等" is
 * filled with the producers the national food-production supervision practice treats as high
 * risk (infant formula, special medical purpose food, health food) and group-meal distributors
 * (集体用餐配送单位, central kitchens) which feed schools.
 */
export const RISK_LEVELS = ['high', 'medium', 'normal', 'low'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = { high: '高风险', medium: '较高风险', normal: '一般', low: '低风险' };

export const CREDIT_RISK_CLASSES = ['A', 'B', 'C', 'D'] as const;
export type CreditRiskClass = (typeof CREDIT_RISK_CLASSES)[number];

/** Product tags understood by the rules, with their Chinese names (import, UI). */
export const PRODUCT_TAGS: Record<string, string> = {
  dairy: '乳制品',
  meat: '肉制品',
  infant_formula: '婴幼儿配方食品',
  special_medical: '特殊医学用途配方食品',
  health_food: '保健食品',
  group_meal: '集体用餐配送',
  central_kitchen: '中央厨房',
  wholesale: '批发',
  prepackaged_only: '仅销售预包装食品',
};

const HIGH_RISK_PRODUCTION_TAGS = ['dairy', 'meat', 'infant_formula', 'special_medical', 'health_food'];
const HIGH_RISK_CATERING_TAGS = ['group_meal', 'central_kitchen'];

export interface RiskInput {
  type: BusinessType;
  productTags?: readonly string[] | null;
}

export function computeRiskLevel(input: RiskInput): { level: RiskLevel; reasonZh: string } {
  const tags = input.productTags ?? [];
  if (input.type === 'school_canteen') return { level: 'high', reasonZh: '学校食堂（种子003：必须现场督导）' };
  if (input.type === 'kindergarten_canteen') return { level: 'high', reasonZh: '幼儿园食堂（种子003：必须现场督导）' };
  if (input.type === 'production' || input.type === 'workshop') {
    const hit = tags.filter((t) => HIGH_RISK_PRODUCTION_TAGS.includes(t));
    if (hit.length) return { level: 'high', reasonZh: `${hit.map((t) => PRODUCT_TAGS[t]).join('、')}生产` };
  }
  if (input.type === 'catering') {
    const hit = tags.filter((t) => HIGH_RISK_CATERING_TAGS.includes(t));
    if (hit.length) return { level: 'high', reasonZh: `${hit.map((t) => PRODUCT_TAGS[t]).join('、')}单位` };
  }
  if (input.type === 'sales' && tags.includes('prepackaged_only')) return { level: 'low', reasonZh: '仅销售预包装食品' };
  return { level: 'normal', reasonZh: '一般风险' };
}

/**
 * How a 包保 cadre supervises the business (seed 003 §三(二)): at least once a quarter, on site
 * for high-risk ones; others may be supervised online, by phone or in a group.
 */
export function supervisionRule(level: RiskLevel): { minPerQuarter: number; onSiteRequired: boolean } {
  return { minPerQuarter: 1, onSiteRequired: level === 'high' };
}
