//! The harness of the browser tests: Suivi served on a real TCP port over a
//! test database holding the demo data, a `chromedriver` child process, and
//! one headless Chromium session driven over WebDriver (fantoccini). Its
//! helpers act as a person would (sign in, fill a form, submit, read what the
//! page shows, download a file) and keep screenshots, PDFs and downloaded
//! files in `test-output/`.
//!
//! Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`;
//! `.ci/run` installs them). Without them a test fails, saying what to
//! install: a browser test that passes without a browser would hide that it
//! never ran. `SUIVI_SKIP_BROWSER=1` is the explicit opt-out, and then each
//! test says it is skipped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::wd::{Capabilities, PrintConfiguration};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use sqlx::PgPool;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;

use crate::common::{demo_app, DEMO_PASSWORD};

/// How long to wait for an element, a page or chromedriver before failing.
const PATIENCE: Duration = Duration::from_secs(15);
/// How often to look again while waiting.
const POLL: Duration = Duration::from_millis(20);
/// How long a download may take (a yearly report in a debug build).
const DOWNLOAD_PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium looking at a Suivi served over a test database.
pub struct Browser {
    client: Client,
    /// `http://127.0.0.1:PORT`, where the app listens.
    base: String,
    /// Where Chromium saves downloads, in the profile's folder.
    downloads: PathBuf,
    /// Aborted on drop; then chromedriver and its browser end, and only
    /// then is the profile they used removed (fields drop in this order).
    server: JoinHandle<()>,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Loads the demo data into `pool`, serves Suivi over it and opens a
    /// browser; `None` (with a message) when Chromium is not installed.
    pub async fn start(pool: &PgPool) -> Option<Browser> {
        let (chromium, chromedriver) = installed_browser()?;
        let app = demo_app(pool).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the app serves");
        });
        let profile = tempfile::tempdir().unwrap();
        let downloads = profile.path().join("downloads");
        std::fs::create_dir(&downloads).unwrap();
        let driver = Driver::start(&chromedriver, profile.path()).await;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&chromium, profile.path(), &downloads))
            .connect(&driver.url)
            .await
            .unwrap_or_else(|error| panic!("a Chromium session through chromedriver: {error}"));
        Some(Browser {
            client,
            base,
            downloads,
            server,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Ends the browser session cleanly (a failing test skips this: dropping
    /// the `Browser` kills chromedriver and its browser instead).
    pub async fn close(self) {
        self.client.clone().close().await.expect("the session ends");
    }

    /// Opens `path` (e.g. `/plans/3`) and waits for the page to load.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|error| panic!("open {path}: {error}"));
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Signs in through the login form as a demo user; waits for the
    /// signed-in page and checks the user's name is in its header.
    pub async fn sign_in(&self, login: &str) {
        self.open("/login").await;
        self.fill(
            "form#login",
            &[("login", login), ("password", DEMO_PASSWORD)],
        )
        .await;
        self.submit("form#login").await;
        assert_eq!(
            self.count("#login-failed").await,
            0,
            "{login} signs in with the demo password"
        );
        let account = self.wait_for("header #account").await;
        assert!(
            !account.text().await.unwrap().trim().is_empty(),
            "{login} is signed in (the header names the user)"
        );
    }

    /// Types `fields` (name, value) into the form matching `form_css`, as a
    /// person would: text is typed over what was there, a select gets the
    /// option with that value, other inputs (dates, hidden) are set directly
    /// (typing a date depends on the browser's locale).
    pub async fn fill(&self, form_css: &str, fields: &[(&str, &str)]) {
        let form = self.wait_for(form_css).await;
        for (name, value) in fields {
            let css = format!("[name=\"{name}\"]");
            let field = form
                .find(Locator::Css(&css))
                .await
                .unwrap_or_else(|error| panic!("{form_css} {css}: {error}"));
            let tag = field.tag_name().await.unwrap().to_ascii_lowercase();
            let kind = field.attr("type").await.unwrap().unwrap_or_default();
            match (tag.as_str(), kind.as_str()) {
                ("select", _) => field.select_by_value(value).await.unwrap_or_else(|error| {
                    panic!("{form_css} {css}: no option {value:?}: {error}")
                }),
                ("textarea", _)
                | ("input", "" | "text" | "password" | "search" | "number" | "email") => {
                    field.clear().await.unwrap();
                    field.send_keys(value).await.unwrap();
                }
                // A file is chosen by its path, as the file picker would.
                ("input", "file") => field.send_keys(value).await.unwrap(),
                _ => self.set_value(&field, value).await,
            }
        }
    }

    /// Sets a field's value through the DOM and tells the page it changed.
    async fn set_value(&self, field: &Element, value: &str) {
        let script = "const [field, value] = arguments; field.value = value; \
                      field.dispatchEvent(new Event('input', { bubbles: true })); \
                      field.dispatchEvent(new Event('change', { bubbles: true }));";
        let element = serde_json::to_value(field).unwrap();
        self.client
            .execute(script, vec![element, json!(value)])
            .await
            .unwrap();
    }

    /// Clicks the submit button of the form matching `form_css` and waits
    /// until the answer has replaced the page.
    pub async fn submit(&self, form_css: &str) {
        let button = self
            .wait_for(&format!(
                "{form_css} button[type=submit], {form_css} input[type=submit]"
            ))
            .await;
        self.replacing_page(button.click()).await;
    }

    /// Fills the form matching `form_css` with `fields` and submits it: one
    /// step of data entry (the progress form, or the rows of a bulk grid by
    /// their input names).
    pub async fn fill_and_submit(&self, form_css: &str, fields: &[(&str, &str)]) {
        self.fill(form_css, fields).await;
        self.submit(form_css).await;
    }

    /// Sends a POST to `action` from the page shown, as a forged form would:
    /// the browser's own cookies go with it, and `fields` are what it sends.
    /// The page shown afterwards is the answer.
    pub async fn post_from_page(&self, action: &str, fields: &[(&str, &str)]) {
        // Built with DOM calls (the CSP forbids inline script, not the
        // WebDriver's own), submitted like any form.
        let script = "const [action, fields] = arguments; \
                      const form = document.createElement('form'); \
                      form.method = 'post'; form.action = action; \
                      for (const [name, value] of fields) { \
                        const input = document.createElement('input'); \
                        input.type = 'hidden'; input.name = name; input.value = value; \
                        form.appendChild(input); \
                      } \
                      document.body.appendChild(form); \
                      form.submit();";
        let fields: Vec<Value> = fields.iter().map(|(n, v)| json!([n, v])).collect();
        let args = vec![json!(action), Value::Array(fields)];
        self.replacing_page(self.client.execute(script, args)).await;
    }

    /// Runs `action` (a click, a submit), then waits until the page it was
    /// run on is gone and the new one has loaded.
    async fn replacing_page<T>(
        &self,
        action: impl std::future::Future<Output = Result<T, CmdError>>,
    ) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        action.await.expect("the action runs");
        self.wait_until("the next page", || async {
            matches!(
                old.tag_name().await,
                Err(CmdError::Standard(error)) if error.error == ErrorStatus::StaleElementReference
            )
        })
        .await;
        self.wait_until("the page to load", || async {
            self.client
                .execute("return document.readyState", vec![])
                .await
                .is_ok_and(|state| state == "complete")
        })
        .await;
    }

    /// The HTTP status of the page shown (the Navigation Timing API tells it).
    pub async fn status(&self) -> u16 {
        let status = self
            .client
            .execute(
                "return performance.getEntriesByType('navigation')[0].responseStatus",
                vec![],
            )
            .await
            .unwrap();
        status
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or_else(|| panic!("no response status: {status}"))
    }

    /// Waits for an element matching `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(PATIENCE)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(error) => panic!("waiting for {css} on {}: {error}", self.path().await),
        }
    }

    async fn wait_until<F, Fut>(&self, what: &str, mut ready: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !ready().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited {PATIENCE:?} for {what}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// The text of the one element matching `css` (waited for), with its
    /// whitespace (non-breaking spaces included) made single spaces.
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        let count = self.count(css).await;
        assert_eq!(count, 1, "expected one match for {css}, got {count}");
        normalize(&element.text().await.unwrap())
    }

    /// The texts of every element matching `css` on the page shown.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            texts.push(normalize(&element.text().await.unwrap()));
        }
        texts
    }

    /// The value of `attribute` on every element matching `css`.
    pub async fn attrs(&self, css: &str, attribute: &str) -> Vec<String> {
        let mut values = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            if let Some(value) = element.attr(attribute).await.unwrap() {
                values.push(value);
            }
        }
        values
    }

    /// How many elements match `css` on the page shown (no waiting: for what
    /// must be absent, ask once the page is known to be there).
    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Clicks the element matching `css` (a link) and waits for the new page.
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        self.replacing_page(element.click()).await;
    }

    /// Clicks the link matching `css` to a file the server sends as an
    /// attachment, waits until Chromium has saved it whole (no `.crdownload`
    /// left, its size settled), and returns its path in the download folder;
    /// a copy goes to `test-output/`. The page shown stays.
    pub async fn download(&self, css: &str) -> PathBuf {
        let before = self.downloaded();
        let link = self.wait_for(css).await;
        link.click()
            .await
            .unwrap_or_else(|error| panic!("click {css}: {error}"));
        let deadline = tokio::time::Instant::now() + DOWNLOAD_PATIENCE;
        let mut last_size = None;
        loop {
            let files = self.downloaded();
            let partial = files
                .iter()
                .any(|f| f.extension().is_some_and(|e| e == "crdownload"));
            let new: Vec<&PathBuf> = files.iter().filter(|f| !before.contains(f)).collect();
            if let [file] = new.as_slice() {
                if !partial {
                    let size = std::fs::metadata(file).map(|m| m.len()).ok();
                    // Seen twice with the same size: Chromium is done with it.
                    if size.is_some() && size == last_size {
                        let copy = file.file_name().unwrap().to_string_lossy();
                        save(&format!("download-{copy}"), &std::fs::read(file).unwrap());
                        return (*file).clone();
                    }
                    last_size = size;
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited {DOWNLOAD_PATIENCE:?} for the download from {css}; the folder holds {files:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The files in the download folder (partial ones included).
    fn downloaded(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.downloads)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        files
    }

    /// Sets the window so that the page's viewport is `width` × `height` CSS
    /// pixels (a phone held upright is 390 × 844), whatever the browser's frame.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
        let inner = self
            .script("return [window.innerWidth, window.innerHeight]", vec![])
            .await;
        let inner: Vec<i64> = serde_json::from_value(inner).unwrap();
        let (dw, dh) = (i64::from(width) - inner[0], i64::from(height) - inner[1]);
        if (dw, dh) != (0, 0) {
            self.client
                .set_window_size(
                    u32::try_from(i64::from(width) + dw).unwrap(),
                    u32::try_from(i64::from(height) + dh).unwrap(),
                )
                .await
                .expect("the window resizes");
        }
    }

    /// Runs `script` in the page (WebDriver's own scripts are not bound by the
    /// page's Content-Security-Policy) and returns what it returns.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}"))
    }

    /// Runs an asynchronous `script`, which ends by calling its last argument.
    pub async fn script_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(script, args)
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}"))
    }

    /// Saves a PNG of the window into `test-output/NAME.png`; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        save(&format!("{name}.png"), &png)
    }

    /// Prints the page to PDF through WebDriver (A4 portrait, backgrounds
    /// kept, the print stylesheet applies), saved into `test-output/NAME.pdf`;
    /// returns its bytes.
    pub async fn print_pdf(&self, name: &str) -> Vec<u8> {
        let configuration = PrintConfiguration::builder()
            .orientation(fantoccini::wd::PrintOrientation::Portrait)
            .size(fantoccini::wd::PrintSize::A4)
            .background(true)
            .build()
            .unwrap();
        let pdf = self.client.print(configuration).await.expect("a PDF");
        save(&format!("{name}.pdf"), &pdf);
        pdf
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Whitespace of any kind as single spaces, trimmed.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `bytes` into `test-output/NAME` (gitignored) for people to look at.
fn save(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Chromium and chromedriver, or `None` when absent and not required.
fn installed_browser() -> Option<(PathBuf, PathBuf)> {
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = on_path(&["chromedriver"]);
    let skip = std::env::var("SUIVI_SKIP_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0");
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some((chromium, chromedriver)),
        (chromium, _) => {
            let missing = if chromium.is_none() {
                "Chromium (apt-get install chromium chromium-driver)"
            } else {
                "chromedriver (apt-get install chromium-driver)"
            };
            assert!(
                skip,
                "{missing} is not installed: install it, or set SUIVI_SKIP_BROWSER=1 to skip the browser tests"
            );
            eprintln!("skipped (SUIVI_SKIP_BROWSER): {missing} is not installed");
            None
        }
    }
}

/// The first of `names` found in a folder of `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// What the browser session asks of Chromium: headless, no sandbox (tests
/// may run as root), a tall window, French first, a profile of its own,
/// downloads saved into `downloads` without asking, and no attempt to reach
/// the network the machine does not have.
fn capabilities(chromium: &Path, profile: &Path, downloads: &Path) -> Capabilities {
    let options = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1800",
                "--lang=fr-FR",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.join("chromium").display()),
            ],
            "prefs": {
                "intl.accept_languages": "fr-FR,fr",
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            },
        },
    });
    match options {
        Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// A chromedriver child process, in a process group of its own so that the
/// Chromium it starts is ended with it.
struct Driver {
    child: Child,
    /// The WebDriver endpoint, `http://127.0.0.1:PORT`.
    url: String,
}

impl Driver {
    async fn start(chromedriver: &Path, profile: &Path) -> Driver {
        let mut child = Command::new(chromedriver)
            // Port 0: chromedriver picks a free one and says which.
            .arg("--port=0")
            .arg(format!(
                "--log-path={}",
                profile.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("{} starts: {error}", chromedriver.display()));
        let stdout = child.stdout.take().unwrap();
        let port = tokio::time::timeout(PATIENCE, announced_port(stdout))
            .await
            .expect("chromedriver starts in time");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

/// Reads chromedriver's output until it says which port it listens on, then
/// keeps reading it (so that it never blocks on a full pipe).
async fn announced_port(stdout: ChildStdout) -> u16 {
    const READY: &str = "started successfully on port ";
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some((_, rest)) = line.split_once(READY) {
            let port = rest.trim_end_matches('.').trim().parse().expect("a port");
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return port;
        }
    }
    panic!("chromedriver stopped before listening");
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started
        // (after a clean `close` only chromedriver is left).
        if let Some(group) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
    }
}
