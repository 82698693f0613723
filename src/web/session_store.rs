//! Where login sessions live: tower-sessions-sqlx-store's PostgreSQL store
//! (so they survive a restart and every instance shares them), with its
//! `create` run in a task of its own. That call begins a transaction with
//! sqlx's `begin()`, which is not safe to cancel (see `db::begin`): a client
//! gone while its session is created must not leave the pooled connection
//! inside that transaction.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Debug, Clone)]
pub struct LoginSessions(PostgresStore);

impl LoginSessions {
    pub fn new(db: PgPool) -> LoginSessions {
        LoginSessions(PostgresStore::new(db))
    }
}

#[async_trait]
impl SessionStore for LoginSessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let store = self.0.clone();
        let mut created = record.clone();
        let (outcome, created) = tokio::spawn(async move {
            let outcome = store.create(&mut created).await;
            (outcome, created)
        })
        .await
        .map_err(|error| Error::Backend(error.to_string()))?;
        // The store may have given it another id (on a collision).
        *record = created;
        outcome
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0.save(record).await
    }

    async fn load(&self, session_id: &Id) -> Result<Option<Record>> {
        self.0.load(session_id).await
    }

    async fn delete(&self, session_id: &Id) -> Result<()> {
        self.0.delete(session_id).await
    }
}
