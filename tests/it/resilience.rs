//! The service under conditions it does not choose: PostgreSQL going away and
//! coming back, clients that send their headers slowly or never, more
//! connections than the server keeps. Real sockets, real clusters; no
//! assertion on how fast, only on what is answered (generous deadlines keep a
//! broken server from hanging the suite).

use std::time::{Duration, Instant};

use crate::common::*;
use axum::http::StatusCode;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use suivi::postgres::PrivateCluster;
use suivi::web::server::{serve, ConnectionLimits};

/// A page through the router, with its `Retry-After`.
async fn status_of(client: &mut Client, uri: &str) -> (StatusCode, String) {
    let page = client.get(uri).await;
    (page.status, page.body)
}

#[tokio::test]
async fn a_database_outage_is_a_503_and_recovers_without_a_restart() {
    let dir = tempfile::Builder::new()
        .prefix("suivi-outage-")
        .tempdir_in("/tmp")
        .unwrap();
    let data_dir = dir.path().join("data");
    let cluster = PrivateCluster::start(&data_dir, None).await.unwrap();
    cluster.ensure_database("suivi").await.unwrap();
    let pool: PgPool = PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(suivi::db::ACQUIRE_TIMEOUT)
        .connect_with(cluster.connect_options("suivi"))
        .await
        .unwrap();
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let app = demo_app(&pool).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    assert_eq!(
        status_of(&mut board, "/agencies/ANASER").await.0,
        StatusCode::OK
    );

    // Readers keep asking while the cluster stops under them.
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..6 {
                    statuses.push(get(&app, "/healthz").await.status);
                }
                statuses
            })
        })
        .collect();
    cluster.stop().await.unwrap();
    for reader in readers {
        for status in reader.await.unwrap() {
            assert!(
                status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
                "{status} while the database stops"
            );
        }
    }

    let started = Instant::now();
    let page = board.get("/agencies/ANASER").await;
    let waited = started.elapsed();
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.content_type.starts_with("text/html"));
    assert!(page
        .text(".message")
        .contains("La base de données ne répond pas"));
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    println!("outage: a signed-in page answered 503 after {waited:?}");

    // Back up: the same pool and the same session work again.
    let cluster = PrivateCluster::start(&data_dir, None).await.unwrap();
    let mut recovered = None;
    for _ in 0..20 {
        let (status, _) = status_of(&mut board, "/agencies/ANASER").await;
        if status == StatusCode::OK {
            recovered = Some(status);
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(recovered, Some(StatusCode::OK), "the pool reconnects");
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
    pool.close().await;
    cluster.stop().await.unwrap();
}

/// Reads until the server closes the connection; what it sent before.
async fn read_until_closed(stream: &mut TcpStream, deadline: Duration) -> Option<String> {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(deadline, stream.read_to_end(&mut received)).await;
    match outcome {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(_) => None,
    }
}

#[sqlx::test]
async fn slow_and_surplus_clients_cannot_hold_the_server(pool: PgPool) {
    let app = app(&pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 2,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, limits, async {
        let _ = stopped.await;
    }));

    // Two clients take both slots and never finish their headers.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /static/suivi.css HTTP/1.1\r\nHost: suivi\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    // A third, well-behaved client waits for a slot, then is served.
    let mut patient = TcpStream::connect(address).await.unwrap();
    patient
        .write_all(b"GET /static/suivi.css HTTP/1.1\r\nHost: suivi\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut patient, Duration::from_secs(30))
        .await
        .expect("the third client is served once a slot frees");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // It could only be served because the slow ones were cut off.
    for stream in &mut slow {
        let sent = read_until_closed(stream, Duration::from_secs(30))
            .await
            .expect("a client that never finishes its headers is disconnected");
        assert!(!sent.contains("200 OK"), "{sent}");
    }
    stop.send(()).unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn a_database_that_hangs_is_a_503_after_the_acquire_timeout() {
    // A "server" that accepts connections and never answers: what a
    // PostgreSQL behind a dead network path looks like. The pool gives up
    // after its acquire timeout instead of holding the reader.
    let blackhole = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = blackhole.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = blackhole.accept().await {
            sockets.push(socket);
        }
    });
    let options = sqlx::postgres::PgConnectOptions::new()
        .host("127.0.0.1")
        .port(port)
        .username("suivi");
    let pool = PgPoolOptions::new()
        .acquire_timeout(suivi::db::ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    let app = app(&pool);

    let started = Instant::now();
    let health = get(&app, "/healthz").await;
    println!(
        "hung database: /healthz answered after {:?}",
        started.elapsed()
    );
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);

    // A reader with a session: the session store is the database too.
    let started = Instant::now();
    let page = get_with(
        &app,
        "/agencies/ANASER",
        &[("cookie", "suivi_session=AAAAAAAAAAAAAAAAAAAAAA")],
    )
    .await;
    println!(
        "hung database: a signed-in page answered after {:?}",
        started.elapsed()
    );
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.text(".message").contains("réessayez"));
    held.abort();
}

/// Whether the pool's one connection, once used again, is still inside a
/// transaction some earlier borrower left open, as another connection sees
/// it (a queued ROLLBACK goes out with that next use).
async fn left_in_a_transaction(pool: &PgPool, observer: &mut sqlx::PgConnection) -> bool {
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap();
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_optional(&mut *observer)
            .await
            .unwrap();
    state.is_some_and(|s| s.starts_with("idle in transaction"))
}

/// A request dropped while its transaction begins (a browser cancelling a
/// download, a client gone) must not hand the next request a connection
/// inside that transaction: its statements would read a stale snapshot and
/// its writes be lost. sqlx's own `begin()` does, when dropped during the
/// BEGIN round trip (launchbadge/sqlx#4393, in 0.8.6 and 0.9.0: with
/// `pool.begin()` here, 5 or 6 of 400 are left inside); Suivi's `db::begin`,
/// which every write goes through, does not.
#[sqlx::test]
async fn a_transaction_dropped_while_it_begins_leaves_no_connection_inside_it(
    options: sqlx::pool::PoolOptions<sqlx::Postgres>,
    connect: sqlx::postgres::PgConnectOptions,
) {
    use sqlx::Connection;
    let mut observer = sqlx::PgConnection::connect_with(&connect).await.unwrap();
    let pool = options
        .max_connections(1)
        .connect_with(connect)
        .await
        .unwrap();
    sqlx::query("SELECT 1").execute(&pool).await.unwrap();
    const ROUNDS: u64 = 400;
    let mut leaked = 0;
    for round in 0..ROUNDS {
        // Given up after a few tens of microseconds: at some of them, the
        // BEGIN is sent and its answer not yet read.
        let begun = tokio::time::timeout(
            Duration::from_micros(2 * (round % 100)),
            suivi::db::begin(&pool),
        )
        .await;
        drop(begun);
        if left_in_a_transaction(&pool, &mut observer).await {
            leaked += 1;
        }
    }
    assert_eq!(
        leaked, 0,
        "{leaked} of {ROUNDS} connections left inside a transaction"
    );
}
