//! The key and value tables of one MVT layer, filled as its features are added.
//!
//! A tile of city components repeats the same few dozen categories, statuses and grid
//! codes thousands of times. Each distinct value is converted (and its text passed through
//! the [`TextFilter`]) once per tile, and looked up by the borrowed original after that, so
//! a feature's tags cost a few hash lookups (foldhash: the keys are our own data, and
//! SipHash was a sixth of a dense tile's time) and no allocation. geozero's `TagsBuilder`
//! would need an owned value for every lookup.

use std::collections::HashMap;

use chrono::Datelike;

use chrono::NaiveDate;
use citymirror_core::{LayerSchema, Value};
use geozero::mvt::tile;

use crate::TextFilter;

/// A value's index in the table, by the value as the feature holds it.
type Map<K> = HashMap<K, u32, foldhash::fast::RandomState>;

pub(crate) struct Tags<'a> {
    schema: &'static LayerSchema,
    text: TextFilter,
    /// The key index of each property (by its index in the schema), once used.
    key_of: Vec<Option<u32>>,
    keys: Vec<String>,
    values: Vec<tile::Value>,
    texts: Map<&'a str>,
    ints: Map<i64>,
    /// By bit pattern: equal bits, equal value (`-0.0` and `0.0` are kept apart).
    floats: Map<u64>,
    dates: Map<NaiveDate>,
    bools: [Option<u32>; 2],
}

impl<'a> Tags<'a> {
    pub(crate) fn new(schema: &'static LayerSchema, text: TextFilter) -> Tags<'a> {
        Tags {
            schema,
            text,
            key_of: vec![None; schema.properties.len()],
            keys: Vec::new(),
            values: Vec::new(),
            texts: Map::default(),
            ints: Map::default(),
            floats: Map::default(),
            dates: Map::default(),
            bools: [None; 2],
        }
    }

    /// Appends the tag (key index, value index) of property `prop` with value `v` to
    /// `out`; a null adds nothing, as MVT has no null.
    pub(crate) fn push(&mut self, prop: usize, v: &'a Value, out: &mut Vec<u32>) {
        let value = match v {
            Value::Null => return,
            Value::Text(s) => match self.texts.get(s.as_str()) {
                Some(&i) => i,
                None => {
                    let i = add(&mut self.values, string((self.text)(s).into_owned()));
                    self.texts.insert(s, i);
                    i
                }
            },
            Value::Int(n) => *self.ints.entry(*n).or_insert_with(|| {
                add(
                    &mut self.values,
                    tile::Value {
                        int_value: Some(*n),
                        ..Default::default()
                    },
                )
            }),
            Value::Float(f) => *self.floats.entry(f.to_bits()).or_insert_with(|| {
                add(
                    &mut self.values,
                    tile::Value {
                        double_value: Some(*f),
                        ..Default::default()
                    },
                )
            }),
            Value::Bool(b) => *self.bools[usize::from(*b)].get_or_insert_with(|| {
                add(
                    &mut self.values,
                    tile::Value {
                        bool_value: Some(*b),
                        ..Default::default()
                    },
                )
            }),
            // Dates as text, `YYYY-MM-DD`, as in GeoJSON.
            Value::Date(d) => *self.dates.entry(*d).or_insert_with(|| {
                let iso = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
                add(&mut self.values, string(iso))
            }),
        };
        let key = *self.key_of[prop].get_or_insert_with(|| {
            self.keys.push(self.schema.properties[prop].name.to_owned());
            (self.keys.len() - 1) as u32
        });
        out.extend([key, value]);
    }

    /// The layer's `keys` and `values`.
    pub(crate) fn into_tables(self) -> (Vec<String>, Vec<tile::Value>) {
        (self.keys, self.values)
    }
}

fn string(s: String) -> tile::Value {
    tile::Value {
        string_value: Some(s),
        ..Default::default()
    }
}

fn add(values: &mut Vec<tile::Value>, v: tile::Value) -> u32 {
    values.push(v);
    (values.len() - 1) as u32
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::text_as_is;
    use citymirror_core::{LayerId, PropType};

    /// Tags each (property, value) as one feature and reads the tags back by name.
    fn check(text: TextFilter, props: &[(&str, Value)], expected: &[(&str, tile::Value)]) {
        let schema = LayerId::Buildings.schema();
        let values: Vec<(usize, Value)> = props
            .iter()
            .map(|(name, v)| (schema.property(name).unwrap().0, v.clone()))
            .collect();
        let mut tags = Tags::new(schema, text);
        let mut out = Vec::new();
        for (i, v) in &values {
            tags.push(*i, v, &mut out);
        }
        let (keys, table) = tags.into_tables();
        let got: Vec<(&str, tile::Value)> = out
            .chunks(2)
            .map(|kv| (keys[kv[0] as usize].as_str(), table[kv[1] as usize].clone()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn values_keep_their_type_dates_become_text_and_nulls_vanish() {
        let date = Value::parse("completed", PropType::Date, "2020-01-02").unwrap();
        check(
            text_as_is,
            &[
                ("name", "塔".into()),
                ("address", Value::Null),
                ("height_m", Value::Float(99.5)),
                ("floors", Value::Int(30)),
                ("completed", date),
            ],
            &[
                ("name", string("塔".into())),
                (
                    "height_m",
                    tile::Value {
                        double_value: Some(99.5),
                        ..Default::default()
                    },
                ),
                (
                    "floors",
                    tile::Value {
                        int_value: Some(30),
                        ..Default::default()
                    },
                ),
                ("completed", string("2020-01-02".into())),
            ],
        );
    }

    #[test]
    fn text_passes_the_filter() {
        check(
            |s| Cow::Owned(s.to_uppercase()),
            &[("use", "office".into())],
            &[("use", string("OFFICE".into()))],
        );
    }

    #[test]
    fn repeated_values_share_one_table_entry() {
        let schema = LayerId::Buildings.schema();
        let (floors, use_) = (
            schema.property("floors").unwrap().0,
            schema.property("use").unwrap().0,
        );
        let (a, b, c) = (Value::Int(3), Value::from("住宅"), Value::Int(3));
        let mut tags = Tags::new(schema, text_as_is);
        let mut out = Vec::new();
        tags.push(floors, &a, &mut out);
        tags.push(use_, &b, &mut out);
        tags.push(floors, &c, &mut out);
        assert_eq!(out, [0, 0, 1, 1, 0, 0]);
        let (keys, values) = tags.into_tables();
        assert_eq!((keys.len(), values.len()), (2, 2));
    }
}
