//! `serve`: the site from memory, rebuilt when the book changes, with live reload.
//!
//! A watcher turns bursts of file events into one `watch::Plan`; one rebuild thread applies
//! plans to the `site::Engine`, which swaps the changed files into the in-memory site at once;
//! only then are open pages told to reload (server-sent events). The search bundle is refreshed
//! afterwards on its own thread. Nothing is written into the book: the search bundle is built in
//! a private scratch folder under the system's temporary folder (removed when `serve` stops) and
//! read into memory.
//!
//! The server answers only for the host names in `host::Hosts` (DNS rebinding), closes
//! connections that do not send a request's headers within [`Limits::header_timeout`], and holds
//! at most [`Limits::max_connections`] connections at once.

pub mod host;
pub(crate) mod site;
pub(crate) mod watch;

use crate::diagnostic::Diagnostic;
use crate::text::Layout;
use anyhow::Context;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use site::{Engine, Outcome, Store};
use std::collections::HashSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use watch::Plan;

/// Where the live-reload endpoints live; no page of a site can be there.
pub(crate) const LIVE_PREFIX: &str = "/__retrobook/";

/// How long the watcher waits for a burst of events to end before rebuilding.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(40);

/// Options of `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The book's folder.
    pub root: PathBuf,
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// The day overdue actions and ages are counted from; None means the real today.
    pub today: Option<Date>,
    /// Print a line per rebuild to stderr.
    pub log: bool,
    /// Host names answered besides loopback names and IP addresses that reach the server
    /// (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// What one client may hold of the server.
    pub limits: Limits,
}

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a connection may take to send the headers of a request, and stay idle between
    /// requests; then it is closed. A response being sent (the live-reload event stream) is not
    /// limited.
    pub header_timeout: Duration,
    /// Connections served at once; more wait in the system's queue until one closes.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { header_timeout: Duration::from_secs(10), max_connections: 256 }
    }
}

/// A message to open pages.
#[derive(Debug, Clone)]
enum Live {
    /// Every file of this generation is in place: reload.
    Reload(u64),
    /// The book has errors (JSON array of diagnostics).
    Errors(Arc<String>),
    /// The errors are fixed.
    Ok,
}

#[derive(Clone)]
struct App {
    store: Arc<Store>,
    live: broadcast::Sender<Live>,
}

/// A running server: its address, and what keeps it alive.
pub struct Server {
    /// The address it listens on (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The site being served.
    pub store: Arc<Store>,
    runtime: tokio::runtime::Runtime,
    _watcher: Arc<Mutex<Watcher>>,
    /// The search scratch folder; `None` once removed.
    scratch: Arc<Mutex<Option<tempfile::TempDir>>>,
}

type Watcher = notify_debouncer_full::Debouncer<notify::RecommendedWatcher, notify_debouncer_full::RecommendedCache>;

impl Server {
    /// Serves until Ctrl-C (or, on Unix, SIGTERM); then stops, removing the scratch folder.
    pub fn wait(self) {
        self.runtime.block_on(stop_signal());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Waits for a running search refresh, so it cannot re-create the folder afterwards.
        let dir = self.scratch.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(Err(e)) = dir.map(tempfile::TempDir::close) {
            eprintln!("warning: cannot remove the search scratch folder: {e}");
        }
    }
}

