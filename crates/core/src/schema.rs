use crate::{DataGrade, LayerId};

/// The type of a property, as stored and as parsed from outside input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    Text,
    Int,
    Float,
    Bool,
    Date,
}

impl PropType {
    pub const fn expected(self) -> &'static str {
        match self {
            PropType::Text => "a string",
            PropType::Int => "an integer",
            PropType::Float => "a number",
            PropType::Bool => "true or false",
            PropType::Date => "a date (YYYY-MM-DD)",
        }
    }

    /// The JSON Schema type used in OpenAPI and queryables documents.
    pub const fn json_type(self) -> &'static str {
        match self {
            PropType::Text | PropType::Date => "string",
            PropType::Int => "integer",
            PropType::Float => "number",
            PropType::Bool => "boolean",
        }
    }
}

/// The kind of geometry a layer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomKind {
    Point,
    LineString,
    Polygon,
    /// Polygon or MultiPolygon (administrative units).
    Areal,
}

impl GeomKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            GeomKind::Point => "Point",
            GeomKind::LineString => "LineString",
            GeomKind::Polygon => "Polygon",
            GeomKind::Areal => "MultiPolygon",
        }
    }
}

/// One property of a layer: its name, type, data grade and whether clients may filter on it.
#[derive(Debug, Clone, Copy)]
pub struct PropertyDef {
    pub name: &'static str,
    pub title_zh: &'static str,
    pub ty: PropType,
    pub required: bool,
    /// Declared as a queryable: `?name=value` equality filters are accepted on it.
    pub queryable: bool,
    pub grade: DataGrade,
}

impl PropertyDef {
    pub const fn new(name: &'static str, title_zh: &'static str, ty: PropType) -> Self {
        PropertyDef {
            name,
            title_zh,
            ty,
            required: false,
            queryable: false,
            grade: DataGrade::General(1),
        }
    }
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub const fn queryable(mut self) -> Self {
        self.queryable = true;
        self
    }
    pub const fn grade(mut self, grade: DataGrade) -> Self {
        self.grade = grade;
        self
    }
}

/// A layer's schema: the single source of truth for its storage columns, its
/// OGC API collection document, its queryables and its import validation.
#[derive(Debug)]
pub struct LayerSchema {
    pub id: LayerId,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub description: &'static str,
    pub geometry: GeomKind,
    pub properties: &'static [PropertyDef],
    /// The date property that `datetime` filters apply to, if the layer has time.
    pub temporal: Option<&'static str>,
}

impl LayerSchema {
    pub fn property(&self, name: &str) -> Option<(usize, &'static PropertyDef)> {
        self.properties
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
    }

    pub fn temporal_index(&self) -> Option<usize> {
        self.temporal.and_then(|t| self.property(t)).map(|(i, _)| i)
    }

    pub fn queryables(&self) -> impl Iterator<Item = &'static PropertyDef> {
        self.properties.iter().filter(|p| p.queryable)
    }
}
