use super::*;

/// A cluster started by a test, stopped even when the test panics midway so
/// that no postgres process outlives the test.
struct Running(Option<PrivateCluster>);

impl Running {
    async fn start(data_dir: &Path) -> Running {
        Running(Some(PrivateCluster::start(data_dir, None).await.unwrap()))
    }

    async fn stop(mut self) {
        if let Some(cluster) = self.0.take() {
            cluster.stop().await.unwrap();
        }
    }

    async fn connect(&self, database: &str) -> PgConnection {
        PgConnection::connect_with(&self.connect_options(database))
            .await
            .unwrap()
    }
}

impl std::ops::Deref for Running {
    type Target = PrivateCluster;

    fn deref(&self) -> &PrivateCluster {
        self.0.as_ref().expect("the cluster is running")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Blocking in drop is the only way to run during a panic; fine in tests.
        if let Some(cluster) = self.0.take().filter(|cluster| cluster.started_here) {
            if let Err(error) = cluster.stop_blocking() {
                eprintln!("cannot stop the test cluster: {error:#}");
            }
        }
    }
}

/// Removes a folder outside the test's temporary dir, even on panic.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Under /tmp rather than $TMPDIR, which may be too long for a socket path.
fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .unwrap()
}

#[test]
fn a_wrong_pg_bin_names_the_package_to_install() {
    let error = find_bin_dir(Some(Path::new("/nonexistent")))
        .unwrap_err()
        .to_string();
    assert!(error.contains("`postgresql`"), "{error}");
    assert!(error.contains("PG_BIN=/nonexistent"), "{error}");
}

/// As root with a data dir in a private folder (like /root), the cluster
/// moves to a folder the postgres user can reach, and is found again.
#[tokio::test]
async fn a_data_dir_the_postgres_user_cannot_reach_is_relocated() {
    if !is_root() {
        return;
    }
    let private = temp_dir("suivi-private");
    std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let data_dir = private.path().join("data");
    let expected = PathBuf::from(RELOCATION_ROOT).join(format!(
        "cluster-{:016x}",
        fnv1a(
            private
                .path()
                .canonicalize()
                .unwrap()
                .join("data")
                .as_os_str()
                .as_encoded_bytes()
        )
    ));
    // Declared before the clusters, so dropped after they have stopped.
    let _relocated = RemoveOnDrop(expected.clone());

    let cluster = Running::start(&data_dir).await;
    assert_eq!(cluster.socket_dir(), expected);
    cluster.ensure_database("suivi").await.unwrap();
    cluster.stop().await;
    let note = std::fs::read_to_string(data_dir.join("CLUSTER-LOCATION.txt")).unwrap();
    assert!(note.contains(&expected.display().to_string()), "{note}");

    let again = Running::start(&data_dir).await;
    assert_eq!(
        again.socket_dir(),
        expected,
        "the same cluster on every start"
    );
    again.stop().await;
}

#[test]
fn reachability_follows_the_permission_bits() {
    let user = SystemUser {
        uid: 4_000_000,
        gid: 4_000_000,
        home: PathBuf::from("/"),
    };
    let dir = temp_dir("suivi-reach");
    let inner = dir.path().join("data");
    std::fs::create_dir(&inner).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(user.can_reach(&inner));
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(!user.can_reach(&inner));
}

/// `./data` under a folder like "Mes documents": pg_ctl's shell and the
/// socket dir list must both see one path.
#[tokio::test]
async fn a_data_dir_path_with_spaces_commas_and_quotes_works() {
    let dir = temp_dir("suivi-pg");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = dir.path().join("l'été, mes données");
    let cluster = Running::start(&data_dir).await;
    assert_eq!(cluster.socket_dir(), data_dir.canonicalize().unwrap());
    let mut db = cluster.connect("postgres").await;
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(one, 1);
    db.close().await.unwrap();
    cluster.stop().await;
}

#[tokio::test]
async fn a_data_dir_path_too_long_for_a_socket_is_refused() {
    let dir = temp_dir("suivi-pg");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = dir.path().join("d".repeat(MAX_SOCKET_DIR_LEN));
    let error = PrivateCluster::start(&data_dir, None)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("too long for a Unix socket"), "{error}");
    assert!(!data_dir.join("pg").exists(), "refused before initdb");
}

#[test]
fn the_socket_dir_is_quoted_for_the_shell_and_the_list() {
    assert_eq!(
        socket_dir_option(Path::new("/a b/l'x, \"y\"")).unwrap(),
        r#"'"/a b/l'\''x, ""y"""'"#
    );
}

