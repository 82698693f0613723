//! The real `suivi` binary with no `DATABASE_URL`: it creates its private cluster
//! in a fresh data dir, serves, stops cleanly on SIGTERM, and finds its data
//! again on the next start.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(data_dir: &Path, demo: bool) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_suivi"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(demo.then_some("--demo"))
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("suivi starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("Suivi: http://")
            .and_then(|rest| rest.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Server { child, address }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.request("GET", path, "", "");
        (status, body)
    }

    /// A raw HTTP/1.0 exchange: status, the session and login-form cookies set
    /// (as a `Cookie` header value, empty if none), body.
    fn request(&self, method: &str, path: &str, cookie: &str, form: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            self.address,
            form.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        // The login form's CSRF token comes in its own cookie, not the session.
        let cookies = head
            .lines()
            .filter_map(|line| line.split_once(": "))
            .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, value)| value.split(';').next())
            .filter(|pair| pair.starts_with("suivi_session=") || pair.starts_with("suivi_csrf="))
            .collect::<Vec<_>>()
            .join("; ");
        (status, cookies, body.to_owned())
    }

    /// Signs in as the demo admin through the login form; returns the cookie.
    fn sign_in(&self) -> String {
        let (_, cookie, form) = self.request("GET", "/login", "", "");
        let token = form
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF token in the login form");
        let body = format!("csrf={token}&login=admin&password=suivi-demo&next=%2F");
        let (status, signed_in, _) = self.request("POST", "/login", &cookie, &body);
        assert_eq!(status, 303, "the demo admin signs in");
        if signed_in.is_empty() {
            cookie
        } else {
            signed_in
        }
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if TcpStream::connect(&self.address).is_ok()
                && self.get("/healthz") == (200, "ok".to_owned())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("/healthz never answered ok");
    }

    /// SIGTERM, as a service manager would, then wait for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "suivi exited with {exit}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only reached when a test fails midway: do not leave a server behind.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
    }
}

#[test]
fn restarts_on_its_private_cluster_with_data_intact() {
    let dir = tempfile::Builder::new()
        .prefix("suivi-bin")
        .tempdir_in("/tmp")
        .unwrap();
    let data_dir = dir.path().join("data");

    let server = Server::start(&data_dir, true);
    server.wait_healthy();
    let cookie = server.sign_in();
    let (status, _, agency) = server.request("GET", "/agencies/ANASER", &cookie, "");
    assert_eq!(status, 200);
    assert!(agency.contains("Projet Annuel de Performance 2025"));
    server.stop();
    assert!(
        !data_dir.join("pg/postmaster.pid").exists(),
        "the cluster stopped with Suivi"
    );

    // Start again without --demo: the data can only come from the first run.
    // The login session is in PostgreSQL too: the cookie still works.
    let server = Server::start(&data_dir, false);
    server.wait_healthy();
    let (status, _, agency) = server.request("GET", "/agencies/ANASER", &cookie, "");
    assert_eq!(status, 200);
    assert_eq!(
        agency.matches("data-plan=").count(),
        2,
        "both ANASER plans are still there"
    );
    server.stop();
    assert!(!data_dir.join("pg/postmaster.pid").exists());
}
