//! Tables written once, rendered for each dialect.
//!
//! A migration is a list of [`Step`]s. A [`Table`] names its columns with the store's
//! [`SqlType`]s and their keys; rendering picks each dialect's spelling (SQLite's
//! `INTEGER PRIMARY KEY` rowid, PostgreSQL's `BIGINT`, `TIMESTAMPTZ`, `BYTEA`,
//! identity columns, `COLLATE "C"`). What has no common form (triggers, a collation
//! change) is a [`Step::Only`] for one dialect, written out in its SQL.
//!
//! A migration describes the tables *as they were when it shipped*: it lists its
//! columns itself rather than reading today's `citymirror_core` schemas, which later
//! migrations may extend. The store's tests check that the migrations, applied in
//! order, end with exactly the columns the schemas declare.

use std::fmt::Write as _;

use crate::db::SqlType;

/// The two SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// What makes a column a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    None,
    /// The primary key. An integer one is SQLite's rowid: rows need no second index.
    Primary,
    /// An integer primary key the database assigns and never hands out again, even
    /// after its row is deleted: `AUTOINCREMENT` on SQLite, an identity on PostgreSQL.
    Identity,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Col {
    pub name: &'static str,
    pub ty: SqlType,
    pub key: Key,
    pub not_null: bool,
    pub unique: bool,
    /// Text that sorts byte by byte (`COLLATE "C"` on PostgreSQL; SQLite's default),
    /// so that a prefix is an index range (grid codes).
    pub bytewise: bool,
    pub default: Option<&'static str>,
    /// `table (column) ON DELETE …`.
    pub references: Option<&'static str>,
}

/// A nullable column of type `ty`; the builders below add constraints.
pub(crate) const fn col(name: &'static str, ty: SqlType) -> Col {
    Col {
        name,
        ty,
        key: Key::None,
        not_null: false,
        unique: false,
        bytewise: false,
        default: None,
        references: None,
    }
}

impl Col {
    pub(crate) const fn primary(mut self) -> Col {
        self.key = Key::Primary;
        self
    }
    pub(crate) const fn identity(mut self) -> Col {
        self.key = Key::Identity;
        self
    }
    pub(crate) const fn not_null(mut self) -> Col {
        self.not_null = true;
        self
    }
    pub(crate) const fn unique(mut self) -> Col {
        self.unique = true;
        self
    }
    pub(crate) const fn bytewise(mut self) -> Col {
        self.bytewise = true;
        self
    }
    pub(crate) const fn default(mut self, sql: &'static str) -> Col {
        self.default = Some(sql);
        self
    }
    pub(crate) const fn references(mut self, target: &'static str) -> Col {
        self.references = Some(target);
        self
    }

    fn render(&self, d: Dialect) -> String {
        use Dialect::*;
        use SqlType::*;
        let ty = match (d, self.ty, self.key) {
            (Sqlite, Int, Key::Primary) => "INTEGER PRIMARY KEY",
            (Sqlite, Int, Key::Identity) => "INTEGER PRIMARY KEY AUTOINCREMENT",
            (Postgres, Int, Key::Identity) => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            (Sqlite, Int, _) => "INTEGER",
            (Postgres, Int, _) => "BIGINT",
            (Sqlite, Float, _) => "REAL",
            (Postgres, Float, _) => "DOUBLE PRECISION",
            (_, Bool, _) => "BOOLEAN",
            (Postgres, Text, _) if self.bytewise => "TEXT COLLATE \"C\"",
            (_, Text, _) => "TEXT",
            (Sqlite, Bytes, _) => "BLOB",
            (Postgres, Bytes, _) => "BYTEA",
            (Sqlite, Date | Time, _) => "TEXT",
            (Postgres, Date, _) => "DATE",
            (Postgres, Time, _) => "TIMESTAMPTZ",
        };
        let mut s = format!("\"{}\" {ty}", self.name);
        let spelled_key = ty.contains("PRIMARY KEY");
        if self.key != Key::None && !spelled_key {
            s.push_str(" PRIMARY KEY");
        }
        if self.not_null {
            s.push_str(" NOT NULL");
        }
        if self.unique {
            s.push_str(" UNIQUE");
        }
        if let Some(default) = self.default {
            let _ = write!(s, " DEFAULT {default}");
        }
        if let Some(target) = self.references {
            let _ = write!(s, " REFERENCES {target}");
        }
        s
    }
}

/// A table and its secondary indexes (each named `<table>_<first column>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    pub name: &'static str,
    pub cols: Vec<Col>,
    pub indexes: Vec<&'static [&'static str]>,
    /// Unique indexes, named `<table>_<first column>_key`.
    pub unique: Vec<&'static [&'static str]>,
}

impl Table {
    pub(crate) fn new(name: &'static str, cols: impl IntoIterator<Item = Col>) -> Table {
        Table {
            name,
            cols: cols.into_iter().collect(),
            indexes: Vec::new(),
            unique: Vec::new(),
        }
    }