/// Ctrl-C, or SIGTERM on Unix. A signal that cannot be listened to never arrives.
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Builds the site, starts watching the book and listening on `opts.addr`. A book with errors
/// still starts: pages then show the errors until they are fixed.
pub fn start(opts: &ServeOptions) -> anyhow::Result<Server> {
    let root = opts.root.canonicalize().with_context(|| opts.root.display().to_string())?;
    let store = Arc::new(Store::default());
    let (live, _) = broadcast::channel(64);
    let log = opts.log;

    // The first build, before listening: the first request already sees a site (or the errors).
    let mut engine = Engine::new(&root, opts.today, store.clone());
    let t = Instant::now();
    let first = engine.rebuild(&Plan::default());
    report(log, &first, t, &store, &live);

    let (search_tx, search_rx) = mpsc::channel::<(Arc<crate::model::Book>, u64)>();
    if let (Some(book), Outcome::Changed { generation, .. }) = (&engine.last_book, &first) {
        let _ = search_tx.send((book.clone(), *generation));
    }
    let scratch = Arc::new(Mutex::new(Some(scratch_dir()?)));
    spawn_search(store.clone(), search_rx, scratch.clone(), log)?;

    let layout = Layout::new(&root, engine.retros_dir().unwrap_or("retros"));
    let (plan_tx, plan_rx) = mpsc::channel::<Vec<PathBuf>>();
    let mut watched = HashSet::new();
    let watcher = Arc::new(Mutex::new(start_watcher(&layout, plan_tx, &mut watched)?));
    {
        let (store, live, watcher) = (store.clone(), live.clone(), watcher.clone());
        let dirs = (layout, watched);
        std::thread::Builder::new()
            .name("retrobook-rebuild".into())
            .spawn(move || rebuild_loop(engine, dirs, plan_rx, watcher, store, live, search_tx, log))?;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(opts.addr))
        .with_context(|| format!("cannot listen on {}", opts.addr))?;
    let addr = listener.local_addr()?;
    let app = App { store: store.clone(), live };
    let hosts =
        Arc::new(Gate { hosts: host::Hosts::new(opts.addr.ip(), &opts.allowed_hosts), log, warned: Mutex::default() });
    let router = Router::new()
        .route("/__retrobook/events", get(events))
        .route("/__retrobook/live.js", get(live_js))
        .route("/__retrobook/status", get(status))
        .fallback(get(file))
        .with_state(app)
        .layer(axum::middleware::from_fn_with_state(hosts, check_host));
    runtime.spawn(accept_loop(listener, router, opts.limits));
    Ok(Server { addr, store, runtime, _watcher: watcher, scratch })
}

/// Accepts connections while fewer than `limits.max_connections` are open, and serves each with
/// HTTP/1.1 and a header-read timeout (which also closes connections idle between requests).
async fn accept_loop(listener: tokio::net::TcpListener, router: Router, limits: Limits) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        let Ok(permit) = open.clone().acquire_owned().await else { return };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors, or a connection reset before it was accepted: try again
                // shortly instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

/// The host check's state.
struct Gate {
    hosts: host::Hosts,
    log: bool,
    /// Refused names already reported on stderr (a few).
    warned: Mutex<HashSet<String>>,
}

/// Refuses requests for host names the server does not answer for (see [`host`]).
async fn check_host(State(gate): State<Arc<Gate>>, req: Request, next: Next) -> Response {
    // An absolute URL's authority wins over the Host header (RFC 9112, 3.2.2).
    let host = match req.uri().authority() {
        Some(a) => Some(a.as_str().to_string()),
        None => req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_string),
    };
    if host.as_deref().is_some_and(|h| gate.hosts.allows(h)) {
        return next.run(req).await;
    }
    let name = host.as_deref().and_then(host::normalise);
    let text = match &name {
        Some(n) => format!(
            "retrobook serve does not answer for the host name {n}: it answers only for localhost, the \
             addresses it listens on and the names given with --allowed-host (a protection against DNS \
             rebinding).\nIf you reach it by this name on purpose, restart it with --allowed-host {n}\n"
        ),
        None => "retrobook serve answers only for requests with a Host header naming localhost, the \
                 addresses it listens on or a name given with --allowed-host (a protection against DNS \
                 rebinding).\n"
            .to_string(),
    };
    if gate.log
        && let Some(n) = &name
    {
        let mut warned = gate.warned.lock().unwrap_or_else(|e| e.into_inner());
        if warned.len() < 16 && warned.insert(n.clone()) {
            eprintln!("warning: refused a request for the host name {n}; to allow it, restart with --allowed-host {n}");
        }
    }
    let mut r = (StatusCode::FORBIDDEN, text).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

