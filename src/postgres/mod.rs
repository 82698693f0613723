//! The private PostgreSQL cluster that Suivi runs when no `DATABASE_URL` is given,
//! so that a newcomer needs no set-up: `initdb` on first start, `pg_ctl start` on
//! every start, `pg_ctl stop` at the end. It owns finding the server binaries,
//! the data dir layout and the cluster's life; it does not own the schema (see
//! `db`).
//!
//! Layout of the data dir: `pg/` (PGDATA), `postgres.log`, and the Unix socket.
//! The cluster listens on that socket only, never on the network, and trusts it:
//! the socket lives in a directory only the cluster's user (and root) can enter.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Connection, PgConnection};

/// The server's port, which names its socket file: fixed, whatever PGPORT says,
/// so that every Suivi finds the socket of a cluster another one started.
const PORT: u16 = 5432;

/// Unix socket paths are limited to 107 bytes; the socket file name adds 15.
const MAX_SOCKET_DIR_LEN: usize = 90;

pub struct PrivateCluster {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    user: Option<SystemUser>,
    started_here: bool,
}

/// The unprivileged account the cluster runs as when Suivi runs as root.
#[derive(Debug, Clone)]
struct SystemUser {
    uid: u32,
    gid: u32,
    home: PathBuf,
}

impl PrivateCluster {
    /// Initialises the cluster in `data_dir` if needed and starts it, or reuses
    /// it if it is already running (another Suivi on the same data dir).
    pub async fn start(data_dir: &Path, pg_bin: Option<&Path>) -> anyhow::Result<PrivateCluster> {
        let bin_dir = find_bin_dir(pg_bin)?;
        let data_dir = data_dir.to_owned();
        tokio::task::spawn_blocking(move || PrivateCluster::start_blocking(data_dir, bin_dir))
            .await
            .context("cluster start-up task failed")?
    }

