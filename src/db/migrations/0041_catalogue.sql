-- E11: 食品安全社会治理事项清单 — the item catalogue staff report and patrol against.
CREATE TABLE catalogue_categories (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,15}$'),
  name text NOT NULL,
  name_en text,
  sort int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE catalogue_categories IS 'E11 catalogue categories (证照资质, 从业人员 …).';

CREATE TABLE catalogue_items (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,15}$'),
  category_code text NOT NULL REFERENCES catalogue_categories(code),
  aspect text NOT NULL CHECK (aspect IN ('license','people','goods','invoices','hygiene')),
  name text NOT NULL,
  guidance text NOT NULL DEFAULT '',
  self_handle_tiers text[] NOT NULL DEFAULT '{}',
  business_types text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  sort int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE catalogue_items IS 'E11 catalogue items. events.category_code and patrol_items.item_code refer to code. Items are retired (active=false), never deleted, so old events keep their meaning.';
COMMENT ON COLUMN catalogue_items.aspect IS 'S1 five patrol aspects: license 证 / people 人 / goods 物 / invoices 票 / hygiene 洁.';
COMMENT ON COLUMN catalogue_items.self_handle_tiers IS 'Event tiers allowed to self-handle (自行办结) this item; above them the event must be escalated.';
COMMENT ON COLUMN catalogue_items.business_types IS 'Business types the item applies to on a patrol checklist; empty = all.';
CREATE INDEX catalogue_items_category_idx ON catalogue_items (category_code, sort);

INSERT INTO catalogue_categories (code, name, name_en, sort) VALUES
  ('LIC', '证照资质', 'Licences and permits', 10),
  ('PPL', '从业人员', 'Staff', 20),
  ('GDS', '食品及原料', 'Food and ingredients', 30),
  ('ADD', '食品添加剂', 'Food additives', 40),
  ('INV', '进货查验与票据', 'Purchase checks and invoices', 50),
  ('HYG', '环境卫生', 'Premises hygiene', 60),
  ('PRC', '加工制作过程', 'Preparation process', 70),
  ('SCH', '校园食品安全', 'School food safety', 80),
  ('MKT', '集贸市场与流动摊贩', 'Markets and street stalls', 90);

