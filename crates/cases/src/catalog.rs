//! What citizens can ask for: request types (Open311 "services"), grouped by department
//! family (the first level of the shared taxonomy, 城乡建设 … 商贸旅游).
//!
//! A request is filed under a service when its channel knows one (an Open311 client, the
//! H5 form, a sensor rule); otherwise the classifier names the family from the text and
//! the ticket carries the family's general service (`xx00`). The responsibility matrix
//! routes by service first, then by family.

use serde::Serialize;

/// A department family: what the classifier predicts and the matrix falls back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Family {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

pub static FAMILIES: [Family; 10] = [
    Family {
        code: "00",
        name_zh: "未分类",
        name_en: "Not yet classified",
    },
    Family {
        code: "01",
        name_zh: "城乡建设",
        name_en: "Urban construction and management",
    },
    Family {
        code: "02",
        name_zh: "交通运输",
        name_en: "Transport",
    },
    Family {
        code: "03",
        name_zh: "环境保护",
        name_en: "Environment",
    },
    Family {
        code: "04",
        name_zh: "劳动和社会保障",
        name_en: "Labour and social security",
    },
    Family {
        code: "05",
        name_zh: "教育文体",
        name_en: "Education, culture and sport",
    },
    Family {
        code: "06",
        name_zh: "卫生计生",
        name_en: "Health",
    },
    Family {
        code: "07",
        name_zh: "商贸旅游",
        name_en: "Commerce and consumers",
    },
    Family {
        code: "08",
        name_zh: "民政",
        name_en: "Civil affairs",
    },
    Family {
        code: "09",
        name_zh: "政法",
        name_en: "Public security and disputes",
    },
];

pub fn family(code: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.code == code)
}

/// The family of requests nobody has classified yet: no rule routes it, so its tickets
/// wait for an operator.
pub fn unclassified() -> &'static Service {
    service("0000").expect("the unclassified service exists")
}

/// The family the classifier calls `name` (the shared data's first-level categories).
pub fn family_named(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name_zh == name)
}

/// How urgent a request is: urgent tickets must close within 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Urgent,
    Normal,
}

impl Urgency {
    pub const fn as_str(self) -> &'static str {
        match self {
            Urgency::Urgent => "urgent",
            Urgency::Normal => "normal",
        }
    }

    pub fn parse(s: &str) -> Option<Urgency> {
        match s {
            "urgent" => Some(Urgency::Urgent),
            "normal" => Some(Urgency::Normal),
            _ => None,
        }
    }
}

/// A question a service asks beyond the description (an Open311 attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub code: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// The values a citizen picks from; empty for free text.
    pub values: &'static [(&'static str, &'static str)],
}

/// A request type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Service {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub description: &'static str,
    /// Whether a handler must be on site (the 30-minute timer runs).
    pub needs_site: bool,
    pub urgency: Urgency,
    pub attributes: &'static [Attribute],
}

impl Service {
    pub fn family(&self) -> &'static Family {
        family(&self.code[..2]).expect("every service code starts with its family's")
    }
}

const HOW_MANY: Attribute = Attribute {
    code: "how_many",
    description: "涉及数量 How many",
    required: false,
    values: &[("one", "一处 one"), ("several", "多处 several")],
};

const WHEN: Attribute = Attribute {
    code: "when",
    description: "发生时段 When it happens",
    required: true,
    values: &[
        ("day", "白天 daytime"),
        ("night", "夜间 (22:00–7:00) at night"),
        ("always", "全天 all day"),
    ],
};

const SPOT: Attribute = Attribute {
    code: "spot",
    description: "具体位置补充 Where exactly (floor, landmark)",
    required: false,
    values: &[],
};

macro_rules! service {
    ($code:literal, $zh:literal, $en:literal, $desc:literal, $site:literal, $urgency:ident, [$($attr:expr),*]) => {
        Service {
            code: $code,
            name_zh: $zh,
            name_en: $en,
            description: $desc,
            needs_site: $site,
            urgency: Urgency::$urgency,
            attributes: &[$($attr),*],
        }
    };
}

