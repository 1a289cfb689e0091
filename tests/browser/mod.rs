//! A headless Chromium driven over the DevTools protocol, for the dashboard's browser
//! tests (`tests/dashboard.rs`) and benchmark (`benches/dashboard.rs`).
//!
//! Chromium is started with `--remote-debugging-pipe`: it reads protocol messages
//! (JSON, each ended by a NUL byte) on file descriptor 3 and writes on 4. A shell moves
//! our pipes there (`exec chromium … 3<&0 4>&1`), so no port is opened, no WebSocket
//! is needed and nothing leaves the machine. The profile is a fresh temporary directory
//! and every background service that could reach the network is switched off.
//!
//! [`Browser::launch`] gives `None` when no Chromium is installed: the caller skips on a
//! developer's machine and fails in CI (see [`require`]).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long one protocol call or wait may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The flags every run uses: headless, no sandbox (CI runs as root), nothing in the
/// background that could make a request.
pub const FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
];

/// The Chromium to run: `$GOLDENPATH_CHROMIUM`, or the first of `chromium`,
/// `chromium-browser`, `google-chrome` on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("GOLDENPATH_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A browser, or `None` with a message when Chromium is missing on a developer's
/// machine; in CI a missing Chromium fails the test (`.ci/run` installs it).
pub fn require() -> Option<Browser> {
    match find_chromium() {
        Some(path) => Some(Browser::launch(&path)),
        None => {
            assert!(
                !in_ci(),
                "Chromium is required in CI (.ci/run installs Debian's chromium package)"
            );
            eprintln!(
                "skipped: no Chromium (install Debian's `chromium` to run the browser tests)"
            );
            None
        }
    }
}

/// What the page did, from the protocol's events.
#[derive(Debug, Default)]
pub struct Log {
    /// Console messages of level error and uncaught exceptions, and browser log entries
    /// of level error (CSP violations are reported there).
    pub errors: Vec<String>,
    /// Console messages of level warning.
    pub warnings: Vec<String>,
    /// The URL of every request the page made.
    pub requests: Vec<String>,
    /// Messages of the JavaScript dialogs (`alert`, `confirm`, `prompt`) that opened.
    pub dialogs: Vec<String>,
}