    /// Adds an index on `columns`.
    pub(crate) fn index(mut self, columns: &'static [&'static str]) -> Table {
        self.indexes.push(columns);
        self
    }

    /// Adds a unique index on `columns` (rows with a NULL in them never collide).
    pub(crate) fn unique(mut self, columns: &'static [&'static str]) -> Table {
        self.unique.push(columns);
        self
    }

    fn render(&self, d: Dialect, out: &mut String) {
        let cols: Vec<String> = self.cols.iter().map(|c| c.render(d)).collect();
        let _ = writeln!(
            out,
            "CREATE TABLE \"{}\" (\n    {}\n);",
            self.name,
            cols.join(",\n    ")
        );
        for columns in &self.indexes {
            let _ = writeln!(
                out,
                "CREATE INDEX \"{}_{}\" ON \"{}\" ({});",
                self.name,
                columns[0],
                self.name,
                columns.join(", ")
            );
        }
        for columns in &self.unique {
            let _ = writeln!(
                out,
                "CREATE UNIQUE INDEX \"{}_{}_key\" ON \"{}\" ({});",
                self.name,
                columns[0],
                self.name,
                columns.join(", ")
            );
        }
    }
}

/// One step of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Table(Table),
    /// SQL that both dialects run as written.
    Sql(&'static str),
    /// SQL for one dialect only: what has no common form.
    Only(Dialect, &'static str),
}

/// `steps` as one script in dialect `d`.
pub(crate) fn render(steps: &[Step], d: Dialect) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Table(t) => t.render(d, &mut out),
            Step::Sql(sql) => {
                out.push_str(sql.trim());
                out.push('\n');
            }
            Step::Only(only, sql) if *only == d => {
                out.push_str(sql.trim());
                out.push('\n');
            }
            Step::Only(..) => {}
        }
    }
    out
}

/// A description of `steps` that changes when a definition does, and only then: what a
/// migration's checksum is taken over. Not the rendered SQL, so that a change in how a
/// dialect is spelled (or a comment) does not make applied migrations look edited.
pub(crate) fn canonical(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Table(t) => {
                let _ = write!(out, "table {}:", t.name);
                for c in &t.cols {
                    let _ = write!(
                        out,
                        " {} {:?} {:?} {} {} {} {:?} {:?};",
                        c.name,
                        c.ty,
                        c.key,
                        c.not_null,
                        c.unique,
                        c.bytewise,
                        c.default,
                        c.references
                    );
                }
                for i in &t.indexes {
                    let _ = write!(out, " index {};", i.join(","));
                }
                for i in &t.unique {
                    let _ = write!(out, " unique {};", i.join(","));
                }
            }
            Step::Sql(sql) => {
                let _ = write!(out, "sql {}", sql.trim());
            }
            Step::Only(d, sql) => {
                let _ = write!(out, "{d:?} {}", sql.trim());
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Table {
        Table::new(
            "users",
            [
                col("id", SqlType::Int).identity(),
                col("username", SqlType::Text).not_null().unique(),
                col("disabled", SqlType::Bool).not_null().default("FALSE"),
                col("created_at", SqlType::Time).not_null(),
                col("grid_code", SqlType::Text).bytewise(),
            ],
        )
        .index(&["grid_code", "id"])
    }

    #[test]
    fn a_table_is_spelled_in_each_dialect() {
        let steps = [Step::Table(users())];
        assert_eq!(
            render(&steps, Dialect::Sqlite),
            "CREATE TABLE \"users\" (\n    \
             \"id\" INTEGER PRIMARY KEY AUTOINCREMENT,\n    \
             \"username\" TEXT NOT NULL UNIQUE,\n    \
             \"disabled\" BOOLEAN NOT NULL DEFAULT FALSE,\n    \
             \"created_at\" TEXT NOT NULL,\n    \
             \"grid_code\" TEXT\n);\n\
             CREATE INDEX \"users_grid_code\" ON \"users\" (grid_code, id);\n"
        );
        let pg = render(&steps, Dialect::Postgres);
        assert!(
            pg.contains("\"id\" BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"),
            "{pg}"
        );
        assert!(pg.contains("\"created_at\" TIMESTAMPTZ NOT NULL"), "{pg}");
        assert!(pg.contains("\"grid_code\" TEXT COLLATE \"C\""), "{pg}");
    }

    #[test]
    fn keys_of_other_types_are_spelled_out() {
        let t = Table::new(
            "sessions",
            [
                col("digest", SqlType::Bytes).primary(),
                col("user_id", SqlType::Int)
                    .not_null()
                    .references("users (id) ON DELETE CASCADE"),
            ],
        );
        let sql = render(&[Step::Table(t)], Dialect::Postgres);
        assert!(sql.contains("\"digest\" BYTEA PRIMARY KEY,"), "{sql}");
        assert!(
            sql.contains("\"user_id\" BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE"),
            "{sql}"
        );
    }

    #[test]
    fn one_dialects_steps_are_left_out_of_the_other() {
        let steps = [
            Step::Sql("CREATE TABLE t (a TEXT);"),
            Step::Only(
                Dialect::Postgres,
                "ALTER TABLE t ALTER COLUMN a TYPE TEXT COLLATE \"C\";",
            ),
        ];
        assert_eq!(
            render(&steps, Dialect::Sqlite),
            "CREATE TABLE t (a TEXT);\n"
        );
        assert!(render(&steps, Dialect::Postgres).contains("ALTER TABLE"));
    }

    #[test]
    fn the_checksum_text_follows_definitions_not_spelling() {
        let a = canonical(&[Step::Table(users())]);
        let mut changed = users();
        changed.cols[1].unique = false;
        assert_ne!(a, canonical(&[Step::Table(changed)]));
        assert_eq!(a, canonical(&[Step::Table(users())]));
    }
}
