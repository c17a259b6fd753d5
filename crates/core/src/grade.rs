use std::fmt;

/// Data grade after GB/T 43697-2024 (数据安全技术 数据分类分级规则).
///
/// Ordered from least to most sensitive, so `grade >= DataGrade::General(3)` reads as
/// "level 3 or higher". `General` carries the level 1–4 split of 一般数据 that personal
/// information needs (4 = sensitive personal information such as 身份证号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataGrade {
    /// 一般数据, level 1 (public) to 4 (sensitive personal information).
    General(u8),
    /// 重要数据.
    Important,
    /// 核心数据.
    Core,
}

impl DataGrade {
    pub const PUBLIC: DataGrade = DataGrade::General(1);

    /// The label used in documents and the UI, e.g. `一般-3`.
    pub fn label_zh(self) -> String {
        match self {
            DataGrade::General(n) => format!("一般-{n}"),
            DataGrade::Important => "重要".to_owned(),
            DataGrade::Core => "核心".to_owned(),
        }
    }

    /// A stable machine code: `general-1` … `general-4`, `important`, `core`.
    pub fn code(self) -> String {
        match self {
            DataGrade::General(n) => format!("general-{n}"),
            DataGrade::Important => "important".to_owned(),
            DataGrade::Core => "core".to_owned(),
        }
    }
}

impl fmt::Display for DataGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::DataGrade::*;

    #[test]
    fn grades_order_from_public_to_core() {
        assert!(General(1) < General(4));
        assert!(General(4) < Important);
        assert!(Important < Core);
        assert_eq!(General(3).label_zh(), "一般-3");
    }
}
