//! The catalogues the twin is described in: city-component categories after CJ/T 214
//! (城市市政综合监管信息系统 管理部件和事件分类、编码及数据要求), extended with the kinds a
//! modern district also manages (chargers, lifts, smart lockers); pipe networks; IoT
//! device types; building uses; and Futian's ten sub-districts.

/// Where a component of a category is usually found; the generator uses it to place them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Along a road, at the kerb.
    Roadside,
    /// At a road intersection.
    Intersection,
    /// Beside a building (entrance, forecourt).
    NearBuilding,
    /// Inside a building (lifts, fire equipment).
    InBuilding,
    /// Anywhere in a block (parks, open space).
    Open,
}

/// One component category: its CJ/T 214-style four-digit code, names, where it stands,
/// and its relative frequency in a Chinese urban district.
#[derive(Debug, Clone, Copy)]
pub struct ComponentCategory {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub placement: Placement,
    pub weight: u32,
}

impl ComponentCategory {
    /// The first-level class (大类), from the first two digits of the code.
    pub fn class_zh(&self) -> &'static str {
        match &self.code[..2] {
            "01" => "公用设施",
            "02" => "道路交通",
            "03" => "市容环境",
            "04" => "园林绿化",
            "05" => "房屋土地",
            "06" => "其他设施",
            _ => "扩展部件",
        }
    }
}

macro_rules! categories {
    ($($code:literal $zh:literal $en:literal $place:ident $w:literal;)*) => {
        /// Every component category; codes are unique.
        pub static COMPONENT_CATEGORIES: &[ComponentCategory] = &[
            $(ComponentCategory { code: $code, name_zh: $zh, name_en: $en, placement: Placement::$place, weight: $w },)*
        ];
    };
}

