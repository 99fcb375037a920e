import type { Rng } from './random.js';

/**
 * Chinese names for the demo world. Surnames follow Putian's real frequency (林、陈、黄、郑、吴 …
 * dominate); given names are one or two characters from common name characters.
 */
const SURNAMES: [string, number][] = [
  ['林', 18], ['陈', 16], ['黄', 10], ['郑', 8], ['吴', 6], ['李', 5], ['王', 4], ['张', 4], ['刘', 3], ['蔡', 3],
  ['方', 3], ['许', 2], ['朱', 2], ['翁', 2], ['杨', 2], ['徐', 2], ['周', 2], ['余', 1], ['宋', 1], ['卓', 1],
  ['游', 1], ['詹', 1], ['柯', 1], ['范', 1], ['苏', 1], ['魏', 1], ['曾', 1], ['杜', 1], ['姚', 1], ['洪', 1],
];
const SURNAME_TOTAL = SURNAMES.reduce((s, [, w]) => s + w, 0);
const GIVEN2 = '志明,建国,伟华,丽娟,秀英,文杰,海峰,丽萍,淑芬,金水,玉兰,国平,小燕,明辉,春梅,德福,清华,永和,晓东,俊杰,婷婷,宏伟,少华,雅琴,美玲,振兴,桂香,碧霞,荣生,宝珠,佳怡,子豪,思远,梓涵,雨欣,浩然,泽宇,一鸣,锦程,金龙,国华,秀珍,亚明,文彬,建华,丽琴,素琴,玉珍,建平,志强,伟东,凤英,春华,清泉,荔芳,惠珍,金花,海燕,晓丽,永生,瑞祥,丽云,国荣,桂兰,少杰,文华,秀兰,振华,建新,美华'.split(',');
const GIVEN1 = '斌,杰,芳,勇,敏,静,强,磊,军,洋,艳,娜,涛,明,超,辉,鹏,华,霞,平,刚,峰,凯,琳,燕,婷,亮,鑫,宇,颖'.split(',');

export function surname(rng: Rng): string {
  let x = rng.next() * SURNAME_TOTAL;
  for (const [s, w] of SURNAMES) if ((x -= w) < 0) return s;
  return '林';
}

export function personName(rng: Rng): string {
  const s = surname(rng);
  return rng.chance(0.2) ? s + rng.pick(GIVEN1) : s + rng.pick(GIVEN2);
}

/** 太平社区居委会 → 太平社区, 东园村委会 → 东园村: the official name is kept in the tree, this is for display. */
export function shortVillageName(official: string): string {
  return official
    .replace(/社区居民委员会$/, '社区')
    .replace(/社区居委会$/, '社区')
    .replace(/居民委员会$/, '社区')
    .replace(/村民委员会$/, '村')
    .replace(/村委会$/, '村')
    .replace(/居委会$/, '社区');
}

/** 西天尾镇 → 西天尾, 凤凰山街道 → 凤凰山 (stations and offices are named after it). */
export function shortTownshipName(name: string): string {
  return name.replace(/(街道|镇|乡|开发区|农场|管理局)$/, '') || name;
}

