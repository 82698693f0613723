//! Opening the database: the server named by `DATABASE_URL`, or else the private
//! cluster in the data dir; then the embedded migrations. Owns the command
//! line's database flags, which every command shares.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::postgres::PrivateCluster;

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL server to use. Without it, Suivi runs its own private cluster in
    /// --data-dir, from the PostgreSQL server binaries installed on the machine.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the private cluster lives (ignored with DATABASE_URL).
    #[arg(long, env = "SUIVI_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Directory of the PostgreSQL server binaries (initdb, pg_ctl); searched on
    /// PATH and under /usr/lib/postgresql/*/bin when absent.
    #[arg(long, env = "PG_BIN", global = true)]
    pub pg_bin: Option<PathBuf>,
}

/// The migrations in `migrations/`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The database Suivi uses inside its private cluster.
const DATABASE_NAME: &str = "suivi";

pub struct Database {
    pub pool: PgPool,
    cluster: Option<PrivateCluster>,
}

impl Database {
    pub async fn open(args: &DatabaseArgs) -> anyhow::Result<Database> {
        let (options, cluster) = match &args.database_url {
            Some(url) => (
                PgConnectOptions::from_str(url)
                    .context("DATABASE_URL is not a valid PostgreSQL URL")?,
                None,
            ),
            None => {
                let cluster = PrivateCluster::start(&args.data_dir, args.pg_bin.as_deref()).await?;
                if let Err(error) = cluster.ensure_database(DATABASE_NAME).await {
                    cluster.stop().await?;
                    return Err(error);
                }
                (cluster.connect_options(DATABASE_NAME), Some(cluster))
            }
        };
        let pool = match connect(options).await {
            Ok(pool) => pool,
            Err(error) => {
                if let Some(cluster) = cluster {
                    cluster.stop().await?;
                }
                return Err(error);
            }
        };
        let database = Database { pool, cluster };
        if let Err(error) = MIGRATOR.run(&database.pool).await {
            database.close().await?;
            return Err(error).context("cannot apply the database migrations");
        }
        // Sessions held before seals existed get theirs now, once: from then
        // on their figures no longer move.
        if let Err(error) = crate::dashboard::seal_never_sealed(&database.pool).await {
            database.close().await?;
            return Err(error).context("cannot seal the sessions held before seals existed");
        }
        Ok(database)
    }

    /// Closes the pool, then stops the private cluster if this process started it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            cluster.stop().await?;
        }
        Ok(())
    }
}

/// See `connect`; tests open their pools with the same.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

async fn connect(options: PgConnectOptions) -> anyhow::Result<PgPool> {
    // PostgreSQL compiles a query to machine code (JIT) when its estimated
    // cost is high, as it is for the consolidated year's statement, which
    // covers every plan but reads one row per plan: compiling took 1.2 s of
    // a 15 ms query at national scale. Suivi's queries are short; never JIT.
    let options = options.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(16)
        // While PostgreSQL is down, a page waits this long for a connection
        // before its reader is told to come back (503), not 10 s or more.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .context("cannot connect to PostgreSQL")
}

/// `pool.begin()`, safe to cancel. In sqlx 0.8.6 and 0.9.0, a `begin()`
/// dropped during its BEGIN round trip (a browser cancelling a download, a
/// client gone mid-request: axum drops the handler's future) leaves the
/// pooled connection inside that transaction, and the next request on it
/// runs in a stale snapshot whose writes are never committed
/// (launchbadge/sqlx#4393, fixed upstream after 0.9.0; the test
/// `resilience::a_transaction_dropped_while_it_begins_…` shows it). Begun in
/// its own task, the BEGIN completes whatever becomes of the request; a
/// transaction nobody waits for any more is then dropped, hence rolled back,
/// as usual.
pub async fn begin(pool: &PgPool) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin().await })
        .await
        .map_err(|_| sqlx::Error::WorkerCrashed)?
}
