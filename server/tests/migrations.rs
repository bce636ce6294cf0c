//! The SQLite and PostgreSQL migrations describe one schema.
//!
//! The two dialects are parallel files (`migrations/sqlite/NNNN_*.sql`,
//! `migrations/postgres/NNNN_*.sql`). This test replays both, statement
//! by statement, into a neutral description (tables → columns with a
//! normalised type, nullability, key, default and reference; indexes;
//! the tables data statements touch) and fails naming the first migration
//! after which the two descriptions disagree. Every file in the two
//! folders is read, so a new migration is covered when it is added.
//!
//! Dialect spellings that mean the same are made equal:
//!
//! | SQLite | PostgreSQL | neutral |
//! | --- | --- | --- |
//! | `INTEGER PRIMARY KEY AUTOINCREMENT` | `BIGINT GENERATED … AS IDENTITY PRIMARY KEY` | `int64 identity` |
//! | `BLOB` | `BYTEA` | `bytes` |
//! | `REAL`, `DOUBLE PRECISION` | `DOUBLE PRECISION`, `FLOAT8` | `float64` |
//! | `TEXT`, `VARCHAR(n)` | `TEXT`, `VARCHAR(n)` | `text` |
//! | `BOOLEAN`, defaults `1`/`0` | `BOOLEAN`, defaults `TRUE`/`FALSE` | `bool`, `true`/`false` |
//! | `TIMESTAMP`, `DATETIME` | `TIMESTAMPTZ`, `TIMESTAMP WITH TIME ZONE` | `timestamp` |
//! | `CURRENT_TIMESTAMP` | `now()`, `CURRENT_TIMESTAMP` | `now` |
//!
//! Integer widths are compared as declared (`INTEGER` is `int32`,
//! `BIGINT` is `int64`) because PostgreSQL keeps them and the server
//! decodes them as declared; only SQLite's rowid alias is `int64`
//! whatever it is called. Expressions inside data statements (`UPDATE …
//! SET x = json_extract(…)` against `data::jsonb -> …`) are dialect by
//! nature: only the table and the columns they write are compared.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Column {
    ty: String,
    not_null: bool,
    primary_key: bool,
    unique: bool,
    default: Option<String>,
    references: Option<String>,
    check: Option<String>,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.ty)?;
        if self.primary_key {
            write!(f, " primary key")?;
        }
        if self.not_null {
            write!(f, " not null")?;
        }
        if self.unique {
            write!(f, " unique")?;
        }
        if let Some(d) = &self.default {
            write!(f, " default {d}")?;
        }
        if let Some(r) = &self.references {
            write!(f, " references {r}")?;
        }
        if let Some(c) = &self.check {
            write!(f, " check {c}")?;
        }
        Ok(())
    }
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    /// Table constraints (`PRIMARY KEY (a, b)`, `UNIQUE (…)`, `CHECK …`),
    /// normalised, sorted.
    constraints: Vec<String>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
struct Index {
    table: String,
    unique: bool,
    /// The column list and any `WHERE`, normalised.
    definition: String,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Schema {
    tables: BTreeMap<String, Table>,
    indexes: BTreeMap<String, Index>,
    /// `INSERT INTO t (cols)` / `UPDATE t SET cols` / `DELETE FROM t`, in order.
    data_statements: Vec<String>,
}

/// One SQL statement of a migration file, for the error messages.
struct Statement<'a> {
    file: &'a Path,
    text: String,
}

impl Statement<'_> {
    fn fail(&self, why: impl fmt::Display) -> String {
        format!("{}: {why}\n  in: {}", self.file.display(), self.text)
    }
}

/// The text without `--` comments, split into statements at `;` outside
/// quotes and parentheses.
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                current.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    current.push(c);
                }
                '-' if chars.peek() == Some(&'-') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                    current.push(' ');
                }
                ';' => {
                    let s = collapse(&current);
                    if !s.is_empty() {
                        out.push(s);
                    }
                    current.clear();
                }
                _ => current.push(c),
            },
        }
    }
    let s = collapse(&current);
    if !s.is_empty() {
        out.push(s);
    }
    out
}

