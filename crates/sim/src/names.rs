//! Chinese names and places: what makes the synthetic district read like Futian.
//!
//! Street seeds, arterial roads and parks sit roughly where the real ones are (WGS84);
//! community, estate, company and person names are drawn from lists of plausible words.

use rand::{seq::SliceRandom, Rng};

use crate::pick::pick_table;

/// Approximate centres (lon, lat) of the ten sub-districts, in the order of
/// `catalogue::FUTIAN_STREETS`; they seed the partition so each street lands near the real one.
pub(crate) const STREET_CENTRES: [(f64, f64); 10] = [
    (114.093, 22.556), // 园岭
    (114.090, 22.538), // 南园
    (114.065, 22.528), // 福田
    (114.025, 22.527), // 沙头
    (114.045, 22.573), // 梅林
    (114.074, 22.553), // 华富
    (114.020, 22.548), // 香蜜湖
    (114.053, 22.552), // 莲花
    (114.085, 22.547), // 华强北
    (114.045, 22.512), // 福保
];

/// Rough relative areas of the streets (same order), so the synthetic ones are sized
/// like the real ones.
pub(crate) const STREET_SHARES: [f64; 10] = [3.3, 2.5, 7.2, 13.0, 11.5, 5.0, 10.5, 8.5, 2.8, 5.0];

/// Community names per street (same order as the streets), real ones where they are well
/// known, then plausible inventions; `SPARE_COMMUNITIES` fills any shortfall.
pub(crate) const COMMUNITY_POOLS: [&[&str]; 10] = [
    &[
        "上林",
        "百花",
        "红荔",
        "园东",
        "园西",
        "华林",
        "鹿丹",
        "南天",
        "长城",
        "通新岭",
        "桂园",
        "红岭",
    ],
    &[
        "南园",
        "巴丁街",
        "滨江",
        "赤尾",
        "沙埔头",
        "埔尾",
        "玉田",
        "南华",
        "锦龙",
        "福滨",
        "南村",
    ],
    &[
        "福山", "福安", "岗厦", "皇岗", "水围", "福南", "福星", "渔农", "福华", "福民", "口岸",
        "金田", "福源",
    ],
    &[
        "沙头", "沙嘴", "沙尾", "上沙", "下沙", "新沙", "金地", "天安", "新华", "翠湾", "金碧",
        "红树",
    ],
    &[
        "梅林",
        "上梅林",
        "下梅林",
        "梅丰",
        "梅京",
        "梅都",
        "翰岭",
        "孖岭",
        "新兴",
        "梅亭",
        "凯丰",
        "龙尾",
        "梅河",
    ],
    &[
        "华富",
        "莲花北",
        "田面",
        "新田",
        "梅岭",
        "黄木岗",
        "华新",
        "景华",
        "笔架山",
        "福茵",
        "上步",
    ],
    &[
        "香蜜",
        "侨香",
        "竹子林",
        "香安",
        "香梅",
        "东海",
        "农园",
        "竹园",
        "安托山",
        "香岭",
        "农科",
    ],
    &[
        "彩田",
        "福中",
        "紫荆",
        "景田",
        "康欣",
        "梅富",
        "福新",
        "狮岭",
        "彩虹",
        "景丽",
        "莲花一村",
        "莲花二村",
    ],
    &[
        "华强北",
        "华航",
        "荔村",
        "福强",
        "华红",
        "振华",
        "燕南",
        "中航",
        "赛格",
    ],
    &[
        "福保", "益田", "石厦", "明月", "新港", "福裕", "保税", "福景",
    ],
];

pub(crate) const SPARE_COMMUNITIES: &[&str] = &[
    "锦绣", "翠林", "碧云", "松岭", "枫林", "瑞丰", "祥和", "嘉园", "榕树", "金桂", "玉兰", "竹林",
    "鸿福", "安和", "泰和", "兴华", "振兴", "怡景", "丽水", "青云", "白云", "福林", "福荣", "华茂",
];

