//! The embedded DynamoDB (dynoxide, SQLite file): exclusive file lock, open, table bootstrap,
//! and the periodic TTL sweep (dynoxide's server does not sweep by itself).

use dynoxide::{Database, DynoxideError};
use serde_json::json;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often expired items (`expires_at` in the past) are deleted.
pub const TTL_SWEEP_INTERVAL: Duration = Duration::from_secs(60);
pub const TTL_ATTRIBUTE: &str = "expires_at";

#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    #[error("cannot create the directory of database file {path}: {error}")]
    Directory {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("database file {path} is in use by another pai-local-aws (lock file {lock} is held)")]
    Locked { path: PathBuf, lock: PathBuf },
    #[error("cannot lock database file {path} (lock file {lock}): {error}")]
    Lock {
        path: PathBuf,
        lock: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot open database file {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("database file {path}: cannot prepare table {table}: {message}")]
    Table {
        path: PathBuf,
        table: String,
        message: String,
    },
}

/// Holds the exclusive advisory lock (`flock`) on `<db>.lock` while the emulator runs, so two
/// emulators never share one SQLite file (SQLite in WAL mode would let both open it).
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    pub path: PathBuf,
}

pub fn lock_path(db_path: &Path) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

pub fn lock(db_path: &Path) -> Result<DbLock, DynamoError> {
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| DynamoError::Directory {
            path: db_path.to_owned(),
            error,
        })?;
    }
    let lock = lock_path(db_path);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|error| DynamoError::Lock {
            path: db_path.to_owned(),
            lock: lock.clone(),
            error,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(DbLock {
            _file: file,
            path: lock,
        }),
        Err(TryLockError::WouldBlock) => Err(DynamoError::Locked {
            path: db_path.to_owned(),
            lock,
        }),
        Err(TryLockError::Error(error)) => Err(DynamoError::Lock {
            path: db_path.to_owned(),
            lock,
            error,
        }),
    }
}

fn one_line(message: impl std::fmt::Display) -> String {
    message.to_string().replace(['\n', '\r'], " ")
}

/// Locks and opens the database file and makes sure `table` exists.
pub fn open(db_path: &Path, table: &str) -> Result<(Database, DbLock), DynamoError> {
    let lock = lock(db_path)?;
    let path_text = db_path.to_string_lossy();
    let db = Database::new(&path_text).map_err(|e| DynamoError::Open {
        path: db_path.to_owned(),
        message: one_line(e),
    })?;
    ensure_table(&db, table).map_err(|message| DynamoError::Table {
        path: db_path.to_owned(),
        table: table.to_owned(),
        message,
    })?;
    Ok((db, lock))
}

/// Creates the table as infra/template.yaml declares it, if it is missing. Returns whether it
/// was created.
pub fn ensure_table(db: &Database, table: &str) -> Result<bool, String> {
    let describe = serde_json::from_value(json!({"TableName": table})).map_err(one_line)?;
    match db.describe_table(describe) {
        Ok(_) => return Ok(false),
        Err(DynoxideError::ResourceNotFoundException(_)) => {}
        Err(e) => return Err(one_line(e)),
    }
    let key = |name: &str, kind: &str| json!({"AttributeName": name, "KeyType": kind});
    let attributes: Vec<_> = ["pk", "sk", "gsi1pk", "gsi1sk"]
        .iter()
        .map(|name| json!({"AttributeName": name, "AttributeType": "S"}))
        .collect();
    let create = serde_json::from_value(json!({
        "TableName": table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": attributes,
        "KeySchema": [key("pk", "HASH"), key("sk", "RANGE")],
        "GlobalSecondaryIndexes": [{
            "IndexName": "gsi1",
            "KeySchema": [key("gsi1pk", "HASH"), key("gsi1sk", "RANGE")],
            "Projection": {"ProjectionType": "ALL"},
        }],
    }))
    .map_err(one_line)?;
    db.create_table(create).map_err(one_line)?;
    let ttl = serde_json::from_value(json!({
        "TableName": table,
        "TimeToLiveSpecification": {"Enabled": true, "AttributeName": TTL_ATTRIBUTE},
    }))
    .map_err(one_line)?;
    db.update_time_to_live(ttl).map_err(one_line)?;
    Ok(true)
}

/// Deletes expired items every `interval` until `stop` turns true.
pub async fn ttl_sweeper(
    db: Database,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        let db = db.clone();
        match tokio::task::spawn_blocking(move || db.sweep_ttl()).await {
            Ok(Ok(0)) => {}
            Ok(Ok(deleted)) => tracing::info!(deleted, "ttl sweep"),
            Ok(Err(error)) => tracing::warn!(error = %one_line(error), "ttl sweep failed"),
            Err(error) => tracing::warn!(%error, "ttl sweep task failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pai-local-aws-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested").join("pai.sqlite")
    }

    #[test]
    fn creates_table_once_and_locks_the_file() {
        let path = temp_db("lock");
        let (db, lock_guard) = open(&path, "pai-local").unwrap();
        assert!(lock_path(&path).exists());
        assert!(
            !ensure_table(&db, "pai-local").unwrap(),
            "second call must find it"
        );
        let Err(error) = open(&path, "pai-local") else {
            panic!("a second open must be refused")
        };
        assert!(matches!(error, DynamoError::Locked { .. }), "{error}");
        assert!(error.to_string().contains("pai.sqlite"), "{error}");
        drop(db);
        drop(lock_guard);
        let (_db, _lock) = open(&path, "pai-local").unwrap();
    }

    #[test]
    fn corrupt_file_is_a_clear_one_line_error() {
        let path = temp_db("corrupt");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![0x5a_u8; 8192]).unwrap();
        let Err(error) = open(&path, "pai-local") else {
            panic!("a corrupt file must be refused")
        };
        let text = error.to_string();
        assert!(matches!(error, DynamoError::Open { .. }), "{text}");
        assert!(text.contains("pai.sqlite"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}
