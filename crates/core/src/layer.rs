use std::{fmt, str::FromStr};

use crate::{
    DataGrade, GeomKind, GridLevel, LayerSchema, PropType as T, PropertyDef as P, ValueError,
};

/// The twin's spatial layers. Each is one OGC API collection, one storage table and
/// one spatial index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LayerId {
    District,
    Streets,
    Communities,
    Grids,
    Buildings,
    Components,
    Pipes,
    Cameras,
    Devices,
    Roads,
    Water,
    Parks,
    Landmarks,
}

impl LayerId {
    pub const ALL: [LayerId; 13] = [
        LayerId::District,
        LayerId::Streets,
        LayerId::Communities,
        LayerId::Grids,
        LayerId::Buildings,
        LayerId::Components,
        LayerId::Pipes,
        LayerId::Cameras,
        LayerId::Devices,
        LayerId::Roads,
        LayerId::Water,
        LayerId::Parks,
        LayerId::Landmarks,
    ];

    /// The collection id, which is also the storage table name.
    pub const fn as_str(self) -> &'static str {
        match self {
            LayerId::District => "district",
            LayerId::Streets => "streets",
            LayerId::Communities => "communities",
            LayerId::Grids => "grids",
            LayerId::Buildings => "buildings",
            LayerId::Components => "components",
            LayerId::Pipes => "pipes",
            LayerId::Cameras => "cameras",
            LayerId::Devices => "devices",
            LayerId::Roads => "roads",
            LayerId::Water => "water",
            LayerId::Parks => "parks",
            LayerId::Landmarks => "landmarks",
        }
    }

    /// The grid level a layer of administrative units describes, if it is one.
    pub const fn grid_level(self) -> Option<GridLevel> {
        match self {
            LayerId::District => Some(GridLevel::District),
            LayerId::Streets => Some(GridLevel::Street),
            LayerId::Communities => Some(GridLevel::Community),
            LayerId::Grids => Some(GridLevel::Grid),
            _ => None,
        }
    }

    pub fn for_level(level: GridLevel) -> LayerId {
        match level {
            GridLevel::District => LayerId::District,
            GridLevel::Street => LayerId::Streets,
            GridLevel::Community => LayerId::Communities,
            GridLevel::Grid => LayerId::Grids,
        }
    }

    pub fn schema(self) -> &'static LayerSchema {
        match self {
            LayerId::District => &DISTRICT,
            LayerId::Streets => &STREETS,
            LayerId::Communities => &COMMUNITIES,
            LayerId::Grids => &GRIDS,
            LayerId::Buildings => &BUILDINGS,
            LayerId::Components => &COMPONENTS,
            LayerId::Pipes => &PIPES,
            LayerId::Cameras => &CAMERAS,
            LayerId::Devices => &DEVICES,
            LayerId::Roads => &ROADS,
            LayerId::Water => &WATER,
            LayerId::Parks => &PARKS,
            LayerId::Landmarks => &LANDMARKS,
        }
    }
}

impl FromStr for LayerId {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LayerId::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| ValueError::Invalid {
                what: "layer",
                reason: format!(
                    "`{s}` is not one of {}",
                    LayerId::ALL.map(|l| l.as_str()).join(", ")
                ),
            })
    }
}

impl fmt::Display for LayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The grid code of the unit a feature lies in; every non-administrative layer has it,
/// set by `locate` when the feature is written.
const GRID_CODE: P = P::new("grid_code", "所属网格", T::Text).queryable();

const UNIT_PROPS: &[P] = &[
    P::new("code", "编码", T::Text).required().queryable(),
    P::new("name", "名称", T::Text).required().queryable(),
    P::new("parent_code", "上级编码", T::Text).queryable(),
    P::new("area_km2", "面积(平方公里)", T::Float),
];

static DISTRICT: LayerSchema = LayerSchema {
    id: LayerId::District,
    title_zh: "区",
    title_en: "District",
    description: "The district outline (福田区), converted from GCJ-02 to WGS84.",
    geometry: GeomKind::Areal,
    properties: UNIT_PROPS,
    temporal: None,
};

static STREETS: LayerSchema = LayerSchema {
    id: LayerId::Streets,
    title_zh: "街道",
    title_en: "Sub-districts (streets)",
    description: "The 10 sub-district (街道) units of the district.",
    geometry: GeomKind::Areal,
    properties: UNIT_PROPS,
    temporal: None,
};

static COMMUNITIES: LayerSchema = LayerSchema {
    id: LayerId::Communities,
    title_zh: "社区",
    title_en: "Communities",
    description: "Community (社区) units; each lies in one street.",
    geometry: GeomKind::Areal,
    properties: UNIT_PROPS,
    temporal: None,
};

static GRIDS: LayerSchema = LayerSchema {
    id: LayerId::Grids,
    title_zh: "网格",
    title_en: "Grids",
    description:
        "Basic management grids (网格), the finest unit of governance; each lies in one community.",
    geometry: GeomKind::Areal,
    properties: UNIT_PROPS,
    temporal: None,
};

static BUILDINGS: LayerSchema = LayerSchema {
    id: LayerId::Buildings,
    title_zh: "建筑",
    title_en: "Buildings",
    description: "Building footprints with height, floors, use and address.",
    geometry: GeomKind::Polygon,
    properties: &[
        P::new("name", "名称", T::Text).queryable(),
        P::new("address", "地址", T::Text).queryable(),
        P::new("use", "用途", T::Text).required().queryable(),
        P::new("height_m", "高度(米)", T::Float).required(),
        P::new("floors", "层数", T::Int).required().queryable(),
        P::new("completed", "竣工日期", T::Date),
        GRID_CODE,
    ],
    temporal: Some("completed"),
};