/// Arterial roads that run east-west: name, approximate latitude, width in metres.
pub(crate) const EW_ARTERIALS: &[(&str, f64, f64)] = &[
    ("滨河大道", 22.5250, 60.0),
    ("福强路", 22.5210, 36.0),
    ("福华路", 22.5365, 32.0),
    ("深南大道", 22.5410, 80.0),
    ("红荔路", 22.5500, 40.0),
    ("侨香路", 22.5470, 36.0),
    ("莲花路", 22.5570, 36.0),
    ("北环大道", 22.5640, 60.0),
    ("梅林路", 22.5720, 32.0),
];

/// Arterial roads that run north-south: name, approximate longitude, width in metres.
pub(crate) const NS_ARTERIALS: &[(&str, f64, f64)] = &[
    ("农林路", 114.0205, 32.0),
    ("香蜜湖路", 114.0285, 40.0),
    ("景田路", 114.0365, 32.0),
    ("新洲路", 114.0445, 40.0),
    ("益田路", 114.0510, 36.0),
    ("金田路", 114.0600, 36.0),
    ("彩田路", 114.0660, 40.0),
    ("皇岗路", 114.0720, 50.0),
    ("华富路", 114.0790, 32.0),
    ("华强北路", 114.0850, 32.0),
    ("上步路", 114.0910, 32.0),
];

/// Stems of ordinary road names; suffixes make them many.
pub(crate) const ROAD_STEMS: &[&str] = &[
    "振华",
    "振兴",
    "燕南",
    "华发",
    "红岭",
    "八卦",
    "百花",
    "笋岗",
    "泥岗",
    "福中",
    "民田",
    "石厦",
    "沙嘴",
    "泰然",
    "香梅",
    "香林",
    "竹子林",
    "侨城",
    "安托山",
    "梅华",
    "梅东",
    "中康",
    "商报",
    "农轩",
    "农园",
    "福虹",
    "福明",
    "福民",
    "福荣",
    "福星",
    "园岭",
    "上林",
    "景华",
    "福祥",
    "新闻",
    "深纺",
    "荔枝",
    "华林",
    "鹏程",
    "海田",
    "金地",
    "绿景",
    "天安",
    "翠海",
    "白石",
    "水围",
    "岗厦",
    "福新",
    "紫竹",
    "雨田",
    "金碧",
    "凯丰",
    "梅丽",
    "梅秀",
    "彩虹",
    "福田",
    "滨海",
    "下梅林",
    "上梅林",
    "景田北",
];
pub(crate) const ROAD_SUFFIXES: &[&str] = &[
    "路", "一路", "二路", "三路", "四路", "五路", "六路", "街", "东路", "西路", "南路", "北路",
    "中路", "大街",
];

/// Parks and hills where few buildings stand: name, kind, lon, lat, radius in metres.
pub(crate) const PARKS: &[(&str, &str, f64, f64, f64)] = &[
    ("莲花山公园", "城市公园", 114.0555, 22.5560, 550.0),
    ("笔架山公园", "城市公园", 114.0735, 22.5660, 550.0),
    ("中心公园", "城市公园", 114.0790, 22.5440, 300.0),
    ("香蜜公园", "城市公园", 114.0235, 22.5470, 300.0),
    ("福田红树林生态公园", "湿地公园", 114.0050, 22.5210, 450.0),
    ("梅林山郊野公园", "郊野公园", 114.0420, 22.5830, 900.0),
    ("安托山公园", "山体公园", 114.0125, 22.5450, 350.0),
    ("福田体育公园", "体育公园", 114.0445, 22.5265, 250.0),
];

/// Lakes and reservoirs: name, kind, lon, lat, east-west and north-south radii in metres.
pub(crate) const LAKES: &[(&str, &str, f64, f64, f64, f64)] = &[
    ("香蜜湖", "湖泊", 114.0245, 22.5535, 260.0, 190.0),
    ("莲花山水库", "水库", 114.0560, 22.5590, 140.0, 90.0),
    ("梅林水库", "水库", 114.0420, 22.5860, 420.0, 220.0),
];

/// A river: name, course (lon, lat) from source to mouth, width in metres.
pub(crate) type River = (&'static str, &'static [(f64, f64)], f64);