/// After a crash, postmaster.pid may name a live process that is not the
/// server: here a `sleep` of the cluster's user, as after a container restart.
#[tokio::test]
async fn a_lock_file_naming_another_process_does_not_block_a_start() {
    let dir = temp_dir("suivi-pg");
    let data_dir = dir.path().join("data");
    Running::start(&data_dir).await.stop().await;

    let mut sleep = Command::new("sleep");
    sleep.arg("60").current_dir("/");
    if is_root() {
        let user = postgres_user().unwrap();
        sleep.uid(user.uid).gid(user.gid);
    }
    let mut sleep = sleep.spawn().unwrap();
    let lock_file = data_dir.join("pg/postmaster.pid");
    std::fs::write(&lock_file, format!("{}\n", sleep.id())).unwrap();
    let cluster = PrivateCluster::start(&data_dir, None).await;
    sleep.kill().unwrap();
    sleep.wait().unwrap();
    let cluster = Running(Some(cluster.unwrap()));
    assert!(cluster.started_here, "started, not mistaken for running");
    let mut db = cluster.connect("postgres").await;
    sqlx::query("SELECT 1").execute(&mut db).await.unwrap();
    db.close().await.unwrap();
    cluster.stop().await;
}

/// A server killed outright (kill -9, the OOM killer) leaves its lock file;
/// the next start recovers.
#[tokio::test]
async fn a_killed_server_starts_again() {
    let dir = temp_dir("suivi-pg");
    let data_dir = dir.path().join("data");
    let cluster = Running::start(&data_dir).await;
    cluster.ensure_database("suivi").await.unwrap();
    let mut db = cluster.connect("suivi").await;
    sqlx::query("CREATE TABLE kept AS SELECT 'committed' AS v")
        .execute(&mut db)
        .await
        .unwrap();
    drop(db);
    let lock_file = data_dir.join("pg/postmaster.pid");
    let pid = std::fs::read_to_string(&lock_file).unwrap();
    let pid = pid.lines().next().unwrap();
    let killed = Command::new("kill").args(["-9", pid]).status().unwrap();
    assert!(killed.success());
    // kill returns before the process is gone; a crash is long over by the
    // next start.
    let cwd = PathBuf::from(format!("/proc/{pid}/cwd"));
    for _ in 0..100 {
        if std::fs::metadata(&cwd).is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The crash: nobody stops it.
    std::mem::forget(cluster);

    let cluster = Running::start(&data_dir).await;
    assert!(cluster.started_here);
    let mut db = cluster.connect("suivi").await;
    let value: String = sqlx::query_scalar("SELECT v FROM kept")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(value, "committed");
    db.close().await.unwrap();
    cluster.stop().await;
}

/// Two Suivi started at once on a fresh data dir (two commands of a script):
/// one creates and starts the cluster, the other waits and reuses it.
#[tokio::test]
async fn two_starts_at_once_share_one_cluster() {
    let dir = temp_dir("suivi-pg");
    let data_dir = dir.path().join("data");
    let (a, b) = tokio::join!(
        PrivateCluster::start(&data_dir, None),
        PrivateCluster::start(&data_dir, None)
    );
    // Both guarded before either is unwrapped, so a started one gets stopped.
    let (a, b) = (a.map(|a| Running(Some(a))), b.map(|b| Running(Some(b))));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.started_here != b.started_here, "exactly one starts it");
    let (created_a, created_b) =
        tokio::join!(a.ensure_database("suivi"), b.ensure_database("suivi"));
    created_a.unwrap();
    created_b.unwrap();

    let (starter, reuser) = if a.started_here { (a, b) } else { (b, a) };
    reuser.stop().await;
    let mut db = starter.connect("suivi").await;
    sqlx::query("SELECT 1").execute(&mut db).await.unwrap();
    db.close().await.unwrap();
    starter.stop().await;
}

#[tokio::test]
async fn the_cluster_keeps_its_data_across_restarts() {
    let dir = temp_dir("suivi-pg");
    let data_dir = dir.path().join("data");

    let cluster = Running::start(&data_dir).await;
    assert!(cluster.started_here);
    cluster.ensure_database("suivi").await.unwrap();
    let mut db = cluster.connect("suivi").await;
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(one, 1);
    sqlx::query("CREATE TABLE kept (v TEXT)")
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO kept VALUES ('still here')")
        .execute(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    cluster.stop().await;
    assert!(!data_dir.join("pg/postmaster.pid").exists(), "stopped");

    let cluster = Running::start(&data_dir).await;
    let second = Running::start(&data_dir).await;
    assert!(
        !second.started_here,
        "a running cluster is reused, not started twice"
    );
    second.stop().await;
    let mut db = cluster.connect("suivi").await;
    let value: String = sqlx::query_scalar("SELECT v FROM kept")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(value, "still here", "kept across a restart");
    db.close().await.unwrap();
    cluster.stop().await;
}