    fn start_blocking(data_dir: PathBuf, bin_dir: PathBuf) -> anyhow::Result<PrivateCluster> {
        let user = if is_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create the data dir {}", data_dir.display()))?;
        let mut data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("cannot resolve the data dir {}", data_dir.display()))?;
        if let Some(user) = user.as_ref().filter(|user| !user.can_reach(&data_dir)) {
            data_dir = relocate(&data_dir, user)?;
        }
        if data_dir.as_os_str().len() > MAX_SOCKET_DIR_LEN {
            bail!(
                "the data dir path {} is too long for a Unix socket (at most {MAX_SOCKET_DIR_LEN} bytes): choose a shorter --data-dir",
                data_dir.display()
            );
        }
        std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700))?;
        if let Some(user) = &user {
            std::os::unix::fs::chown(&data_dir, Some(user.uid), Some(user.gid)).with_context(
                || format!("cannot give {} to the postgres user", data_dir.display()),
            )?;
        }
        let _starting = lock_data_dir(&data_dir)?;
        let mut cluster = PrivateCluster {
            data_dir,
            bin_dir,
            user,
            started_here: false,
        };

        if !cluster.pgdata().join("PG_VERSION").exists() {
            tracing::info!(dir = %cluster.pgdata().display(), "creating the private PostgreSQL cluster");
            cluster.run(
                "initdb",
                [
                    OsStr::new("-D"),
                    cluster.pgdata().as_os_str(),
                    OsStr::new("-U"),
                    OsStr::new("postgres"),
                    OsStr::new("-A"),
                    OsStr::new("trust"),
                    OsStr::new("-E"),
                    OsStr::new("UTF8"),
                    OsStr::new("--locale=C.UTF-8"),
                ],
            )?;
        }
        let data_dir_lock = cluster.pgdata().join("postmaster.pid");
        if cluster.is_running() {
            cluster.remove_if_stale(&data_dir_lock)?;
        }
        if cluster.is_running() {
            tracing::info!("reusing the private PostgreSQL cluster already running");
        } else {
            // The socket dir is the cluster's own: its lock can only be our server's.
            cluster.remove_if_stale(&cluster.data_dir.join(format!(".s.PGSQL.{PORT}.lock")))?;
            let options = format!(
                "-c listen_addresses='' -p {PORT} -k {}",
                socket_dir_option(&cluster.data_dir)?
            );
            cluster.run(
                "pg_ctl",
                [
                    OsStr::new("-D"),
                    cluster.pgdata().as_os_str(),
                    OsStr::new("-l"),
                    cluster.log_file().as_os_str(),
                    OsStr::new("-w"),
                    OsStr::new("-t"),
                    OsStr::new("60"),
                    OsStr::new("-o"),
                    OsStr::new(&options),
                    OsStr::new("start"),
                ],
            )?;
            cluster.started_here = true;
            tracing::info!(socket = %cluster.data_dir.display(), "private PostgreSQL cluster started");
        }
        Ok(cluster)
    }

    /// Creates `database` if it does not exist yet.
    pub async fn ensure_database(&self, database: &str) -> anyhow::Result<()> {
        let mut connection = PgConnection::connect_with(&self.connect_options("postgres"))
            .await
            .context("cannot connect to the private cluster")?;
        if !database_exists(&mut connection, database).await? {
            // Identifiers cannot be bound; the name is ours, quoted anyway.
            let created = sqlx::query(&format!(
                "CREATE DATABASE \"{}\"",
                database.replace('"', "\"\"")
            ))
            .execute(&mut connection)
            .await;
            // Another Suivi starting on the same cluster may have created it first.
            if let Err(error) = created {
                if !database_exists(&mut connection, database).await? {
                    return Err(error)
                        .with_context(|| format!("cannot create database {database}"));
                }
            }
        }
        connection.close().await?;
        Ok(())
    }

    /// Connection options for `database` over the cluster's Unix socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        // Everything set, so that PGPORT, PGSSLMODE... meant for another server
        // cannot get in the way. No TLS on a local socket.
        PgConnectOptions::new()
            .socket(&self.data_dir)
            .port(PORT)
            .ssl_mode(PgSslMode::Disable)
            .username("postgres")
            .database(database)
    }

    pub fn socket_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops the cluster if this process started it; a cluster that another
    /// process started is left running for it.
    pub async fn stop(self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        tokio::task::spawn_blocking(move || self.stop_blocking())
            .await
            .context("cluster stop task failed")?
    }

    /// `pg_ctl stop`, not a signal: as root the server runs under another uid,
    /// and pg_ctl waits until the server has shut down cleanly.
    fn stop_blocking(&self) -> anyhow::Result<()> {
        let _stopping = lock_data_dir(&self.data_dir)?;
        if !self.is_running() {
            return Ok(());
        }
        self.run(
            "pg_ctl",
            [
                OsStr::new("-D"),
                self.pgdata().as_os_str(),
                OsStr::new("-m"),
                OsStr::new("fast"),
                OsStr::new("-w"),
                OsStr::new("stop"),
            ],
        )?;
        tracing::info!("private PostgreSQL cluster stopped");
        Ok(())
    }

    fn pgdata(&self) -> PathBuf {
        self.data_dir.join("pg")
    }

    fn log_file(&self) -> PathBuf {
        self.data_dir.join("postgres.log")
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .args([
                OsStr::new("-D"),
                self.pgdata().as_os_str(),
                OsStr::new("status"),
            ])
            .output()
            .is_ok_and(|output| output.status.success())
    }

    /// Removes a lock file of postgres (`postmaster.pid`, the socket's) that a
    /// crash left behind. postgres and `pg_ctl status` take any live process with
    /// the lock file's PID for the server, so a postmaster killed but not yet
    /// reaped (a zombie), or an unrelated process that got the PID again (a
    /// container restarts with the same PIDs), would make Suivi reuse a dead
    /// cluster, and postgres refuse to start.
    fn remove_if_stale(&self, lock_file: &Path) -> anyhow::Result<()> {
        if self.is_stale(lock_file) {
            tracing::warn!(file = %lock_file.display(), "removing a lock file left by a crash");
            std::fs::remove_file(lock_file)
                .with_context(|| format!("cannot remove {}", lock_file.display()))?;
        }
        Ok(())
    }

    /// Whether the PID in `lock_file` is not this cluster's server. A postmaster
    /// works in its data dir: the PID is our server only if that process's
    /// working directory is PGDATA. When in doubt (no /proc, no right to look)
    /// the lock file stands: removing a live server's lock file would make it
    /// shut down.
    fn is_stale(&self, lock_file: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some(pid) = std::fs::read_to_string(lock_file)
            .ok()
            .and_then(|content| content.lines().next()?.trim().parse::<u32>().ok())
        else {
            return false;
        };
        let (Ok(pgdata), true) = (
            std::fs::metadata(self.pgdata()),
            Path::new("/proc/self/cwd").exists(),
        ) else {
            return false;
        };
        match std::fs::metadata(format!("/proc/{pid}/cwd")) {
            Ok(cwd) => (cwd.dev(), cwd.ino()) != (pgdata.dev(), pgdata.ino()),
            // No such process, or a zombie: its working directory is gone.
            Err(error) => error.kind() == std::io::ErrorKind::NotFound,
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin_dir.join(program));
        // Root's working directory may be closed to the postgres user.
        command.current_dir(&self.data_dir);
        // Its own process group: a Ctrl-C in the terminal reaches Suivi, which
        // then stops the cluster cleanly, instead of reaching PostgreSQL directly.
        command.process_group(0);
        if let Some(user) = &self.user {
            command.uid(user.uid).gid(user.gid).env("HOME", &user.home);
        }
        command
    }

    fn run<I, S>(&self, program: &str, args: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("cannot run {}", self.bin_dir.join(program).display()))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "{program} failed ({}): {}{}",
            output.status,
            stderr.trim(),
            log_tail(&self.log_file())
        )
    }
}