/// Rivers inside the district, north to south: name, course (lon, lat), width in metres.
/// 深圳河 is not here: it follows the southern border (see `landscape`).
pub(crate) const RIVERS: &[River] = &[
    (
        "福田河",
        &[
            (114.0765, 22.5790),
            (114.0752, 22.5680),
            (114.0770, 22.5560),
            (114.0788, 22.5440),
            (114.0785, 22.5330),
            (114.0800, 22.5150),
        ],
        36.0,
    ),
    (
        "新洲河",
        &[
            (114.0400, 22.5760),
            (114.0412, 22.5620),
            (114.0405, 22.5480),
            (114.0398, 22.5330),
            (114.0390, 22.5000),
        ],
        40.0,
    ),
    (
        "皇岗河",
        &[
            (114.0690, 22.5600),
            (114.0686, 22.5450),
            (114.0680, 22.5300),
            (114.0676, 22.5100),
        ],
        28.0,
    ),
];

/// Places people name to find their way: name, kind, lon, lat, address.
pub(crate) const LANDMARKS: &[(&str, &str, f64, f64, Option<&str>)] = &[
    (
        "市民中心",
        "政务",
        114.0553,
        22.5405,
        Some("福田区福中三路市民中心"),
    ),
    (
        "深圳市民广场",
        "广场",
        114.0553,
        22.5428,
        Some("福田区福中三路"),
    ),
    (
        "深圳会展中心",
        "会展",
        114.0588,
        22.5335,
        Some("福田区福华三路"),
    ),
    (
        "平安金融中心",
        "商务",
        114.0551,
        22.5361,
        Some("福田区益田路5033号"),
    ),
    (
        "深圳图书馆",
        "文化",
        114.0571,
        22.5447,
        Some("福田区福中一路2001号"),
    ),
    (
        "深圳音乐厅",
        "文化",
        114.0549,
        22.5450,
        Some("福田区福中一路2016号"),
    ),
    (
        "深圳少年宫",
        "文化",
        114.0605,
        22.5445,
        Some("福田区福中一路"),
    ),
    (
        "福田站",
        "交通",
        114.0553,
        22.5383,
        Some("福田区深南大道与益田路交汇处"),
    ),
    ("车公庙", "交通", 114.0265, 22.5365, None),
    (
        "福田口岸",
        "口岸",
        114.0665,
        22.5185,
        Some("福田区福田保税区"),
    ),
    ("皇岗口岸", "口岸", 114.0745, 22.5200, Some("福田区皇岗路")),
    (
        "华强北商业街",
        "商业",
        114.0853,
        22.5447,
        Some("福田区华强北路"),
    ),
    ("莲花山顶", "观景", 114.0550, 22.5565, None),
];

/// The Futian central business district (Civic Center), where offices are tallest.
pub(crate) const CBD: (f64, f64) = (114.0553, 22.5405);
/// Huaqiangbei, the electronics market: shops cluster here.
pub(crate) const HUAQIANGBEI: (f64, f64) = (114.0855, 22.5450);

