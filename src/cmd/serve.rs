//! `retrobook serve`: build into memory, serve, rebuild on change, reload open pages.

use super::{EXIT_OK, Outcome, exit};
use retrobook::serve::{Limits, ServeOptions, start};
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

/// Options of `serve`.
pub(crate) struct ServeArgs {
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    /// `--allowed-host` names.
    pub allowed_hosts: Vec<String>,
}

/// Runs `serve` until interrupted; returns the exit code when it cannot start.
pub(crate) fn run(root: &Path, args: &ServeArgs, today: Option<jiff::civil::Date>) -> Outcome {
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes the site, with every internal retro, reachable from other machines",
            args.bind
        );
    }
    eprintln!("building {} …", root.display());
    let opts = ServeOptions {
        root: root.to_path_buf(),
        addr: SocketAddr::new(args.bind, args.port),
        today,
        log: true,
        allowed_hosts: args.allowed_hosts.clone(),
        limits: Limits::default(),
    };
    let server = start(&opts)?;
    let host = if server.addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { server.addr.ip().to_string() };
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let url = format!("http://{host}:{}/", server.addr.port());
    // The URL is the command's result: on stdout, flushed, so scripts can read it.
    println!("{url}");
    let _ = std::io::stdout().flush();
    eprintln!("serving {url} (press Ctrl-C to stop); watching book.toml, the retros folder and theme/");
    if args.open {
        open_browser(&url);
    }
    server.wait();
    eprintln!("stopping");
    exit(EXIT_OK)
}

/// Opens `url` in the default browser; a failure is only a warning.
fn open_browser(url: &str) {
    let (cmd, pre): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    match std::process::Command::new(cmd)
        .args(pre)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {}
        Err(e) => eprintln!("warning: cannot open a browser ({cmd}: {e}); open {url} yourself"),
    }
}
