//! A scratch Postgres database for a benchmark run: made fresh, dropped
//! afterwards.

use sqlx::{Connection, PgConnection};

/// A database a benchmark made on the server of an admin URL.
#[derive(Debug, Clone)]
pub struct ScratchDb {
    admin_url: String,
    name: String,
}

impl ScratchDb {
    /// Drop `name` if it is there and make it again, empty, on the server
    /// of `admin_url` (whose user may create databases).
    ///
    /// # Errors
    /// A name that is not `[a-z0-9_]+`, or what the server said.
    pub async fn fresh(admin_url: &str, name: &str) -> Result<Self, String> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("database name {name:?}: use [a-z0-9_]"));
        }
        let db = Self {
            admin_url: admin_url.to_owned(),
            name: name.to_owned(),
        };
        let mut admin = PgConnection::connect(admin_url)
            .await
            .map_err(|e| format!("{admin_url}: {e}"))?;
        for sql in [db.drop_sql(), format!("CREATE DATABASE {name}")] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(db)
    }

    /// Its URL: the admin URL with this database.
    pub fn url(&self) -> String {
        match self.admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{}", self.name),
            None => format!("{}/{}", self.admin_url, self.name),
        }
    }

    fn drop_sql(&self) -> String {
        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)
    }

    /// Drop it (best effort: a benchmark's figures stand either way).
    pub async fn drop_now(&self) {
        if let Ok(mut admin) = PgConnection::connect(&self.admin_url).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(self.drop_sql()))
                .execute(&mut admin)
                .await;
        }
    }
}