/// Surnames with rough frequencies (per 10,000) for Shenzhen, where Cantonese and
/// Hakka surnames (陈, 黄, 林, 梁) are commoner than in the country at large.
pub(crate) const SURNAMES: &[(&str, u32)] = &[
    ("陈", 720),
    ("李", 680),
    ("王", 560),
    ("张", 520),
    ("刘", 480),
    ("黄", 450),
    ("林", 330),
    ("杨", 300),
    ("吴", 260),
    ("赵", 200),
    ("周", 200),
    ("徐", 160),
    ("孙", 140),
    ("马", 120),
    ("朱", 130),
    ("胡", 130),
    ("郭", 120),
    ("何", 150),
    ("罗", 140),
    ("高", 100),
    ("郑", 140),
    ("梁", 180),
    ("谢", 120),
    ("宋", 70),
    ("唐", 80),
    ("许", 90),
    ("韩", 60),
    ("冯", 70),
    ("邓", 110),
    ("曹", 60),
    ("彭", 70),
    ("曾", 110),
    ("肖", 70),
    ("田", 50),
    ("董", 50),
    ("袁", 50),
    ("潘", 60),
    ("于", 40),
    ("蒋", 50),
    ("蔡", 80),
    ("余", 60),
    ("杜", 40),
    ("叶", 90),
    ("程", 40),
    ("苏", 50),
    ("魏", 40),
    ("吕", 40),
    ("丁", 40),
    ("任", 30),
    ("沈", 30),
    ("姚", 30),
    ("卢", 50),
    ("姜", 30),
    ("崔", 20),
    ("钟", 70),
    ("谭", 50),
    ("陆", 30),
    ("汪", 30),
    ("范", 30),
    ("金", 20),
    ("石", 20),
    ("廖", 60),
    ("贾", 20),
    ("夏", 20),
    ("韦", 30),
    ("付", 20),
    ("方", 30),
    ("白", 20),
    ("邹", 30),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 40),
    ("江", 30),
    ("尹", 20),
    ("薛", 15),
    ("闫", 10),
    ("段", 15),
    ("雷", 15),
    ("侯", 15),
    ("龙", 15),
    ("史", 15),
    ("陶", 15),
    ("黎", 30),
    ("贺", 15),
    ("顾", 10),
    ("毛", 10),
    ("龚", 15),
    ("邵", 10),
    ("万", 10),
    ("严", 10),
    ("温", 30),
    ("赖", 30),
    ("古", 10),
    ("欧阳", 8),
    ("司徒", 3),
    ("麦", 10),
    ("利", 5),
    ("莫", 15),
];

const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "辉", "华", "鹏", "俊", "浩", "宇", "轩",
    "博", "文", "斌", "波", "刚", "峰", "建", "国", "志", "平", "东", "海", "林", "健", "晨", "阳",
    "凯", "睿", "泽", "天", "航", "家", "永", "振", "毅", "兴", "成", "德", "良", "荣", "龙", "鑫",
    "宏", "鸿", "锦", "铭", "嘉", "子", "俊", "楠", "昊", "然", "亮", "坤", "旭", "晖",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "婷", "雪", "慧", "颖", "琳", "欣",
    "怡", "佳", "梦", "雨", "思", "诗", "晓", "嘉", "萍", "红", "燕", "倩", "莉", "洁", "璐", "瑶",
    "悦", "涵", "妍", "蕾", "月", "春", "美", "紫", "馨", "舒", "琪", "晴", "彤", "薇", "茜", "君",
];

/// A person's full name.
pub(crate) fn person_name(rng: &mut impl Rng, male: bool) -> String {
    let pool = if male { GIVEN_MALE } else { GIVEN_FEMALE };
    let mut s = String::with_capacity(12);
    s.push_str(pick_table(rng, SURNAMES));
    s.push_str(pool.choose(rng).expect("non-empty"));
    if rng.gen_bool(0.7) {
        s.push_str(pool.choose(rng).expect("non-empty"));
    }
    s
}

const ESTATE_STEMS: &[&str] = &[
    "碧海", "翠林", "锦绣", "香榭", "金色", "莲花", "景田", "梅林", "华富", "福景", "天健", "万科",
    "中海", "招商", "华润", "鹏基", "金众", "益田", "皇庭", "东海", "竹园", "侨香", "香蜜", "缤纷",
    "阳光", "星河", "卓越", "鸿荣", "振业", "华侨", "红树", "碧云", "翠湾", "新天", "名仕", "海滨",
    "滨江", "南天", "百花", "园岭", "上林", "彩田", "福田", "长城", "城市", "金地", "天安", "嘉葆",
    "熙园", "雅颂", "御景", "丽阳", "蔚蓝", "紫荆", "深业", "香域", "中央", "水榭", "云顶", "泰然",
];
const ESTATE_SUFFIXES: &[&str] = &[
    "花园", "苑", "雅苑", "名苑", "新村", "家园", "豪庭", "山庄", "华庭", "城", "公馆", "轩", "湾",
];