static COMPONENTS: LayerSchema = LayerSchema {
    id: LayerId::Components,
    title_zh: "城市部件",
    title_en: "City components",
    description: "City components (城市部件) after the CJ/T 214 catalogue: manhole covers, street lights, hydrants, bins, trees, signs, chargers, lifts and more.",
    geometry: GeomKind::Point,
    properties: &[
        P::new("category", "部件小类代码", T::Text).required().queryable(),
        P::new("category_name", "部件名称", T::Text).queryable(),
        P::new("class_name", "部件大类", T::Text).queryable(),
        P::new("owner_unit", "权属单位", T::Text).queryable(),
        P::new("status", "状态", T::Text).queryable(),
        P::new("installed", "设置日期", T::Date),
        GRID_CODE,
    ],
    temporal: Some("installed"),
};

static PIPES: LayerSchema = LayerSchema {
    id: LayerId::Pipes,
    title_zh: "地下管线",
    title_en: "Pipes",
    description: "Underground pipe segments by network (给水, 排水, 污水, 燃气, 电力, 通信).",
    geometry: GeomKind::LineString,
    properties: &[
        P::new("network", "管网类别", T::Text)
            .required()
            .queryable(),
        P::new("diameter_mm", "管径(毫米)", T::Int).queryable(),
        P::new("material", "材质", T::Text).queryable(),
        P::new("length_m", "长度(米)", T::Float),
        P::new("depth_m", "埋深(米)", T::Float),
        P::new("laid", "敷设日期", T::Date),
        P::new("owner_unit", "权属单位", T::Text).queryable(),
        GRID_CODE,
    ],
    temporal: Some("laid"),
};

static CAMERAS: LayerSchema = LayerSchema {
    id: LayerId::Cameras,
    title_zh: "视频监控",
    title_en: "Cameras",
    description: "Video cameras with their GB/T 28181 20-digit device ids.",
    geometry: GeomKind::Point,
    properties: &[
        P::new("gb_id", "国标编码", T::Text).required().queryable(),
        P::new("name", "名称", T::Text),
        P::new("kind", "类型", T::Text).queryable(),
        P::new("resolution", "分辨率", T::Text),
        P::new("status", "状态", T::Text).queryable(),
        P::new("installed", "安装日期", T::Date),
        GRID_CODE,
    ],
    temporal: Some("installed"),
};

static DEVICES: LayerSchema = LayerSchema {
    id: LayerId::Devices,
    title_zh: "物联感知设备",
    title_en: "IoT devices",
    description: "IoT sensing devices (智网): type, vendor, model, install date and status.",
    geometry: GeomKind::Point,
    properties: &[
        P::new("device_type", "设备类型", T::Text)
            .required()
            .queryable(),
        P::new("vendor", "厂商", T::Text).queryable(),
        P::new("model", "型号", T::Text),
        P::new("serial", "序列号", T::Text)
            .queryable()
            .grade(DataGrade::General(2)),
        P::new("status", "状态", T::Text).queryable(),
        P::new("installed", "安装日期", T::Date),
        GRID_CODE,
    ],
    temporal: Some("installed"),
};

// The basemap: what a reader orients by. Roads, water and parks are drawn under the
// district's own layers; landmarks are what people search for by name (市民中心).

static ROADS: LayerSchema = LayerSchema {
    id: LayerId::Roads,
    title_zh: "道路",
    title_en: "Roads",
    description:
        "Road centrelines with their names, class (主干道 arterial, 支路 local) and width.",
    geometry: GeomKind::LineString,
    properties: &[
        P::new("name", "道路名称", T::Text).queryable(),
        P::new("class", "道路等级", T::Text).required().queryable(),
        P::new("width_m", "路幅宽度(米)", T::Float),
        GRID_CODE,
    ],
    temporal: None,
};

static WATER: LayerSchema = LayerSchema {
    id: LayerId::Water,
    title_zh: "水系",
    title_en: "Water",
    description:
        "Rivers (深圳河, 福田河, 新洲河, 皇岗河), lakes, reservoirs and the bay shore, as areas.",
    geometry: GeomKind::Areal,
    properties: &[
        P::new("name", "名称", T::Text).required().queryable(),
        P::new("kind", "类型", T::Text).required().queryable(),
        GRID_CODE,
    ],
    temporal: None,
};

static PARKS: LayerSchema = LayerSchema {
    id: LayerId::Parks,
    title_zh: "公园绿地",
    title_en: "Parks",
    description: "Parks, hills and green space (莲花山公园, 笔架山公园, 中心公园 …).",
    geometry: GeomKind::Areal,
    properties: &[
        P::new("name", "名称", T::Text).required().queryable(),
        P::new("kind", "类型", T::Text).queryable(),
        GRID_CODE,
    ],
    temporal: None,
};

static LANDMARKS: LayerSchema = LayerSchema {
    id: LayerId::Landmarks,
    title_zh: "地标",
    title_en: "Landmarks",
    description: "Places people name to find their way: civic buildings, stations, ports, venues.",
    geometry: GeomKind::Point,
    properties: &[
        P::new("name", "名称", T::Text).required().queryable(),
        P::new("kind", "类型", T::Text).queryable(),
        P::new("address", "地址", T::Text),
        GRID_CODE,
    ],
    temporal: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_round_trips_its_id_and_points_at_its_own_schema() {
        for l in LayerId::ALL {
            assert_eq!(l.as_str().parse::<LayerId>().unwrap(), l);
            assert_eq!(l.schema().id, l);
            if let Some(t) = l.schema().temporal {
                assert_eq!(l.schema().property(t).unwrap().1.ty, T::Date, "{l}");
            }
        }
        assert!("rivers".parse::<LayerId>().is_err());
    }
}