const SHOP_GIVEN = '阿明,阿华,阿妹,阿福,阿亮,阿珍,阿辉,阿清,老林,老陈,老黄,老郑,小吴,小蔡,兴化,荔乡,壶山,兰溪,木兰,九鲤,湄洲,妈祖,东圳,绶溪,龙华,仙水,鲤城,枫亭,莆阳,古谯,玉湖,荔林,海滨,南山,紫霄,福兴,永兴,鸿运,顺发,聚福,好运,金港,银河,新兴,佳和,万家'.split(',');
const SNACKS = ['小吃店', '卤面店', '兴化米粉店', '扁食店', '海蛎煎店', '焖豆腐店', '炝肉馆', '豆浆店', '早餐店', '快餐店', '面馆', '糕点店', '奶茶店', '烧烤店'];
const RESTAURANTS = ['大酒楼', '酒店', '餐厅', '饭店', '海鲜楼', '农家乐', '土菜馆', '私房菜'];
const STORES = ['超市', '便利店', '食品商行', '副食品店', '粮油店', '水产店', '茶叶店', '酒行', '冻品店', '果蔬店', '母婴用品店'];
const FACTORY_GOODS: [string, string, string[]][] = [
  // [name fragment, category code of the SC licence, product tags]
  ['食品', '101', []],
  ['米粉', '101', []],
  ['糕点', '124', []],
  ['茶业', '114', []],
  ['乳业', '105', ['dairy']],
  ['肉制品', '104', ['meat']],
  ['水产品', '122', []],
  ['饮料', '106', []],
  ['调味品', '103', []],
  ['龙眼干', '117', []],
  ['桂圆', '117', []],
  ['酒业', '115', []],
  ['保健食品', '127', ['health_food']],
];
const WORKSHOPS = ['米粉加工坊', '豆腐坊', '糕点作坊', '面线作坊', '卤味作坊', '酿酒作坊', '腌菜作坊'];
const STALLS = ['水果摊', '卤味摊', '熟食摊', '早点摊', '海鲜摊', '蔬菜摊', '小吃摊'];
const FARMS = ['果蔬专业合作社', '龙眼种植专业合作社', '枇杷专业合作社', '家庭农场', '茶叶专业合作社', '养殖专业合作社', '水产养殖场'];
const SCHOOLS = ['中心小学', '小学', '中学', '第一中学', '实验小学', '职业中专'];

export interface BusinessNameParts {
  name: string;
  productTags: string[];
  scCategory?: string;
}

/**
 * A plausible business name for a type. `prefix` is the registration prefix (莆田市荔城区 or 仙游县),
 * `place` the township or village short name.
 */
export function businessName(rng: Rng, type: string, prefix: string, township: string, village: string, serial: number): BusinessNameParts {
  const brand = rng.pick(SHOP_GIVEN);
  switch (type) {
    case 'catering':
      if (rng.chance(0.03)) return { name: `${prefix}${brand}餐饮管理有限公司（集体用餐配送）`, productTags: ['group_meal'] };
      return rng.chance(0.7)
        ? { name: `${prefix}${brand}${rng.pick(SNACKS)}`, productTags: [] }
        : { name: `${prefix}${township}${brand}${rng.pick(RESTAURANTS)}`, productTags: [] };
    case 'sales': {
      const store = rng.pick(STORES);
      const tags = store === '食品商行' || store === '冻品店' ? (rng.chance(0.4) ? ['wholesale'] : []) : store === '便利店' ? ['prepackaged_only'] : [];
      return { name: `${prefix}${village}${brand}${store}`, productTags: tags };
    }
    case 'production': {
      const [goods, cat, tags] = rng.pick(FACTORY_GOODS);
      const firm = rng.chance(0.5) ? '有限公司' : '有限责任公司';
      return { name: `${prefix.startsWith('莆田市') ? '莆田市' : prefix}${brand}${goods}${firm}`, productTags: tags, scCategory: cat };
    }
    case 'school_canteen':
      return { name: `${prefix}${rng.chance(0.6) ? township : village}${rng.pick(SCHOOLS)}食堂`, productTags: [] };
    case 'kindergarten_canteen':
      return { name: `${prefix}${village}${rng.pick(['幼儿园', '中心幼儿园', '实验幼儿园', '启明幼儿园', '阳光幼儿园'])}食堂`, productTags: [] };
    case 'workshop':
      return { name: `${prefix}${village}${surname(rng)}记${rng.pick(WORKSHOPS)}`, productTags: [] };
    case 'stall':
      return { name: `${township}农贸市场${(serial % 80) + 1}号${rng.pick(STALLS)}`, productTags: [] };
    case 'farm':
      return { name: `${prefix}${village}${brand}${rng.pick(FARMS)}`, productTags: [] };
    default:
      return { name: `${prefix}${village}${brand}食品经营部`, productTags: [] };
  }
}