categories! {
    "0101" "上水井盖" "Water supply manhole cover" Roadside 260;
    "0102" "污水井盖" "Sewage manhole cover" Roadside 240;
    "0103" "雨水井盖" "Storm drain manhole cover" Roadside 300;
    "0104" "雨水箅子" "Storm drain grate" Roadside 420;
    "0105" "电力井盖" "Power manhole cover" Roadside 180;
    "0106" "路灯井盖" "Street light manhole cover" Roadside 120;
    "0107" "通信井盖" "Telecom manhole cover" Roadside 200;
    "0108" "电视井盖" "Cable TV manhole cover" Roadside 40;
    "0109" "网络井盖" "Network manhole cover" Roadside 60;
    "0110" "热力井盖" "Heating manhole cover" Roadside 5;
    "0111" "燃气井盖" "Gas manhole cover" Roadside 110;
    "0112" "公安井盖" "Police network manhole cover" Roadside 25;
    "0113" "无主井盖" "Unowned manhole cover" Roadside 10;
    "0114" "特殊井盖" "Special manhole cover" Roadside 8;
    "0115" "消防栓" "Fire hydrant" Roadside 160;
    "0116" "输电塔" "Transmission tower" Open 3;
    "0117" "通信交接箱" "Telecom cross-connect cabinet" Roadside 45;
    "0118" "电力设施" "Power facility" Roadside 40;
    "0119" "变压器" "Transformer" NearBuilding 35;
    "0120" "路灯" "Street light" Roadside 900;
    "0121" "地灯" "In-ground light" Open 60;
    "0122" "景观灯" "Landscape light" Open 120;
    "0123" "报刊亭" "News kiosk" Roadside 8;
    "0124" "邮筒" "Post box" Roadside 10;
    "0125" "公用电话亭" "Public telephone" Roadside 6;
    "0126" "治安监控杆" "Security camera pole" Intersection 80;
    "0127" "高压线铁塔" "High-voltage pylon" Open 2;
    "0128" "电杆" "Utility pole" Roadside 30;
    "0129" "燃气调压箱" "Gas pressure regulator" NearBuilding 25;
    "0130" "水表井" "Water meter pit" NearBuilding 90;
    "0131" "电表箱" "Electricity meter box" NearBuilding 90;
    "0132" "5G基站" "5G base station" Roadside 40;
    "0133" "配电箱" "Distribution cabinet" Roadside 50;
    "0134" "泵站" "Pumping station" Open 2;
    "0201" "停车场" "Car park" Open 20;
    "0202" "公交站亭" "Bus shelter" Roadside 30;
    "0203" "出租车站牌" "Taxi stand sign" Roadside 6;
    "0204" "加油站" "Fuel station" Roadside 2;
    "0205" "道路信息显示屏" "Road information display" Intersection 8;
    "0206" "交通标志牌" "Traffic sign" Roadside 400;
    "0207" "交通信号灯" "Traffic light" Intersection 160;
    "0208" "交通岗亭" "Traffic police booth" Intersection 5;
    "0209" "过街天桥" "Pedestrian bridge" Roadside 4;
    "0210" "地下通道" "Underpass" Intersection 3;
    "0211" "高架立交桥" "Flyover" Intersection 1;
    "0212" "跨河桥" "River bridge" Roadside 1;
    "0213" "存车支架" "Bicycle rack" NearBuilding 60;
    "0214" "隔离带" "Road divider" Roadside 120;
    "0215" "电子停车收费器" "Parking meter" Roadside 30;
    "0216" "路名牌" "Street name sign" Intersection 90;
    "0217" "交通护栏" "Traffic railing" Roadside 260;
    "0218" "共享单车停放点" "Shared bicycle bay" Roadside 70;
    "0219" "道路减速带" "Speed bump" Roadside 40;
    "0220" "交通监控杆" "Traffic camera pole" Intersection 40;
    "0221" "人行道护栏" "Pedestrian railing" Roadside 120;
    "0222" "地铁出入口" "Metro entrance" Roadside 5;
    "0223" "公交站牌" "Bus stop sign" Roadside 30;
    "0224" "路侧停车位" "Kerbside parking bay" Roadside 80;
    "0225" "充电桩" "EV charger" NearBuilding 120;
    "0226" "道路反光镜" "Road mirror" Roadside 10;
    "0227" "防撞桶" "Crash barrel" Intersection 15;
    "0228" "路桩" "Bollard" Roadside 200;
    "0301" "公共厕所" "Public toilet" Open 12;
    "0302" "垃圾房" "Refuse room" NearBuilding 30;
    "0303" "垃圾桶" "Litter bin" Roadside 500;
    "0304" "灯箱霓虹灯" "Neon sign" NearBuilding 40;
    "0305" "广告牌匾" "Shop sign" NearBuilding 150;
    "0306" "门前三包牌" "Frontage responsibility sign" NearBuilding 40;
    "0307" "垃圾转运站" "Refuse transfer station" Open 3;
    "0308" "户外广告屏" "Outdoor advertising screen" Roadside 12;
    "0309" "分类垃圾投放点" "Sorted waste collection point" NearBuilding 80;
    "0310" "环卫工具房" "Sanitation tool shed" Open 6;
    "0311" "废物箱" "Waste container" Roadside 120;
    "0312" "公共饮水点" "Drinking fountain" Open 8;
    "0401" "古树名木" "Heritage tree" Open 3;
    "0402" "行道树" "Street tree" Roadside 1600;
    "0403" "护树设施" "Tree guard" Roadside 250;
    "0404" "花架花钵" "Planter" Roadside 90;
    "0405" "绿地" "Green space" Open 40;
    "0406" "雕塑" "Sculpture" Open 6;
    "0407" "街头座椅" "Street bench" Roadside 90;
    "0408" "城市景观" "Landscape feature" Open 15;
    "0409" "喷泉" "Fountain" Open 3;
    "0410" "绿化带" "Planted strip" Roadside 140;
    "0411" "公园指示牌" "Park signboard" Open 20;
    "0412" "灌溉阀门" "Irrigation valve" Open 40;
    "0501" "宣传栏" "Notice board" NearBuilding 40;
    "0502" "人防工事" "Civil air defence work" Open 4;
    "0503" "地下室出入口" "Basement entrance" NearBuilding 30;
    "0504" "房屋门牌" "House number plate" NearBuilding 60;
    "0505" "楼栋牌" "Building number sign" NearBuilding 60;
    "0506" "小区出入口" "Estate gate" NearBuilding 30;
    "0601" "重大危险源" "Major hazard installation" Open 1;
    "0602" "工地" "Construction site" Open 4;
    "0603" "水域护栏" "Waterside railing" Open 10;
    "0604" "健身设施" "Fitness equipment" Open 40;
    "0605" "儿童游乐设施" "Playground equipment" Open 20;
    "0606" "应急避难场所" "Emergency shelter" Open 2;
    "0607" "气象监测站" "Weather station" Open 1;
    "0608" "水质监测点" "Water quality station" Open 2;
    "0609" "噪声监测点" "Noise monitoring station" Roadside 4;
    "0610" "智能快递柜" "Parcel locker" NearBuilding 60;
    "0611" "自动售货机" "Vending machine" NearBuilding 30;
    "0612" "便民服务亭" "Community service kiosk" Roadside 6;
    "0613" "无障碍设施" "Accessibility ramp" NearBuilding 60;
    "0701" "电梯" "Lift" InBuilding 600;
    "0702" "消防设施箱" "Fire equipment cabinet" InBuilding 300;
    "0703" "灭火器箱" "Fire extinguisher box" InBuilding 250;
    "0704" "自动扶梯" "Escalator" InBuilding 20;
    "0705" "楼道应急灯" "Stairwell emergency light" InBuilding 200;
    "0706" "二次供水设施" "Secondary water supply tank" InBuilding 30;
}