/// Starts the watcher; it sends the changed paths of each burst (the rebuild loop classifies them
/// with the current layout).
fn start_watcher(
    layout: &Layout,
    tx: mpsc::Sender<Vec<PathBuf>>,
    watched: &mut HashSet<PathBuf>,
) -> anyhow::Result<Watcher> {
    let mut w =
        notify_debouncer_full::new_debouncer(DEBOUNCE, None, move |res: notify_debouncer_full::DebounceEventResult| {
            match res {
                Ok(events) => {
                    let changes = events.iter().filter(|e| watch::is_change(&e.kind));
                    let paths: Vec<PathBuf> = changes.flat_map(|e| e.paths.iter().cloned()).collect();
                    if !paths.is_empty() {
                        let _ = tx.send(paths);
                    }
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("warning: watching the book: {e}");
                    }
                }
            }
        })
        .context("cannot watch the book")?;
    // The book's folder only for book.toml (and to notice theme/ or the retros folder appear);
    // never recursively, so site/, target/ and .git/ are not watched at all.
    w.watch(&layout.root, notify::RecursiveMode::NonRecursive).context("cannot watch the book")?;
    watch_dirs(&mut w, layout, watched);
    Ok(w)
}

/// Watches the retros folder and theme/ when they exist and are not watched yet (a folder that
/// appeared, or was deleted and re-created).
fn watch_dirs(w: &mut Watcher, layout: &Layout, watched: &mut HashSet<PathBuf>) {
    for dir in [layout.retros(), layout.theme()] {
        if !dir.is_dir() {
            // The kernel dropped the watch with the folder.
            watched.remove(&dir);
        } else if dir != layout.root && !watched.contains(&dir) {
            match w.watch(&dir, notify::RecursiveMode::Recursive) {
                Ok(()) => {
                    watched.insert(dir);
                }
                Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn rebuild_loop(
    mut engine: Engine,
    (mut layout, mut watched): (Layout, HashSet<PathBuf>),
    bursts: mpsc::Receiver<Vec<PathBuf>>,
    watcher: Arc<Mutex<Watcher>>,
    store: Arc<Store>,
    live: broadcast::Sender<Live>,
    search: mpsc::Sender<(Arc<crate::model::Book>, u64)>,
    log: bool,
) {
    while let Ok(paths) = bursts.recv() {
        let mut plan = watch::coalesce(&layout, paths.iter().map(PathBuf::as_path));
        // Bursts that arrived while the last rebuild ran become one more rebuild, not several.
        while let Ok(more) = bursts.try_recv() {
            plan.merge(watch::coalesce(&layout, more.iter().map(PathBuf::as_path)));
        }
        if plan.is_empty() {
            continue;
        }
        let t = Instant::now();
        let outcome = engine.rebuild(&plan);
        report(log, &outcome, t, &store, &live);
        if let (Outcome::Changed { generation, .. }, Some(book)) = (&outcome, &engine.last_book) {
            let _ = search.send((book.clone(), *generation));
        }
        // A new retros folder (book.toml changed it) or a theme/ folder that appeared.
        let now = Layout::new(&layout.root, engine.retros_dir().unwrap_or("retros"));
        if plan.config || plan.theme || plan.assets || now.retros() != layout.retros() {
            layout = now;
            if let Ok(mut w) = watcher.lock() {
                watch_dirs(&mut w, &layout, &mut watched);
            }
        }
    }
}

/// Publishes the outcome of a rebuild: reload or errors to open pages, a line to stderr.
fn report(log: bool, outcome: &Outcome, t: Instant, store: &Store, live: &broadcast::Sender<Live>) {
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let had_errors = store.errors().is_some();
    match outcome {
        Outcome::Changed { generation, files, rendered } => {
            store.set_errors(None);
            if had_errors {
                let _ = live.send(Live::Ok);
            }
            let _ = live.send(Live::Reload(*generation));
            if log {
                eprintln!(
                    "rebuilt in {ms:.0} ms: {rendered} files rendered, {files} changed (generation {generation})"
                );
            }
        }
        Outcome::Unchanged => {
            store.set_errors(None);
            if had_errors {
                let _ = live.send(Live::Ok);
            }
            if log {
                eprintln!("rebuilt in {ms:.0} ms: nothing changed");
            }
        }
        Outcome::Errors(diags) if store.errors().is_some_and(|e| *e == *diags) => {
            // The same errors as before (another save of the broken file): pages show them already.
        }
        Outcome::Errors(diags) => {
            let json = serde_json::to_string(diags).unwrap_or_else(|_| "[]".into());
            store.set_errors(Some(diags.clone()));
            let _ = live.send(Live::Errors(Arc::new(json)));
            if log {
                let errors = crate::diagnostic::error_count(diags);
                eprintln!("the book has {errors} error(s); still serving the last good site");
                for d in diags.iter().filter(|d| d.level == crate::diagnostic::Level::Error) {
                    eprintln!("  {}:{}:{}: {}", d.file, d.line, d.column, d.message);
                }
            }
        }
    }
}

/// This process's own folder for building the search bundle: a fresh name under the system's
/// temporary folder, readable only by its owner (0700 on Unix), removed when the server stops.
fn scratch_dir() -> anyhow::Result<tempfile::TempDir> {
    let mut b = tempfile::Builder::new();
    b.prefix("retrobook-serve-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    b.tempdir().context("cannot create a temporary folder for the search index")
}

/// The search thread: builds the newest requested book's bundle, skipping requests overtaken by
/// later ones. It holds the scratch folder's lock while it works; it stops once the folder is gone.
fn spawn_search(
    store: Arc<Store>,
    rx: mpsc::Receiver<(Arc<crate::model::Book>, u64)>,
    scratch: Arc<Mutex<Option<tempfile::TempDir>>>,
    log: bool,
) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name("retrobook-search".into())
        .spawn(move || {
            while let Ok(mut job) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    job = newer;
                }
                let held = scratch.lock().unwrap_or_else(|e| e.into_inner());
                let Some(dir) = held.as_ref().map(tempfile::TempDir::path) else { return };
                let t = Instant::now();
                match site::refresh_search(&store, &job.0, job.1, &dir.join("scratch"), &dir.join("cache")) {
                    Ok(n) if log => {
                        eprintln!("search index refreshed in {:.0} ms ({n} files)", t.elapsed().as_secs_f64() * 1000.0)
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!("warning: the search index was not refreshed: {e:#}"),
                }
            }
        })
        .map(|_| ())
        .context("cannot start the search thread")
}

async fn events(State(app): State<App>) -> impl IntoResponse {
    use futures_util::StreamExt;
    // Subscribe before reading the state, so nothing that happens in between is missed.
    let rx = app.live.subscribe();
    let hello = serde_json::json!({
        "generation": app.store.site().generation,
        "errors": app.store.errors().map(|e| serde_json::to_value(&*e).unwrap_or_default()),
    });
    let first = futures_util::stream::once(async move { Event::default().event("hello").data(hello.to_string()) });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        let ev = match rx.recv().await {
            Ok(Live::Reload(g)) => Event::default().event("reload").data(g.to_string()),
            Ok(Live::Errors(json)) => Event::default().event("errors").data(json.as_str()),
            Ok(Live::Ok) => Event::default().event("ok").data("{}"),
            // Missed messages: reloading is always safe.
            Err(broadcast::error::RecvError::Lagged(_)) => Event::default().event("reload").data("0"),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((ev, rx))
    });
    let stream = first.chain(rest).map(Ok::<_, Infallible>);
    let mut resp = Sse::new(stream).keep_alive(KeepAlive::default()).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn live_js() -> Response {
    let mut r = (StatusCode::OK, LIVE_JS).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn status(State(app): State<App>) -> Response {
    let body = serde_json::json!({
        "generation": app.store.site().generation,
        "search_generation": app.store.search_generation(),
        "errors": app.store.errors().map(|e| e.len()).unwrap_or(0),
    });
    let mut r = (StatusCode::OK, body.to_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The page or file at a URL: pretty URLs (a folder serves its index.html), a redirect from a
/// folder without its slash, the site's 404 page.
async fn file(State(app): State<App>, uri: Uri) -> Response {
    let site = app.store.site();
    let Some(path) = percent_decode(uri.path().trim_start_matches('/')) else {
        return plain(StatusCode::BAD_REQUEST, "bad path");
    };
    if path.split('/').any(|c| c == "..") {
        return plain(StatusCode::BAD_REQUEST, "bad path");
    }
    if site.files.is_empty() {
        // No good build yet: every page is the list of errors, and reloads when they are fixed.
        let html = error_page(app.store.errors().as_deref().map(Vec::as_slice).unwrap_or_default());
        return html_response(StatusCode::SERVICE_UNAVAILABLE, &inject(html.as_bytes(), site.generation));
    }
    let key = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.clone() };
    if let Some(bytes) = site.files.get(&key) {
        return respond(&key, bytes, site.generation, StatusCode::OK);
    }
    if site.files.contains_key(&format!("{path}/index.html")) {
        let to = match uri.query() {
            Some(q) => format!("/{path}/?{q}"),
            None => format!("/{path}/"),
        };
        let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&encode_path(&to)) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    match site.files.get("404.html") {
        Some(bytes) => respond("404.html", bytes, site.generation, StatusCode::NOT_FOUND),
        None => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

fn respond(path: &str, bytes: &Bytes, generation: u64, code: StatusCode) -> Response {
    let ct = content_type(path);
    if ct.starts_with("text/html") {
        return html_response(code, &inject(bytes, generation));
    }
    let mut r = (code, Body::from(bytes.clone())).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn html_response(code: StatusCode, html: &[u8]) -> Response {
    let mut r = (code, Body::from(html.to_vec())).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn plain(code: StatusCode, text: &'static str) -> Response {
    (code, text).into_response()
}

/// The content type of a site file, by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match (path, ext.as_str()) {
        ("feed.xml", _) => "application/atom+xml; charset=utf-8",
        (_, "html" | "htm") => "text/html; charset=utf-8",
        (_, "css") => "text/css; charset=utf-8",
        (_, "js" | "mjs") => "text/javascript; charset=utf-8",
        (_, "json") => "application/json",
        (_, "xml") => "application/xml; charset=utf-8",
        (_, "svg") => "image/svg+xml",
        (_, "png") => "image/png",
        (_, "jpg" | "jpeg") => "image/jpeg",
        (_, "gif") => "image/gif",
        (_, "webp") => "image/webp",
        (_, "avif") => "image/avif",
        (_, "ico") => "image/x-icon",
        (_, "csv") => "text/csv; charset=utf-8",
        (_, "txt" | "md") => "text/plain; charset=utf-8",
        (_, "wasm") => "application/wasm",
        (_, "woff2") => "font/woff2",
        (_, "woff") => "font/woff",
        (_, "pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script to an HTML page (only to responses: the built site never has it).
pub(crate) fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = format!("<script src=\"{LIVE_PREFIX}live.js\" data-generation=\"{generation}\" defer></script>\n");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page served while there has not been a good build: the errors (the live script shows them).
fn error_page(diags: &[Diagnostic]) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let items: String = diags
        .iter()
        .map(|d| format!("<li><code>{}:{}:{}</code> {}</li>\n", esc(&d.file), d.line, d.column, esc(&d.message)))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>The book has errors</title></head>\n\
<body><main><h1>The book has errors</h1><p>Fix them and this page reloads.</p><ul>\n{items}</ul></main></body></html>\n"
    )
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The script added to served pages: reload on a rebuild (keeping the scroll position), an
/// overlay with the book's errors while it has some.
const LIVE_JS: &str = include_str!("live.js");

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn injects_before_the_last_closing_body() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", 7);
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("data-generation=\"7\" defer></script>\n</BODY>"), "{s}");
        let s = String::from_utf8(inject(b"<p>no body", 1)).unwrap();
        assert!(s.starts_with("<p>no body<script"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("css/retrobook.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("pagefind/2025/pagefind.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/atom+xml; charset=utf-8");
        assert_eq!(content_type("sitemap.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("pagefind/2025/wasm.en.pagefind"), "application/octet-stream");
    }

    /// A copy of the `clean` fixture book.
    fn clean_book() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
        for e in walkdir::WalkDir::new(&fixture).into_iter().map(Result::unwrap) {
            let to = dir.path().join(e.path().strip_prefix(&fixture).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        dir
    }

    /// Serves the book at `dir` in-process on a free port.
    fn serve_book(dir: &Path, limits: Limits) -> Server {
        let opts = ServeOptions {
            root: dir.to_path_buf(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            today: Date::new(2026, 11, 28).ok(),
            log: false,
            allowed_hosts: Vec::new(),
            limits,
        };
        start(&opts).unwrap()
    }

    /// A copy of the `clean` fixture book, served in-process.
    fn serve_clean(limits: Limits) -> (tempfile::TempDir, Server) {
        let dir = clean_book();
        let server = serve_book(dir.path(), limits);
        (dir, server)
    }

    /// A GET on a new connection: the status line and body; `None` when nothing came in `wait`.
    fn get(addr: SocketAddr, path: &str, wait: Duration) -> Option<(String, String)> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(wait)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).ok()?;
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n")?;
        Some((head.lines().next()?.to_string(), body.to_string()))
    }

    /// Waits up to 20 s for `ok`.
    fn until(what: &str, mut ok: impl FnMut() -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        while !ok() {
            assert!(Instant::now() < end, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn save(path: &Path, text: &str) {
        let tmp = path.with_file_name(".saving.tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, path).unwrap();
    }

    #[test]
    fn a_panic_in_a_rebuild_keeps_the_last_good_site_and_the_watcher() {
        let (dir, server) = serve_clean(Limits::default());
        let page = |server: &Server| server.store.site().files["retros/search-slow/index.html"].clone();
        let good = page(&server);
        let generation = server.store.site().generation;
        let retro = dir.path().join("retros/2024-06-01-search-slow.md");
        let text = std::fs::read_to_string(&retro).unwrap();

        save(&retro, &format!("{text}\n{}\n", site::test_hooks::PANIC_MARKER));
        until("the crash reported as an error", || server.store.errors().is_some());
        let errors = server.store.errors().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].file, "retros/2024-06-01-search-slow.md");
        assert_eq!(errors[0].rule, "internal-error");
        assert!(errors[0].message.contains("asks for a panic") && errors[0].message.contains("bug"), "{errors:?}");
        // Still serving the last good site.
        assert_eq!(server.store.site().generation, generation);
        assert_eq!(page(&server), good);
        let (status, body) = get(server.addr, "/retros/search-slow/", Duration::from_secs(10)).unwrap();
        assert!(status.contains(" 200 "), "{status}");
        assert!(body.contains("Search slow"));

        // Still watching, and the next rebuild is a full and correct one.
        save(&retro, &text.replace("Search was slow after a config change", "Search crawled after a config change"));
        until("a rebuild after the crash", || {
            server.store.errors().is_none() && server.store.site().generation > generation
        });
        let (_, body) = get(server.addr, "/retros/search-slow/", Duration::from_secs(10)).unwrap();
        assert!(body.contains("Search crawled"), "{body}");
        let (_, body) = get(server.addr, "/retros/checkout-outage/", Duration::from_secs(10)).unwrap();
        assert!(body.contains("Checkout"), "the other retros are back too");
    }

    /// A search page that read the search bundle's entry just before a refresh swapped the bundle
    /// still gets that bundle's files (content-hashed names) for one more refresh.
    #[test]
    fn the_search_bundle_before_a_refresh_stays_served_for_one_refresh() {
        let (dir, server) = serve_clean(Limits::default());
        let metas = |server: &Server| -> std::collections::BTreeSet<String> {
            let site = server.store.site();
            site.files.keys().filter(|p| p.ends_with(".pf_meta")).cloned().collect()
        };
        until("the first search bundle", || server.store.search_generation() > 0);
        let first = metas(&server);
        assert!(!first.is_empty());
        let retro = dir.path().join("retros/2024-06-01-search-slow.md");
        let text = std::fs::read_to_string(&retro).unwrap();
        let refresh = |server: &Server, with: &str| {
            let done = server.store.search_generation();
            save(&retro, &format!("{text}\n{with}\n"));
            until("a search refresh", || server.store.search_generation() > done);
        };

        refresh(&server, "Afterwards the zanzibar cache was warmed by hand.");
        let second = metas(&server);
        assert!(second.is_superset(&first) && second.len() > first.len(), "{first:?} {second:?}");
        for meta in &first {
            let (status, _) = get(server.addr, &format!("/{meta}"), Duration::from_secs(10)).unwrap();
            assert!(status.contains(" 200 "), "{meta}: {status}");
        }

        refresh(&server, "Afterwards the quokka cache was warmed by hand.");
        let third = metas(&server);
        for meta in &first {
            assert!(!third.contains(meta), "{meta} outlived two refreshes");
            let (status, _) = get(server.addr, &format!("/{meta}"), Duration::from_secs(10)).unwrap();
            assert!(status.contains(" 404 "), "{meta}: {status}");
        }
        let new_in_second: std::collections::BTreeSet<String> = second.difference(&first).cloned().collect();
        assert!(third.is_superset(&new_in_second), "the second bundle is kept for one refresh");
    }

    #[test]
    fn a_panic_in_the_first_build_still_starts_the_server() {
        let dir = clean_book();
        let retro = dir.path().join("retros/2024-06-01-search-slow.md");
        let text = std::fs::read_to_string(&retro).unwrap();
        std::fs::write(&retro, format!("{text}\n{}\n", site::test_hooks::PANIC_MARKER)).unwrap();
        let server = serve_book(dir.path(), Limits::default());
        let (status, body) = get(server.addr, "/", Duration::from_secs(10)).unwrap();
        assert!(status.contains(" 503 "), "{status}");
        assert!(body.contains("asks for a panic"), "{body}");
        save(&retro, &text);
        until("the site after the fix", || !server.store.site().files.is_empty());
        assert!(server.store.errors().is_none(), "{:?}", server.store.errors());
        let (status, body) = get(server.addr, "/retros/search-slow/", Duration::from_secs(10)).unwrap();
        assert!(status.contains(" 200 ") && body.contains("Search slow"), "{status}");
    }

    #[test]
    fn connections_beyond_the_cap_wait_until_idle_ones_time_out() {
        let limits = Limits { header_timeout: Duration::from_secs(2), max_connections: 4 };
        let (_dir, server) = serve_clean(limits);
        let t = Instant::now();
        let idle: Vec<_> = (0..4).map(|_| std::net::TcpStream::connect(server.addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(200));
        // The fifth waits: every connection slot is held by an idle client.
        assert_eq!(get(server.addr, "/__retrobook/status", Duration::from_millis(800)), None);
        // Once the idle ones are closed by the header timeout, requests are answered again.
        let (status, _) =
            get(server.addr, "/__retrobook/status", Duration::from_secs(10)).expect("served after the timeout");
        assert!(status.contains(" 200 "), "{status}");
        assert!(t.elapsed() >= Duration::from_secs(2) && t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
        drop(idle);
    }

    #[test]
    fn decodes_paths() {
        assert_eq!(percent_decode("retros/a%20b/").as_deref(), Some("retros/a b/"));
        assert_eq!(percent_decode("%E2%9C%93").as_deref(), Some("✓"));
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(percent_decode("end%"), Some("end%".into()));
    }
}
