//! "Block data" (块数据): the person, house and legal-entity records attached to
//! buildings and grids. Every field carries a GB/T 43697 grade so that masking and
//! audit can be decided per field, not per table.

use crate::{DataGrade, PropType as T, PropertyDef as P};

/// A kind of record and its fields.
#[derive(Debug)]
pub struct RecordSchema {
    /// Storage table and API name.
    pub name: &'static str,
    pub title_zh: &'static str,
    pub fields: &'static [P],
}

impl RecordSchema {
    pub fn field(&self, name: &str) -> Option<&'static P> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const L1: DataGrade = DataGrade::General(1);
const L2: DataGrade = DataGrade::General(2);
const L3: DataGrade = DataGrade::General(3);
const L4: DataGrade = DataGrade::General(4);

pub static PERSONS: RecordSchema = RecordSchema {
    name: "persons",
    title_zh: "实有人口",
    fields: &[
        P::new("id", "编号", T::Int).required().grade(L1),
        P::new("name", "姓名", T::Text).required().grade(L3),
        P::new("id_number", "身份证号", T::Text)
            .required()
            .grade(L4),
        P::new("gender", "性别", T::Text).grade(L2),
        P::new("birth_date", "出生日期", T::Date).grade(L3),
        P::new("mobile", "手机号码", T::Text).grade(L4),
        P::new("residence_type", "人口类型", T::Text).grade(L2),
        P::new("house_id", "房屋编号", T::Int).grade(L2),
        P::new("building_id", "建筑编号", T::Int).grade(L1),
        P::new("grid_code", "所属网格", T::Text)
            .required()
            .grade(L1),
    ],
};

pub static HOUSES: RecordSchema = RecordSchema {
    name: "houses",
    title_zh: "实有房屋",
    fields: &[
        P::new("id", "编号", T::Int).required().grade(L1),
        P::new("building_id", "建筑编号", T::Int)
            .required()
            .grade(L1),
        P::new("address", "房屋地址", T::Text).required().grade(L2),
        P::new("floor", "楼层", T::Int).grade(L1),
        P::new("room", "房号", T::Text).grade(L2),
        P::new("area_m2", "建筑面积", T::Float).grade(L2),
        P::new("use", "房屋用途", T::Text).grade(L1),
        P::new("tenure", "居住方式", T::Text).grade(L2),
        P::new("owner_id_number", "产权人身份证号", T::Text).grade(L4),
        P::new("grid_code", "所属网格", T::Text)
            .required()
            .grade(L1),
    ],
};

pub static ENTITIES: RecordSchema = RecordSchema {
    name: "entities",
    title_zh: "实有单位",
    fields: &[
        P::new("id", "编号", T::Int).required().grade(L1),
        P::new("name", "单位名称", T::Text).required().grade(L1),
        P::new("uscc", "统一社会信用代码", T::Text)
            .required()
            .grade(L1),
        P::new("legal_person", "法定代表人", T::Text).grade(L2),
        P::new("legal_person_id_number", "法定代表人身份证号", T::Text).grade(L4),
        P::new("contact_mobile", "联系电话", T::Text).grade(L3),
        P::new("industry", "行业", T::Text).grade(L1),
        P::new("registered_capital_wan", "注册资本(万元)", T::Float).grade(L2),
        P::new("established", "成立日期", T::Date).grade(L1),
        P::new("employees", "从业人数", T::Int).grade(L2),
        P::new("building_id", "建筑编号", T::Int).grade(L1),
        P::new("grid_code", "所属网格", T::Text)
            .required()
            .grade(L1),
    ],
};

pub static RECORD_SCHEMAS: [&RecordSchema; 3] = [&PERSONS, &HOUSES, &ENTITIES];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_identifiers_are_graded_sensitive() {
        for (schema, field) in [
            (&PERSONS, "id_number"),
            (&PERSONS, "mobile"),
            (&HOUSES, "owner_id_number"),
        ] {
            assert_eq!(schema.field(field).unwrap().grade, DataGrade::General(4));
        }
        assert_eq!(
            ENTITIES.field("uscc").unwrap().grade,
            DataGrade::General(1),
            "public register data"
        );
    }
}