/// One Chromium with one page.
pub struct Browser {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
    session: String,
    /// Events received while waiting for something else.
    pending: Vec<Value>,
    /// What the page did since the last [`Browser::take_log`].
    log: Log,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium at `path` and opens a blank page.
    pub fn launch(path: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null")
            .arg(path)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let input = child.stdin.take().expect("the pipe to Chromium");
        let output = child.stdout.take().expect("the pipe from Chromium");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            let mut message = Vec::new();
            loop {
                message.clear();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if message.last() == Some(&0) {
                            message.pop();
                        }
                        let Ok(value) = serde_json::from_slice::<Value>(&message) else {
                            continue;
                        };
                        if sender.send(value).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut browser = Browser {
            child,
            input,
            messages,
            next_id: 0,
            session: String::new(),
            pending: Vec::new(),
            log: Log::default(),
            _profile: profile,
        };
        let target = browser.call_on(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"]
            .as_str()
            .expect("a target id")
            .to_string();
        let attached = browser.call_on(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        for domain in ["Page", "Runtime", "Log", "Network"] {
            browser.call(&format!("{domain}.enable"), json!({}));
        }
        browser
    }

    fn receive(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("Chromium did not answer in {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("Chromium exited"),
        }
    }

    fn call_on(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).expect("a protocol message");
        bytes.push(0);
        self.input
            .write_all(&bytes)
            .and_then(|()| self.input.flush())
            .unwrap_or_else(|e| panic!("cannot write to Chromium: {e}"));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            if message["id"] == json!(id) {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            self.event(message);
        }
    }

    /// Calls `method` on the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call_on(Some(&session), method, params)
    }

    /// Records what an event says about the page; keeps it for [`Browser::wait_for`].
    fn event(&mut self, message: Value) {
        let params = &message["params"];
        match message["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled" => {
                let text: Vec<String> = params["args"]
                    .as_array()
                    .map(|args| {
                        args.iter()
                            .map(|a| {
                                a["value"]
                                    .as_str()
                                    .map(String::from)
                                    .unwrap_or_else(|| a["description"].to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match params["type"].as_str() {
                    Some("error" | "assert") => self.log.errors.push(text.join(" ")),
                    Some("warning") => self.log.warnings.push(text.join(" ")),
                    _ => {}
                }
            }
            "Runtime.exceptionThrown" => {
                let details = &params["exceptionDetails"];
                self.log.errors.push(format!(
                    "{} {}",
                    details["text"].as_str().unwrap_or(""),
                    details["exception"]["description"].as_str().unwrap_or("")
                ));
            }
            "Log.entryAdded" => {
                let entry = &params["entry"];
                if entry["level"] == "error" {
                    self.log.errors.push(format!(
                        "{}: {}",
                        entry["source"].as_str().unwrap_or(""),
                        entry["text"].as_str().unwrap_or("")
                    ));
                }
            }
            "Network.requestWillBeSent" => {
                if let Some(url) = params["request"]["url"].as_str() {
                    self.log.requests.push(url.to_string());
                }
            }
            "Page.javascriptDialogOpening" => {
                self.log
                    .dialogs
                    .push(params["message"].as_str().unwrap_or("").to_string());
                // Close it, or the page stops.
                let session = self.session.clone();
                self.next_id += 1;
                let mut bytes = serde_json::to_vec(&json!({
                    "id": self.next_id,
                    "sessionId": session,
                    "method": "Page.handleJavaScriptDialog",
                    "params": {"accept": false}
                }))
                .expect("a protocol message");
                bytes.push(0);
                let _ = self.input.write_all(&bytes);
            }
            _ => {}
        }
        if message.get("method").is_some() {
            self.pending.push(message);
        }
    }

    /// Waits for the event `method` (one that came in already counts).
    pub fn wait_for(&mut self, method: &str) -> Value {
        if let Some(at) = self.pending.iter().position(|m| m["method"] == method) {
            return self.pending.remove(at);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline);
            let is_it = message["method"] == method;
            self.event(message);
            if is_it {
                return self.pending.pop().expect("the event just kept");
            }
        }
    }

    /// Opens `url` and waits for its load event; gives the time from the navigation to
    /// the load event.
    pub fn open(&mut self, url: &str) -> Duration {
        self.pending.clear();
        let start = Instant::now();
        let navigated = self.call("Page.navigate", json!({"url": url}));
        if let Some(error) = navigated.get("errorText") {
            panic!("cannot open {url}: {error}");
        }
        // A load event of the page before (about:blank) may still come in: wait until
        // the document is the one asked for and complete.
        let deadline = Instant::now() + TIMEOUT;
        loop {
            self.wait_for("Page.loadEventFired");
            let state = self.eval("[decodeURI(location.href), document.readyState]");
            if state[0] == url && state[1] == "complete" {
                return start.elapsed();
            }
            assert!(Instant::now() < deadline, "{url} did not load: {state}");
        }
    }

    /// Opens the file at `path`.
    pub fn open_file(&mut self, path: &Path) -> Duration {
        let path = path.canonicalize().expect("the page exists");
        self.open(&format!("file://{}", path.display()))
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(details) = result.get("exceptionDetails") {
            panic!("{expression} threw: {details}");
        }
        result["result"]["value"].clone()
    }

    /// Presses a key (`Tab`, `Enter`, ` `…) on the focused element, as a keyboard does.
    pub fn press(&mut self, key: &str) {
        let (code, key_code, text) = match key {
            "Tab" => ("Tab", 9, ""),
            "Enter" => ("Enter", 13, "\r"),
            " " => ("Space", 32, " "),
            other => panic!("no key code for {other}"),
        };
        for kind in ["keyDown", "keyUp"] {
            let mut params = json!({
                "type": kind,
                "key": key,
                "code": code,
                "windowsVirtualKeyCode": key_code,
                "nativeVirtualKeyCode": key_code,
            });
            if kind == "keyDown" && !text.is_empty() {
                params["text"] = json!(text);
            }
            self.call("Input.dispatchKeyEvent", params);
        }
    }

    /// Lets the page's timers and events run (the search box waits 150 ms).
    pub fn settle(&mut self) {
        self.eval("new Promise(r => setTimeout(r, 300))");
    }

    /// What the page did since the last call.
    pub fn take_log(&mut self) -> Log {
        // Events that came in since the last call are read first.
        while let Ok(message) = self.messages.try_recv() {
            self.event(message);
        }
        std::mem::take(&mut self.log)
    }

    /// A PNG of the whole page, `width` CSS pixels wide.
    pub fn screenshot(&mut self, width: u64) -> Vec<u8> {
        use base64::Engine as _;
        let height = self.eval("document.documentElement.scrollHeight");
        let height = height.as_u64().unwrap_or(1000).clamp(200, 16_000);
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        );
        self.call("Emulation.clearDeviceMetricsOverride", json!({}));
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("a base64 PNG")
    }
}

impl Drop for Browser {
    /// Asks Chromium to close, and kills it when it has not within a few seconds.
    fn drop(&mut self) {
        self.next_id += 1;
        if let Ok(mut bytes) =
            serde_json::to_vec(&json!({"id": self.next_id, "method": "Browser.close"}))
        {
            bytes.push(0);
            let _ = self.input.write_all(&bytes);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