/// Every service, by code. `xx00` is a family's general service, for requests the
/// classifier files by family.
pub static SERVICES: &[Service] = &[
    service!(
        "0000",
        "待分类",
        "Not yet classified",
        "尚未确定类别，等待人工分拨",
        false,
        Normal,
        []
    ),
    service!(
        "0100",
        "城乡建设（其他）",
        "Urban management (other)",
        "城市建设和管理的其他问题",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0101",
        "路灯故障",
        "Street light out",
        "路灯不亮、常亮或灯杆损坏",
        true,
        Normal,
        [HOW_MANY, SPOT]
    ),
    service!(
        "0102",
        "道路破损",
        "Damaged road or pavement",
        "路面坑洼、人行道板松动破损",
        true,
        Normal,
        [HOW_MANY, SPOT]
    ),
    service!(
        "0103",
        "井盖缺失或破损",
        "Missing or broken manhole cover",
        "井盖缺失、破损、倾斜或异响",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0104",
        "占道经营",
        "Street vending on the pavement",
        "占用道路、人行道摆卖经营",
        true,
        Normal,
        [WHEN, SPOT]
    ),
    service!(
        "0105",
        "违法建设",
        "Illegal construction",
        "违法搭建、加建、改建",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0106",
        "施工噪声",
        "Construction noise",
        "建筑工地噪声扰民、夜间施工",
        true,
        Normal,
        [WHEN, SPOT]
    ),
    service!(
        "0107",
        "垃圾清运",
        "Rubbish not collected",
        "垃圾未清运、垃圾桶满溢、乱倒垃圾",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0108",
        "绿化养护",
        "Trees and green spaces",
        "树木倒伏、绿化带破坏、枝叶遮挡",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0109",
        "积水内涝",
        "Flooding and waterlogging",
        "道路积水、排水不畅、雨水倒灌",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0110",
        "供水问题",
        "Water supply",
        "停水、水压低、水质异常、管道漏水",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0111",
        "小区物业",
        "Residential property management",
        "物业服务、收费、公共设施维护",
        false,
        Normal,
        [SPOT]
    ),
    service!(
        "0112",
        "安全隐患",
        "Safety hazard",
        "房屋、设施、工地等安全隐患",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0113",
        "电梯故障",
        "Lift out of order or unsafe",
        "电梯停运、困人、异响",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0200",
        "交通运输（其他）",
        "Transport (other)",
        "交通出行的其他问题",
        false,
        Normal,
        [SPOT]
    ),
    service!(
        "0201",
        "违章停车",
        "Illegal parking",
        "占用消防通道、人行道、车道停车",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0202",
        "交通信号灯",
        "Traffic lights",
        "信号灯故障、配时不合理",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0203",
        "公交服务",
        "Bus service",
        "公交线路、班次、站点、司机服务",
        false,
        Normal,
        []
    ),
    service!(
        "0204",
        "共享单车乱停放",
        "Shared bikes parked badly",
        "共享单车堆积、阻塞通道",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0300",
        "环境保护（其他）",
        "Environment (other)",
        "生态环境的其他问题",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0301",
        "油烟污染",
        "Cooking fumes",
        "餐饮油烟扰民",
        true,
        Normal,
        [WHEN, SPOT]
    ),
    service!(
        "0302",
        "社会生活噪声",
        "Noise from businesses and neighbours",
        "商铺、娱乐场所、广场舞等噪声",
        true,
        Normal,
        [WHEN, SPOT]
    ),
    service!(
        "0303",
        "河道水体污染",
        "River pollution",
        "河道发黑发臭、漂浮物、排污口",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0304",
        "扬尘废气",
        "Dust and exhaust",
        "工地扬尘、废气排放",
        true,
        Normal,
        [WHEN, SPOT]
    ),
    service!(
        "0400",
        "劳动和社会保障（其他）",
        "Labour and social security (other)",
        "劳动就业、社会保障的其他问题",
        false,
        Normal,
        []
    ),
    service!(
        "0401",
        "拖欠工资",
        "Unpaid wages",
        "用人单位拖欠、克扣工资",
        false,
        Normal,
        []
    ),
    service!(
        "0402",
        "社保缴纳",
        "Social insurance contributions",
        "社保未缴、断缴、转移",
        false,
        Normal,
        []
    ),
    service!(
        "0403",
        "劳动合同",
        "Employment contracts",
        "未签合同、违法解除",
        false,
        Normal,
        []
    ),
    service!(
        "0500",
        "教育文体（其他）",
        "Education, culture and sport (other)",
        "教育、文化、体育的其他问题",
        false,
        Normal,
        []
    ),
    service!(
        "0501",
        "学位申请",
        "School places",
        "入学、学位申请与分配",
        false,
        Normal,
        []
    ),
    service!(
        "0502",
        "校外培训",
        "Private tutoring",
        "校外培训机构收费与资质",
        false,
        Normal,
        []
    ),
    service!(
        "0503",
        "文体设施",
        "Sport and culture facilities",
        "体育场馆、图书馆等设施开放与维护",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0600",
        "卫生计生（其他）",
        "Health (other)",
        "医疗卫生的其他问题",
        false,
        Normal,
        []
    ),
    service!(
        "0601",
        "医疗服务",
        "Medical services",
        "医院、社康中心服务与收费",
        false,
        Normal,
        []
    ),
    service!(
        "0602",
        "公共卫生",
        "Public health",
        "病媒生物、传染病防控、卫生环境",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0700",
        "商贸旅游（其他）",
        "Commerce (other)",
        "商贸流通、旅游的其他问题",
        false,
        Normal,
        []
    ),
    service!(
        "0701",
        "消费投诉",
        "Consumer complaint",
        "商品质量、服务纠纷、预付卡",
        false,
        Normal,
        []
    ),
    service!(
        "0702",
        "食品安全",
        "Food safety",
        "食品卫生、无证经营餐饮",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0703",
        "价格违法",
        "Unlawful pricing",
        "乱收费、价格欺诈、明码标价",
        false,
        Normal,
        []
    ),
    service!(
        "0800",
        "民政（其他）",
        "Civil affairs (other)",
        "民政事务的其他问题",
        false,
        Normal,
        []
    ),
    service!(
        "0801",
        "养老服务",
        "Care for the elderly",
        "长者服务、养老机构、独居老人关爱",
        true,
        Normal,
        []
    ),
    service!(
        "0802",
        "社会救助",
        "Social assistance",
        "低保、临时救助、困难帮扶",
        false,
        Normal,
        []
    ),
    service!(
        "0900",
        "政法（其他）",
        "Public security (other)",
        "治安、纠纷的其他问题",
        true,
        Normal,
        [SPOT]
    ),
    service!(
        "0901",
        "治安问题",
        "Public order",
        "可疑人员、聚众、治安隐患",
        true,
        Urgent,
        [SPOT]
    ),
    service!(
        "0902",
        "邻里纠纷",
        "Neighbour disputes",
        "邻里、物业、租赁矛盾纠纷调解",
        true,
        Normal,
        []
    ),
];

pub fn service(code: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.code == code)
}

/// A family's general service (`xx00`), which a classified ticket carries.
pub fn general_service(family: &Family) -> &'static Service {
    service(&format!("{}00", family.code)).expect("every family has a general service")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_belongs_to_a_family_that_has_a_general_service() {
        let mut codes: Vec<&str> = SERVICES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), SERVICES.len(), "service codes are unique");
        for s in SERVICES {
            assert_eq!(s.code.len(), 4, "{}", s.code);
            let f = s.family();
            assert_eq!(general_service(f).family(), f);
        }
        for f in &FAMILIES {
            assert_eq!(family_named(f.name_zh), Some(f));
        }
        assert_eq!(service("0103").unwrap().urgency, Urgency::Urgent);
        assert!(service("9999").is_none());
    }
}