/// Looks a category up by its code.
pub fn component_category(code: &str) -> Option<&'static ComponentCategory> {
    COMPONENT_CATEGORIES.iter().find(|c| c.code == code)
}

/// A pipe network with its share of the district's pipe length and its usual diameters and materials.
#[derive(Debug, Clone, Copy)]
pub struct PipeNetwork {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// Share of total pipe length, in per mille.
    pub share_permille: u32,
    pub diameters_mm: &'static [i64],
    pub materials: &'static [&'static str],
    pub owner_unit: &'static str,
}

pub static PIPE_NETWORKS: &[PipeNetwork] = &[
    PipeNetwork {
        name_zh: "给水",
        name_en: "Water supply",
        share_permille: 200,
        diameters_mm: &[100, 150, 200, 300, 400, 600],
        materials: &["球墨铸铁", "钢", "PE"],
        owner_unit: "深圳市水务集团",
    },
    PipeNetwork {
        name_zh: "排水",
        name_en: "Storm drainage",
        share_permille: 190,
        diameters_mm: &[300, 400, 600, 800, 1000, 1200],
        materials: &["钢筋混凝土", "HDPE"],
        owner_unit: "福田区水务局",
    },
    PipeNetwork {
        name_zh: "污水",
        name_en: "Sewage",
        share_permille: 160,
        diameters_mm: &[300, 400, 500, 600, 800],
        materials: &["钢筋混凝土", "HDPE", "球墨铸铁"],
        owner_unit: "深圳市水务集团",
    },
    PipeNetwork {
        name_zh: "燃气",
        name_en: "Gas",
        share_permille: 120,
        diameters_mm: &[50, 100, 150, 200, 300],
        materials: &["PE", "钢"],
        owner_unit: "深圳燃气",
    },
    PipeNetwork {
        name_zh: "电力",
        name_en: "Power",
        share_permille: 170,
        diameters_mm: &[100, 150, 200],
        materials: &["铜", "铝"],
        owner_unit: "深圳供电局",
    },
    PipeNetwork {
        name_zh: "通信",
        name_en: "Telecom",
        share_permille: 160,
        diameters_mm: &[50, 100, 110],
        materials: &["光缆", "PVC"],
        owner_unit: "通信管道公司",
    },
];

/// IoT device types of the sensing network (智网), with relative frequency.
pub static DEVICE_TYPES: &[(&str, u32)] = &[
    ("烟感探测器", 300),
    ("可燃气体探测器", 120),
    ("智能电表", 150),
    ("智能水表", 150),
    ("井盖位移传感器", 60),
    ("水位监测仪", 20),
    ("空气质量监测仪", 10),
    ("噪声监测仪", 10),
    ("电气火灾监测器", 60),
    ("消防水压监测", 40),
    ("门磁传感器", 60),
    ("电梯运行监测", 40),
    ("环境温湿度传感器", 30),
    ("智能路灯控制器", 60),
    ("垃圾满溢传感器", 20),
    ("边坡位移监测", 2),
    ("桥梁结构监测", 2),
    ("地磁车位检测器", 50),
    ("人员密度感知器", 8),
    ("高空抛物监测", 10),
];

pub static DEVICE_VENDORS: &[&str] = &[
    "海康威视",
    "大华",
    "华为",
    "中兴",
    "宇视",
    "泰和安",
    "汉威",
    "新天科技",
    "拓邦",
    "移远通信",
];

/// Building uses, with relative frequency.
pub static BUILDING_USES: &[(&str, u32)] = &[
    ("住宅", 50),
    ("商业", 12),
    ("办公", 14),
    ("商住混合", 8),
    ("工业", 3),
    ("教育", 4),
    ("医疗", 2),
    ("公共服务", 5),
    ("酒店", 2),
];

/// Futian's ten sub-districts (街道), in the order their codes are numbered.
pub static FUTIAN_STREETS: [&str; 10] = [
    "园岭",
    "南园",
    "福田",
    "沙头",
    "梅林",
    "华富",
    "香蜜湖",
    "莲花",
    "华强北",
    "福保",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn more_than_a_hundred_unique_categories() {
        assert!(
            COMPONENT_CATEGORIES.len() >= 100,
            "{}",
            COMPONENT_CATEGORIES.len()
        );
        let codes: HashSet<_> = COMPONENT_CATEGORIES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), COMPONENT_CATEGORIES.len());
        assert_eq!(component_category("0120").unwrap().name_zh, "路灯");
        assert_eq!(component_category("0115").unwrap().class_zh(), "公用设施");
    }

    #[test]
    fn pipe_shares_add_up() {
        assert_eq!(
            PIPE_NETWORKS.iter().map(|n| n.share_permille).sum::<u32>(),
            1000
        );
    }
}