/// A residential estate name (小区), e.g. 碧海花园.
pub(crate) fn estate_name(rng: &mut impl Rng) -> String {
    format!(
        "{}{}",
        ESTATE_STEMS.choose(rng).expect("non-empty"),
        ESTATE_SUFFIXES.choose(rng).expect("non-empty")
    )
}

const BRANDS: &[&str] = &[
    "华润",
    "招商",
    "平安",
    "卓越",
    "中信",
    "嘉里",
    "凤凰",
    "荣超",
    "时代",
    "大中华",
    "新世界",
    "现代",
    "星河",
    "江苏",
    "安徽",
    "广电",
    "联合",
    "深业",
    "财富",
    "能源",
    "太平",
    "诺德",
    "兴业",
    "海航",
    "华强",
    "赛格",
    "都会",
    "中洲",
    "皇庭",
    "免税",
    "投资",
    "国银",
    "岁宝",
    "中电",
    "航天",
    "鹏润",
    "金中环",
    "东方",
    "南方",
    "天利",
    "安联",
    "国际",
    "新华",
    "世纪",
    "福华",
    "益田",
    "华融",
    "中航",
];

/// A building name for a non-residential use.
pub(crate) fn building_name(rng: &mut impl Rng, use_: &str, place: &str) -> String {
    let brand = BRANDS.choose(rng).expect("non-empty");
    let pick = |rng: &mut dyn rand::RngCore, xs: &[&'static str]| -> &'static str {
        xs[rng.gen_range(0..xs.len())]
    };
    match use_ {
        "办公" => format!(
            "{brand}{}",
            pick(
                rng,
                &[
                    "大厦",
                    "中心",
                    "广场",
                    "国际中心",
                    "金融中心",
                    "商务中心",
                    "大楼"
                ]
            )
        ),
        "商业" => format!(
            "{brand}{}",
            pick(rng, &["商场", "广场", "购物中心", "商业城", "市场", "百货"])
        ),
        "酒店" => format!(
            "{brand}{}",
            pick(rng, &["酒店", "大酒店", "宾馆", "公寓酒店"])
        ),
        "教育" => format!(
            "福田区{place}{}",
            pick(rng, &["小学", "中学", "幼儿园", "实验学校", "外国语学校"])
        ),
        "医疗" => format!(
            "{place}{}",
            pick(rng, &["社区健康服务中心", "医院", "门诊部", "中医馆"])
        ),
        "公共服务" => format!(
            "{place}{}",
            pick(
                rng,
                &[
                    "党群服务中心",
                    "派出所",
                    "消防站",
                    "文化中心",
                    "体育馆",
                    "图书馆",
                    "邮政所"
                ]
            )
        ),
        "工业" => format!("{brand}工业区{}栋", rng.gen_range(1..9)),
        _ => format!("{brand}大厦"),
    }
}

/// Industries (国民经济行业门类) with weights and the words company names use for them.
pub(crate) const INDUSTRIES: &[(&str, u32, &[&str])] = &[
    (
        "信息传输、软件和信息技术服务业",
        180,
        &[
            "科技",
            "信息技术",
            "网络科技",
            "软件",
            "数据科技",
            "智能科技",
        ],
    ),
    (
        "批发和零售业",
        200,
        &["贸易", "商贸", "电子", "供应链", "实业", "进出口"],
    ),
    (
        "租赁和商务服务业",
        170,
        &[
            "咨询",
            "管理咨询",
            "企业管理",
            "广告",
            "商务服务",
            "人力资源",
        ],
    ),
    (
        "金融业",
        80,
        &[
            "投资",
            "资产管理",
            "金融服务",
            "基金管理",
            "融资租赁",
            "保险代理",
        ],
    ),
    (
        "房地产业",
        50,
        &["房地产开发", "物业管理", "置业", "房地产经纪"],
    ),
    (
        "科学研究和技术服务业",
        80,
        &["检测技术", "设计", "工程技术", "生物科技", "知识产权代理"],
    ),
    (
        "住宿和餐饮业",
        60,
        &["餐饮管理", "酒店管理", "餐饮", "饮食"],
    ),
    (
        "建筑业",
        40,
        &["建筑工程", "装饰工程", "建设工程", "机电工程"],
    ),
    ("制造业", 30, &["电子科技", "实业", "精密制造", "智能装备"]),
    (
        "文化、体育和娱乐业",
        40,
        &["文化传媒", "文化发展", "影视", "体育发展"],
    ),
    (
        "居民服务、修理和其他服务业",
        30,
        &["家政服务", "美容", "汽车服务", "维修服务"],
    ),
    ("教育", 20, &["教育科技", "培训", "教育咨询"]),
    ("卫生和社会工作", 10, &["医疗科技", "健康管理", "诊所"]),
    (
        "交通运输、仓储和邮政业",
        10,
        &["物流", "运输", "国际货运代理"],
    ),
];

/// Characters company trade names (字号) are made of.
const TRADE_CHARS: &[char] = &[
    '华', '盛', '腾', '信', '达', '创', '博', '瑞', '鑫', '恒', '源', '泰', '丰', '汇', '联', '通',
    '安', '康', '宏', '远', '嘉', '美', '新', '佳', '润', '锦', '天', '海', '中', '合', '力', '智',
    '德', '荣', '金', '银', '宝', '隆', '兴', '昌', '广', '和', '正', '诚', '立', '方', '圆', '星',
    '月', '阳', '光', '明', '云', '峰', '山', '川', '江', '河', '湖', '森', '林', '木', '石', '晶',
    '鹏', '龙', '凤', '麒', '麟', '祥', '福', '喜', '乐', '优', '品', '尚', '易', '快', '捷', '迅',
    '讯', '网', '数', '码', '芯', '微', '纳', '极', '致', '精', '卓', '越', '前', '沃', '南', '北',
    '东', '西', '深', '港', '湾', '岸', '舟', '潮', '鸿', '鹰', '骏', '驰', '航', '宇', '晟', '昊',
    '睿', '哲', '思', '维', '道', '同', '众', '协', '赢', '凯', '旭', '耀', '辉', '煌', '灿', '璨',
    '启', '迪', '拓', '展', '鼎', '坤', '乾', '元', '亨', '利', '贞', '仁', '义', '礼', '敬', '善',
];

/// A unique company trade name: the `i`-th combination of trade characters, two of them
/// while those last, then three, then four.
pub(crate) fn trade_name(i: u64) -> String {
    let n = TRADE_CHARS.len() as u64;
    let (i, len) = if i < n * n {
        (i, 2)
    } else if i < n * n + n * n * n {
        (i - n * n, 3)
    } else {
        (i - n * n - n * n * n, 4)
    };
    // Scatter the combinations (7919 is prime and shares no factor with 144^k), so that
    // neighbours in the sequence do not share their characters.
    let space = n.pow(len as u32);
    let mut rest = ((i % space) as u128 * 7919 + 4049) as u64 % space;
    let mut s = String::with_capacity(len * 3);
    for _ in 0..len {
        s.push(TRADE_CHARS[(rest % n) as usize]);
        rest /= n;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// How many distinct trade names `trade_name` gives before repeating.
    fn trade_name_capacity() -> u64 {
        let n = TRADE_CHARS.len() as u64;
        n * n + n * n * n + n * n * n * n
    }

    #[test]
    fn trade_names_are_unique_across_lengths() {
        let n = TRADE_CHARS.len() as u64;
        let names: BTreeSet<String> = (0..n * n + 2000).map(trade_name).collect();
        assert_eq!(names.len() as u64, n * n + 2000);
        assert!(trade_name_capacity() > 10_000_000);
    }

    #[test]
    fn trade_characters_do_not_repeat() {
        let set: BTreeSet<char> = TRADE_CHARS.iter().copied().collect();
        assert_eq!(set.len(), TRADE_CHARS.len());
    }

    #[test]
    fn community_pools_have_no_repeats() {
        let mut seen = BTreeSet::new();
        for name in COMMUNITY_POOLS
            .iter()
            .flat_map(|p| p.iter())
            .chain(SPARE_COMMUNITIES)
        {
            assert!(seen.insert(*name), "{name} repeats");
        }
        assert!(seen.len() >= 92 + 20);
    }
}
