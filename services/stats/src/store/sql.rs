//! A little raw-SQL builder: the rollups are written with multi-row upserts and read with
//! aggregate queries that are clearer as SQL than as a query builder; this keeps placeholders
//! right for both backends (`$1` on PostgreSQL, `?` on SQLite).

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement, TryGetable, Value};

#[derive(Debug)]
pub struct Sql {
    backend: DatabaseBackend,
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a bound value's placeholder.
    pub fn bind(&mut self, v: impl Into<Value>) -> &mut Self {
        self.values.push(v.into());
        match self.backend {
            DatabaseBackend::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.values.len().to_string());
            }
            _ => self.text.push('?'),
        }
        self
    }

    /// Appends `(?, ?, …)` for a list.
    pub fn bind_list<V: Into<Value>>(&mut self, vs: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (i, v) in vs.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }

    pub async fn execute<C: ConnectionTrait>(self, c: &C) -> Result<u64, DbErr> {
        Ok(c.execute_raw(self.statement()).await?.rows_affected())
    }

    pub async fn all<C: ConnectionTrait>(self, c: &C) -> Result<Vec<QueryResult>, DbErr> {
        c.query_all_raw(self.statement()).await
    }
}

/// A column of a result row by position-independent name.
pub fn get<T: TryGetable>(row: &QueryResult, col: &str) -> Result<T, DbErr> {
    row.try_get("", col)
}

/// An integer that may be NULL (an aggregate over no rows). Sums are written
/// `CAST(SUM(x) AS BIGINT)` so PostgreSQL returns BIGINT rather than NUMERIC.
pub fn get_i64(row: &QueryResult, col: &str) -> Result<i64, DbErr> {
    Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0))
}