INSERT INTO catalogue_items (code, category_code, aspect, name, guidance, self_handle_tiers, business_types, sort) VALUES
  ('LIC01', 'LIC', 'license', '未取得食品经营（生产）许可证从事经营', '查看是否持有有效《食品经营许可证》《食品生产许可证》或小作坊登记证、摊贩备案卡。无证经营应立即制止，拍照取证并上报市场监管所，不得自行办结。', '{station,county,city}', '{}', 10),
  ('LIC02', 'LIC', 'license', '许可证超过有效期', '核对许可证有效期。已过期的，告知经营者立即停止经营并申请延续；上报市场监管所跟踪。', '{station,county,city}', '{}', 20),
  ('LIC03', 'LIC', 'license', '超范围经营', '对照许可证载明的经营项目（如热食类、冷食类、生食类、散装食品等），超出许可范围的上报市场监管所。', '{station,county,city}', '{}', 30),
  ('LIC04', 'LIC', 'license', '未在显著位置亮证经营', '许可证正本应悬挂或摆放在经营场所显著位置。现场督促悬挂，拍照留存后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 40),
  ('LIC05', 'LIC', 'license', '经营地址、主体与许可证载明不一致', '核对许可证上的经营者名称、地址、法定代表人与实际是否一致；不一致的上报市场监管所核实。', '{station,county,city}', '{}', 50),
  ('LIC06', 'LIC', 'license', '未公示食品安全信息（量化等级、监督检查结果等）', '查看餐饮单位是否公示量化分级标识、日常监督检查结果记录表及投诉举报电话。督促公示后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{catering,school_canteen,kindergarten_canteen}', 60),
  ('PPL01', 'PPL', 'people', '从业人员未取得有效健康证明', '从事接触直接入口食品工作的人员须持有效健康证明（每年体检）。现场核对人证一致；督促限期办理，逾期未办上报市场监管所。', '{grid_leader,village,station,county,city}', '{}', 10),
  ('PPL02', 'PPL', 'people', '从业人员未穿戴清洁工作衣帽、口罩', '加工、配餐、售卖直接入口食品时应穿戴清洁的工作衣帽、佩戴口罩。现场纠正后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 20),
  ('PPL03', 'PPL', 'people', '从业人员患有妨碍食品安全的疾病仍在岗', '发现有发热、腹泻、手部皮肤破损或化脓等情况仍从事接触直接入口食品工作的，要求立即调离并上报。', '{station,county,city}', '{}', 30),
  ('PPL04', 'PPL', 'people', '未配备食品安全管理人员或食品安全总监', '询问并查看是否配备食品安全管理人员（安全员），规模以上企业、学校食堂是否配备食品安全总监。', '{village,station,county,city}', '{}', 40),
  ('PPL05', 'PPL', 'people', '未开展从业人员食品安全培训', '查看年度培训记录及考核情况；无记录的督促建立并上报监管所备案。', '{village,station,county,city}', '{}', 50),
  ('PPL06', 'PPL', 'people', '从业人员操作时佩戴饰物、留长指甲或涂指甲油', '加工操作时不得佩戴戒指、手镯等饰物，不得留长指甲、涂指甲油。现场纠正后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 60),
  ('GDS01', 'GDS', 'goods', '销售或使用超过保质期的食品', '检查货架、冷库和后厨原料的生产日期与保质期。发现过期食品应要求立即下架封存，拍照并上报市场监管所。', '{station,county,city}', '{}', 10),
  ('GDS02', 'GDS', 'goods', '销售“三无”产品（无厂名、无厂址、无生产日期）', '预包装食品标签应标明名称、生产者名称地址、生产日期、保质期、生产许可证编号等。发现三无产品要求下架并上报。', '{station,county,city}', '{}', 20),
  ('GDS03', 'GDS', 'goods', '食品腐败变质、霉变生虫或感官性状异常', '发现腐败变质、油脂酸败、霉变生虫、混有异物等食品，要求立即停止销售使用，拍照取证并上报。', '{station,county,city}', '{}', 30),
  ('GDS04', 'GDS', 'goods', '冷藏冷冻食品贮存温度不符合要求', '冷藏应在0–8℃，冷冻应在-18℃以下；查看温度计及温度记录。现场督促调整，存在变质风险的上报。', '{grid_leader,village,station,county,city}', '{}', 40),
  ('GDS05', 'GDS', 'goods', '食品与非食品、生熟食品混放', '检查库房、冰箱是否生熟分开、食品与杀虫剂清洁剂等有毒有害物品分开存放，离地离墙。现场纠正后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 50),
  ('GDS06', 'GDS', 'goods', '采购或使用病死、毒死或死因不明的畜禽肉类', '查看肉类的动物检疫合格证明和肉品品质检验合格证明；来源不明的封存并立即上报，疑似违法的移交执法。', '{station,county,city}', '{}', 60),
  ('GDS07', 'GDS', 'goods', '散装食品未按规定标示', '散装食品应在容器或外包装上标明名称、生产日期或批号、保质期以及生产经营者名称、地址、联系方式。', '{grid,grid_leader,village,station,county,city}', '{sales,stall,workshop}', 70),
  ('GDS08', 'GDS', 'goods', '进口食品无中文标签', '进口预包装食品应有中文标签，并能提供入境货物检验检疫证明。无中文标签的要求下架并上报。', '{station,county,city}', '{sales}', 80),
  ('GDS09', 'GDS', 'goods', '使用非食品原料或回收食品加工', '发现使用工业用原料、回收食品、地沟油等的，立即制止、封存并上报，属违法线索的移交执法部门。', '{station,county,city}', '{}', 90),
  ('ADD01', 'ADD', 'goods', '超范围、超限量使用食品添加剂', '查看添加剂使用台账和实物，对照GB 2760。发现超范围、超限量使用的上报市场监管所。', '{station,county,city}', '{catering,production,workshop}', 10),
  ('ADD02', 'ADD', 'goods', '食品添加剂未专柜存放、未专人管理', '食品添加剂应专柜（位）存放、专人管理，并标注“食品添加剂”字样。督促整改后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{catering,production,workshop}', 20),
  ('ADD03', 'ADD', 'goods', '添加非食用物质', '发现添加罂粟壳、苏丹红、工业明胶等非食用物质或可疑物品的，立即封存并上报，移交执法部门。', '{county,city}', '{}', 30),
  ('ADD04', 'ADD', 'invoices', '未建立食品添加剂使用记录', '使用食品添加剂应记录名称、用量、使用日期等。督促建立记录。', '{grid_leader,village,station,county,city}', '{catering,production,workshop}', 40),
  ('INV01', 'INV', 'invoices', '未建立进货查验记录制度', '查看进货查验记录，应记录食品名称、规格、数量、生产日期或批号、保质期、进货日期及供货者信息，保存不少于产品保质期满后6个月。', '{grid_leader,village,station,county,city}', '{}', 10),
  ('INV02', 'INV', 'invoices', '未索取供货者资质和产品合格证明', '查看供货者许可证、营业执照及产品合格证明文件或检验报告；无法提供的督促补齐，来源不明的上报。', '{village,station,county,city}', '{}', 20),
  ('INV03', 'INV', 'invoices', '未留存购货凭证（发票、收据、送货单）', '督促经营者留存发票、收据、送货单等进货票据，做到票证齐全、票货一致。', '{grid,grid_leader,village,station,county,city}', '{}', 30),
  ('INV04', 'INV', 'invoices', '肉类无检疫合格证明', '销售、使用畜禽肉类须有动物检疫合格证明，猪肉还须有肉品品质检验合格证明。无证明的封存上报。', '{station,county,city}', '{}', 40),
  ('INV05', 'INV', 'invoices', '未建立食品销售或出厂检验记录', '食品生产者、批发经营者应建立出厂检验或销售记录，如实记录流向。', '{village,station,county,city}', '{production,sales,workshop}', 50),
  ('INV06', 'INV', 'invoices', '未按规定开展自查并记录', '查看食品安全自查记录（日管控、周排查、月调度），无记录的督促建立。', '{grid,grid_leader,village,station,county,city}', '{}', 60),
  ('HYG01', 'HYG', 'hygiene', '经营场所环境卫生脏乱差', '检查加工、售卖场所地面、墙面、操作台是否清洁，有无积水、油污、垃圾堆积。现场督促清理后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 10),
  ('HYG02', 'HYG', 'hygiene', '防蝇、防鼠、防虫设施缺失或损坏', '检查纱窗、门帘、灭蝇灯、挡鼠板、下水道防鼠网等“三防”设施是否齐全有效，有无鼠迹、虫害。', '{grid,grid_leader,village,station,county,city}', '{}', 20),
  ('HYG03', 'HYG', 'hygiene', '餐饮具未清洗消毒或消毒不到位', '查看消毒设施（消毒柜、消毒池）是否正常使用、是否有消毒记录，已消毒餐具是否保洁存放。', '{grid,grid_leader,village,station,county,city}', '{catering,school_canteen,kindergarten_canteen}', 30),
  ('HYG04', 'HYG', 'hygiene', '垃圾、废弃物未密闭存放及时清运', '废弃物容器应加盖密闭，标识清晰，及时清运；餐厨垃圾应交由有资质单位处理并留存记录。', '{grid,grid_leader,village,station,county,city}', '{}', 40),
  ('HYG05', 'HYG', 'hygiene', '洗手消毒设施缺失', '加工区入口及操作区应设有洗手、消毒设施，配备洗手液、消毒液。督促配齐后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{}', 50),
  ('HYG06', 'HYG', 'hygiene', '场所周边存在污染源', '经营场所距粪坑、污水池、垃圾场（站）、旱厕等污染源不足25米的，上报监管所核查。', '{village,station,county,city}', '{}', 60),
  ('HYG07', 'HYG', 'hygiene', '冰箱、冷库、设备设施不洁或损坏', '检查冰箱、冷库、加工设备是否清洁、运转正常，有无霜冻过厚、异味、锈蚀。', '{grid,grid_leader,village,station,county,city}', '{}', 70),
  ('PRC01', 'PRC', 'hygiene', '生熟加工工具、容器未分开使用或无标识', '刀、墩、板、盆、抹布等应生熟分开并有明显标识。现场纠正后可自行办结。', '{grid,grid_leader,village,station,county,city}', '{catering,school_canteen,kindergarten_canteen}', 10),
  ('PRC02', 'PRC', 'hygiene', '专间操作不规范', '冷食、生食、裱花等专间应专人、专用工具、专用冷藏设施、专用消毒设施，入内二次更衣，紫外线灯正常使用。', '{station,county,city}', '{catering,school_canteen,kindergarten_canteen}', 20),
  ('PRC03', 'PRC', 'goods', '食品加工未烧熟煮透', '需加热的食品中心温度应不低于70℃，四季豆、豆浆等须彻底加热。', '{grid_leader,village,station,county,city}', '{catering,school_canteen,kindergarten_canteen}', 30),
  ('PRC04', 'PRC', 'hygiene', '后厨布局不合理、流程交叉污染', '加工流程应生进熟出、单向流转，原料与成品、清洁与污染区域分开。', '{station,county,city}', '{catering,school_canteen,kindergarten_canteen,production}', 40),
  ('SCH01', 'SCH', 'goods', '未按规定留样', '学校、托幼机构食堂及集体用餐配送单位每餐次每个品种留样不少于125克，冷藏保存48小时以上，并有留样记录。', '{station,county,city}', '{school_canteen,kindergarten_canteen}', 10),
  ('SCH02', 'SCH', 'people', '未落实校（园）长陪餐制度', '查看陪餐记录，校（园）长及相关负责人应轮流陪餐并记录。', '{station,county,city}', '{school_canteen,kindergarten_canteen}', 20),
  ('SCH03', 'SCH', 'goods', '校园周边违规销售“三无”食品、辣条等', '检查校园周边200米内小卖部、摊点是否销售三无食品、过期食品及不符合标准的辣条等。', '{station,county,city}', '{sales,stall}', 30),
  ('MKT01', 'MKT', 'license', '流动摊贩未办理备案或未亮卡经营', '流动摊贩应办理食品摊贩登记（备案）卡并随身携带、亮卡经营。督促办理，拒不办理的上报。', '{grid,grid_leader,village,station,county,city}', '{stall}', 10),
  ('MKT02', 'MKT', 'invoices', '市场开办者未履行入场查验和检测义务', '集中交易市场开办者应查验入场销售者许可证件、建立档案，开展食用农产品快检并公示结果。', '{station,county,city}', '{}', 20),
  ('MKT03', 'MKT', 'goods', '食用农产品农兽药残留快检不合格仍在销售', '查看市场快检公示，快检不合格产品应立即停止销售并封存，上报市场监管所确认。', '{station,county,city}', '{farm,sales,stall}', 30);