/// Whitespace runs to one space, no space inside parentheses, lowercase
/// outside quotes.
fn collapse(s: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut space = false;
    for c in s.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() && !out.ends_with('(') && c != ')' && c != ',' {
            out.push(' ');
        }
        space = false;
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
        if c == ',' {
            out.push_str(", ");
            space = false;
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out.replace(",  ", ", ")
        .replace(", )", ")")
        .trim()
        .to_string()
}

/// Splits at commas outside parentheses and quotes.
fn split_top_level(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in s.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(current.trim().to_string());
                    current.clear();
                    continue;
                }
                _ => {}
            },
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

/// The text between the first `(` and its matching `)`, and what follows.
fn parenthesised(s: &str) -> Option<(&str, &str)> {
    let start = s.find('(')?;
    let mut depth = 0usize;
    for (i, c) in s[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let end = start + i;
                    return Some((&s[start + 1..end], &s[end + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

fn strip_if_exists(s: &str) -> &str {
    s.strip_prefix("if not exists ")
        .or_else(|| s.strip_prefix("if exists "))
        .unwrap_or(s)
}

/// The first word and the rest.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(|c: char| c.is_whitespace() || c == '(') {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

/// The neutral name of a declared type.
fn neutral_type(dialect: Dialect, declared: &str) -> Result<String, String> {
    let base = declared.split('(').next().unwrap_or("").trim();
    let ty = match (dialect, base) {
        (_, "text" | "varchar" | "character varying" | "char" | "character") => "text",
        (_, "bigint" | "int8") => "int64",
        (_, "integer" | "int" | "int4") => "int32",
        (_, "smallint" | "int2") => "int16",
        (_, "double precision" | "float8" | "double") => "float64",
        (Dialect::Sqlite, "real" | "float") => "float64",
        (Dialect::Postgres, "real" | "float4") => "float32",
        (_, "boolean" | "bool") => "bool",
        (Dialect::Sqlite, "blob") | (Dialect::Postgres, "bytea") => "bytes",
        (_, "json" | "jsonb") => "json",
        (
            _,
            "timestamptz"
            | "timestamp with time zone"
            | "timestamp"
            | "datetime"
            | "timestamp without time zone",
        ) => "timestamp",
        (_, "date") => "date",
        (_, "numeric" | "decimal") => "numeric",
        _ => return Err(format!("the type {declared:?} has no neutral name here")),
    };
    Ok(ty.to_string())
}

/// Types are one or more words (`double precision`, `timestamp with
/// time zone`) optionally followed by `(n)`: those words and the rest.
fn split_type(rest: &str) -> (String, &str) {
    const MULTI: [&str; 4] = [
        "double precision",
        "character varying",
        "timestamp with time zone",
        "timestamp without time zone",
    ];
    for m in MULTI {
        if let Some(after) = rest.strip_prefix(m) {
            return (m.to_string(), after.trim_start());
        }
    }
    let (w, mut after) = word(rest);
    let mut ty = w.to_string();
    if after.starts_with('(')
        && let Some((args, tail)) = parenthesised(after)
    {
        ty = format!("{ty}({args})");
        after = tail.trim_start();
    }
    (ty, after)
}

fn neutral_default(ty: &str, raw: &str) -> String {
    let mut v = raw.trim();
    while let Some(inner) = v.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        v = inner.trim();
    }
    match (ty, v) {
        ("bool", "1" | "true") => "true".into(),
        ("bool", "0" | "false") => "false".into(),
        (_, "current_timestamp" | "now()") => "now".into(),
        _ => v.to_string(),
    }
}

/// A column definition (`name type constraints…`).
fn column(dialect: Dialect, def: &str) -> Result<(String, Column), String> {
    let (name, rest) = word(def);
    let (declared, mut rest) = split_type(rest);
    let mut col = Column {
        ty: neutral_type(dialect, &declared)?,
        ..Column::default()
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("not null") {
            col.not_null = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("null") {
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("primary key") {
            col.primary_key = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("autoincrement") {
            if dialect != Dialect::Sqlite || !col.primary_key || declared != "integer" {
                return Err("AUTOINCREMENT outside SQLite's INTEGER PRIMARY KEY".into());
            }
            col.ty = "int64 identity".into();
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("generated always as identity") {
            col.ty = format!("{} identity", col.ty);
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("generated by default as identity") {
            col.ty = format!("{} identity", col.ty);
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("unique") {
            col.unique = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("default") {
            let r = r.trim_start();
            let (value, tail) = if r.starts_with('(') {
                let (inner, tail) = parenthesised(r).ok_or("unbalanced DEFAULT")?;
                (format!("({inner})"), tail)
            } else if let Some(q) = r.strip_prefix('\'') {
                let end = q.find('\'').ok_or("unterminated string in DEFAULT")?;
                (format!("'{}'", &q[..end]), &q[end + 1..])
            } else {
                let (w, tail) = word(r);
                let w = if tail.starts_with("()") {
                    format!("{w}()")
                } else {
                    w.to_string()
                };
                let tail = tail.strip_prefix("()").unwrap_or(tail);
                (w, tail)
            };
            col.default = Some(neutral_default(&col.ty, &value));
            rest = tail.trim_start();
        } else if let Some(r) = rest.strip_prefix("references") {
            let (table, r) = word(r);
            let (cols, r) = if r.starts_with('(') {
                let (inner, tail) = parenthesised(r).ok_or("unbalanced REFERENCES")?;
                (inner.trim().to_string(), tail)
            } else {
                (String::new(), r)
            };
            let mut reference = format!("{table} ({cols})");
            let mut r = r.trim_start();
            // ON DELETE / ON UPDATE actions belong to the reference.
            while let Some(on) = r.strip_prefix("on ") {
                let (event, tail) = word(on);
                let action_end = [
                    "cascade",
                    "restrict",
                    "set null",
                    "set default",
                    "no action",
                ]
                .iter()
                .find_map(|a| tail.strip_prefix(a).map(|t| (a, t)))
                .ok_or("unknown ON action")?;
                reference.push_str(&format!(" on {event} {}", action_end.0));
                r = action_end.1.trim_start();
            }
            col.references = Some(reference);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("check") {
            let (inner, tail) = parenthesised(r).ok_or("unbalanced CHECK")?;
            col.check = Some(collapse(inner));
            rest = tail.trim_start();
        } else {
            return Err(format!("column {name}: cannot read {rest:?}"));
        }
    }
    if col.primary_key {
        col.not_null = true;
    }
    Ok((name.trim_matches('"').to_string(), col))
}

fn apply(dialect: Dialect, schema: &mut Schema, st: &Statement<'_>) -> Result<(), String> {
    let s = st.text.as_str();
    if let Some(rest) = s.strip_prefix("create table ") {
        let rest = strip_if_exists(rest);
        let (name, rest) = word(rest);
        let (body, tail) = parenthesised(rest).ok_or_else(|| st.fail("no column list"))?;
        if !tail.trim().is_empty() {
            return Err(st.fail(format!("table options {tail:?} are not compared")));
        }
        let mut table = Table::default();
        for part in split_top_level(body) {
            let is_constraint = [
                "primary key",
                "unique",
                "check",
                "foreign key",
                "constraint",
            ]
            .iter()
            .any(|p| part.starts_with(p));
            if is_constraint {
                table.constraints.push(collapse(&part));
            } else {
                let (col_name, col) = column(dialect, &part).map_err(|e| st.fail(e))?;
                table.columns.insert(col_name, col);
            }
        }
        table.constraints.sort();
        if schema.tables.insert(name.to_string(), table).is_some() {
            return Err(st.fail(format!("table {name} is created twice")));
        }
    } else if let Some(rest) = s.strip_prefix("alter table ") {
        let (name, rest) = word(rest);
        let table = schema
            .tables
            .get_mut(name)
            .ok_or_else(|| st.fail(format!("no table {name}")))?;
        if let Some(def) = rest.strip_prefix("add column ") {
            let (col_name, col) = column(dialect, def).map_err(|e| st.fail(e))?;
            table.columns.insert(col_name, col);
        } else if let Some(col) = rest.strip_prefix("drop column ") {
            let col = strip_if_exists(col);
            table
                .columns
                .remove(col)
                .ok_or_else(|| st.fail(format!("no column {col}")))?;
        } else if let Some(rename) = rest.strip_prefix("rename column ") {
            let (from, r) = word(rename);
            let to = r
                .strip_prefix("to ")
                .ok_or_else(|| st.fail("RENAME without TO"))?;
            let col = table
                .columns
                .remove(from)
                .ok_or_else(|| st.fail(format!("no column {from}")))?;
            table.columns.insert(to.trim().to_string(), col);
        } else if let Some(to) = rest.strip_prefix("rename to ") {
            let table = schema.tables.remove(name).unwrap_or_default();
            schema.tables.insert(to.trim().to_string(), table);
        } else {
            return Err(st.fail("this ALTER TABLE is not understood by the test"));
        }
    } else if let Some(rest) = s.strip_prefix("drop table ") {
        let name = strip_if_exists(rest).trim();
        schema.tables.remove(name);
        schema.indexes.retain(|_, i| i.table != name);
    } else if let Some(rest) = s.strip_prefix("drop index ") {
        schema.indexes.remove(strip_if_exists(rest).trim());
    } else if s.starts_with("create index ") || s.starts_with("create unique index ") {
        let unique = s.starts_with("create unique");
        let rest = s
            .trim_start_matches("create unique index ")
            .trim_start_matches("create index ");
        let (name, rest) = word(strip_if_exists(rest));
        let rest = rest
            .strip_prefix("on ")
            .ok_or_else(|| st.fail("index without ON"))?;
        let (table, definition) = word(rest);
        if !schema.tables.contains_key(table) {
            return Err(st.fail(format!("index on unknown table {table}")));
        }
        schema.indexes.insert(
            name.to_string(),
            Index {
                table: table.to_string(),
                unique,
                definition: definition.to_string(),
            },
        );
    } else if let Some(rest) = s.strip_prefix("insert into ") {
        let (table, rest) = word(rest);
        let cols = parenthesised(rest).map(|(c, _)| c).unwrap_or("");
        // The values of a seed row are compared too: they are data both
        // backends start with.
        schema
            .data_statements
            .push(format!("insert into {table} ({cols}) {}", collapse(rest)));
    } else if let Some(rest) = s.strip_prefix("update ") {
        let (table, rest) = word(rest);
        let assignments = rest
            .strip_prefix("set ")
            .ok_or_else(|| st.fail("UPDATE without SET"))?;
        let mut written: Vec<String> = split_top_level(assignments)
            .iter()
            .map(|a| a.split('=').next().unwrap_or("").trim().to_string())
            .collect();
        written.sort();
        schema
            .data_statements
            .push(format!("update {table} set {}", written.join(", ")));
    } else if let Some(rest) = s.strip_prefix("delete from ") {
        let (table, _) = word(rest);
        schema.data_statements.push(format!("delete from {table}"));
    } else {
        return Err(st.fail("this statement is not understood by the test; teach it"));
    }
    Ok(())
}

fn migration_files(dir: &Path) -> BTreeMap<String, PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            let name = p.file_name().expect("a file name").to_string_lossy().into();
            (name, p)
        })
        .collect()
}

/// The first difference between two schemas, named.
fn first_difference(sqlite: &Schema, postgres: &Schema) -> Option<String> {
    let names: std::collections::BTreeSet<&String> =
        sqlite.tables.keys().chain(postgres.tables.keys()).collect();
    for name in names {
        let (Some(a), Some(b)) = (sqlite.tables.get(name), postgres.tables.get(name)) else {
            return Some(format!(
                "table {name} exists only in {}",
                if sqlite.tables.contains_key(name) {
                    "SQLite"
                } else {
                    "PostgreSQL"
                }
            ));
        };
        let cols: std::collections::BTreeSet<&String> =
            a.columns.keys().chain(b.columns.keys()).collect();
        for col in cols {
            match (a.columns.get(col), b.columns.get(col)) {
                (Some(x), Some(y)) if x == y => {}
                (Some(x), Some(y)) => {
                    return Some(format!(
                        "column {name}.{col}: SQLite says `{x}`, PostgreSQL says `{y}`"
                    ));
                }
                (Some(_), None) => return Some(format!("column {name}.{col} only in SQLite")),
                _ => return Some(format!("column {name}.{col} only in PostgreSQL")),
            }
        }
        if a.constraints != b.constraints {
            return Some(format!(
                "table {name}'s constraints: SQLite {:?}, PostgreSQL {:?}",
                a.constraints, b.constraints
            ));
        }
    }
    let indexes: std::collections::BTreeSet<&String> = sqlite
        .indexes
        .keys()
        .chain(postgres.indexes.keys())
        .collect();
    for name in indexes {
        match (sqlite.indexes.get(name), postgres.indexes.get(name)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => {
                return Some(format!("index {name}: SQLite {x:?}, PostgreSQL {y:?}"));
            }
            (Some(_), None) => return Some(format!("index {name} only in SQLite")),
            _ => return Some(format!("index {name} only in PostgreSQL")),
        }
    }
    if sqlite.data_statements != postgres.data_statements {
        let at = sqlite
            .data_statements
            .iter()
            .zip(&postgres.data_statements)
            .position(|(x, y)| x != y)
            .unwrap_or(
                sqlite
                    .data_statements
                    .len()
                    .min(postgres.data_statements.len()),
            );
        return Some(format!(
            "data statement {}: SQLite {:?}, PostgreSQL {:?}",
            at + 1,
            sqlite.data_statements.get(at),
            postgres.data_statements.get(at)
        ));
    }
    None
}

fn replay(dialect: Dialect, schema: &mut Schema, file: &Path) {
    let sql = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for text in statements(&sql) {
        let st = Statement { file, text };
        if let Err(e) = apply(dialect, schema, &st) {
            panic!("{e}");
        }
    }
}

#[test]
fn sqlite_and_postgres_migrations_describe_one_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let sqlite_files = migration_files(&root.join("sqlite"));
    let postgres_files = migration_files(&root.join("postgres"));
    let only: Vec<&String> = sqlite_files
        .keys()
        .filter(|k| !postgres_files.contains_key(*k))
        .chain(
            postgres_files
                .keys()
                .filter(|k| !sqlite_files.contains_key(*k)),
        )
        .collect();
    assert!(
        only.is_empty(),
        "migrations without their other dialect: {only:?}"
    );
    assert!(!sqlite_files.is_empty(), "no migrations found");

    let mut sqlite = Schema::default();
    let mut postgres = Schema::default();
    for (name, sqlite_file) in &sqlite_files {
        replay(Dialect::Sqlite, &mut sqlite, sqlite_file);
        replay(Dialect::Postgres, &mut postgres, &postgres_files[name]);
        if let Some(difference) = first_difference(&sqlite, &postgres) {
            panic!("after migration {name} the two dialects disagree: {difference}");
        }
    }
    // Not vacuous: the replay read the tables the server relies on.
    for table in ["accounts", "needs", "orders", "ratings", "audit_log"] {
        assert!(sqlite.tables.contains_key(table), "no table {table}");
    }
}

fn schema_of(dialect: Dialect, sql: &str) -> Schema {
    let mut schema = Schema::default();
    let file = Path::new("inline.sql");
    for text in statements(sql) {
        let st = Statement { file, text };
        apply(dialect, &mut schema, &st).unwrap_or_else(|e| panic!("{e}"));
    }
    schema
}

#[test]
fn dialect_spellings_of_one_column_agree() {
    let sqlite = schema_of(
        Dialect::Sqlite,
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB NOT NULL, \
         f BOOLEAN NOT NULL DEFAULT 0, r REAL);",
    );
    let postgres = schema_of(
        Dialect::Postgres,
        "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
         b BYTEA NOT NULL, f BOOLEAN NOT NULL DEFAULT FALSE, r DOUBLE PRECISION);",
    );
    assert_eq!(first_difference(&sqlite, &postgres), None);
}

#[test]
fn a_disagreement_is_named() {
    let sqlite = schema_of(
        Dialect::Sqlite,
        "CREATE TABLE t (a TEXT NOT NULL, n BIGINT); CREATE INDEX t_by_a ON t (a);",
    );
    let nullable = schema_of(
        Dialect::Postgres,
        "CREATE TABLE t (a TEXT, n BIGINT); CREATE INDEX t_by_a ON t (a);",
    );
    let difference = first_difference(&sqlite, &nullable).expect("a difference");
    assert!(difference.contains("t.a"), "{difference}");

    let narrower = schema_of(
        Dialect::Postgres,
        "CREATE TABLE t (a TEXT NOT NULL, n INTEGER); CREATE INDEX t_by_a ON t (a);",
    );
    let difference = first_difference(&sqlite, &narrower).expect("a difference");
    assert!(difference.contains("t.n"), "{difference}");

    let other_index = schema_of(
        Dialect::Postgres,
        "CREATE TABLE t (a TEXT NOT NULL, n BIGINT); CREATE INDEX t_by_a ON t (a, n);",
    );
    let difference = first_difference(&sqlite, &other_index).expect("a difference");
    assert!(difference.contains("t_by_a"), "{difference}");
}