async fn database_exists(connection: &mut PgConnection, database: &str) -> anyhow::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(connection)
        .await
        .context("cannot list the databases of the private cluster")
}

/// Takes the data dir's lock, held while a Suivi initialises, starts or stops
/// the cluster: two started at once would both run initdb, and one stopping the
/// cluster while another decides to reuse it would leave that one without a
/// server. The lock belongs to the open file, so even a crash releases it.
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = data_dir.join("suivi.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            tracing::info!(lock = %path.display(), "waiting for another Suivi starting or stopping the cluster");
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(error).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    Ok(file)
}

/// Where the cluster of a data dir that the postgres user cannot reach lives
/// (a data dir under root's private home, say): a folder of its own under
/// `/var/lib/suivi`, named after the data dir so that every start finds it again.
/// A note in the data dir says where the cluster went.
fn relocate(data_dir: &Path, user: &SystemUser) -> anyhow::Result<PathBuf> {
    let relocated = PathBuf::from(RELOCATION_ROOT).join(format!(
        "cluster-{:016x}",
        fnv1a(data_dir.as_os_str().as_encoded_bytes())
    ));
    std::fs::create_dir_all(&relocated)
        .with_context(|| format!("cannot create {}", relocated.display()))?;
    if !user.can_reach(&relocated) {
        bail!(
            "the postgres system user cannot reach {} nor {}: choose a --data-dir it can reach",
            data_dir.display(),
            relocated.display()
        );
    }
    let note = format!(
        "The PostgreSQL cluster of this data dir lives in {}\nbecause the postgres system user cannot reach this folder.\n",
        relocated.display()
    );
    std::fs::write(data_dir.join("CLUSTER-LOCATION.txt"), note)?;
    tracing::warn!(
        data_dir = %data_dir.display(),
        cluster = %relocated.display(),
        "the postgres user cannot reach the data dir: the cluster lives in a folder of its own"
    );
    Ok(relocated)
}

const RELOCATION_ROOT: &str = "/var/lib/suivi";

/// FNV-1a: a stable name for a path, the same on every start and Rust version.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The socket dir as one `pg_ctl -o` word: pg_ctl hands its `-o` options to
/// `/bin/sh -c`, and postgres reads `-k` as a comma-separated list, so a data dir
/// like `/home/marie/Mes documents/suivi/data` needs quoting for both.
fn socket_dir_option(dir: &Path) -> anyhow::Result<String> {
    let dir = dir.to_str().with_context(|| {
        format!(
            "the data dir path {} is not valid UTF-8: choose another --data-dir",
            dir.display()
        )
    })?;
    let listed = format!("\"{}\"", dir.replace('"', "\"\""));
    Ok(format!("'{}'", listed.replace('\'', r"'\''")))
}

/// The last lines of the server log, to explain a failed start in the error.
fn log_tail(log_file: &Path) -> String {
    match std::fs::read_to_string(log_file) {
        Ok(log) => {
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(5)..].join(" | ");
            format!(" — server log: {tail}")
        }
        Err(_) => String::new(),
    }
}

/// Finds the folder holding `initdb` and `pg_ctl`: the explicit one, else `PATH`,
/// else the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let not_found = "PostgreSQL server binaries not found (initdb, pg_ctl): install the Debian package `postgresql` or set PG_BIN";
    if let Some(dir) = explicit {
        if has_tools(dir) {
            return Ok(dir.to_owned());
        }
        bail!(
            "{not_found} (PG_BIN={} holds no initdb and pg_ctl)",
            dir.display()
        );
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|dir| has_tools(dir)) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).context(not_found)
}

fn is_root() -> bool {
    // The owner of our own /proc entry is our effective uid; no libc needed.
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

impl SystemUser {
    /// Whether this user may traverse every folder above `dir` (the kernel
    /// checks search permission on each one before PostgreSQL can open its files).
    fn can_reach(&self, dir: &Path) -> bool {
        dir.ancestors().skip(1).all(|ancestor| {
            let Ok(metadata) = std::fs::metadata(ancestor) else {
                return false;
            };
            use std::os::unix::fs::MetadataExt;
            let mode = metadata.mode();
            if metadata.uid() == self.uid {
                mode & 0o100 != 0
            } else if metadata.gid() == self.gid {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            }
        })
    }
}

/// The `postgres` account from /etc/passwd.
fn postgres_user() -> anyhow::Result<SystemUser> {
    let passwd = std::fs::read_to_string("/etc/passwd").context("cannot read /etc/passwd")?;
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() >= 6 && fields[0] == "postgres").then(|| {
                Some(SystemUser {
                    uid: fields[2].parse().ok()?,
                    gid: fields[3].parse().ok()?,
                    home: PathBuf::from(fields[5]),
                })
            })?
        })
        .context(
            "Suivi runs as root and PostgreSQL refuses to: create a `postgres` system user \
             (the Debian package `postgresql` does) or run Suivi as an ordinary user",
        )
}

#[cfg(test)]
mod tests;
