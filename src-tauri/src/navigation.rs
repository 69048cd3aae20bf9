//! The window never leaves the app's own origin. Library text and model output are
//! untrusted; if a link or a script in them ever tried to send the window elsewhere (a
//! remote page would then run with the app's IPC), the navigation is refused here, whatever
//! the CSP allows.

use tauri::plugin::TauriPlugin;
use tauri::{Runtime, Url};

/// The Vite dev server, the window's origin in a development build only.
const DEV_SERVER: (&str, u16) = ("localhost", 5173);

/// Whether `url` is the app's own: its bundled assets (`tauri://localhost`, or
/// `http(s)://tauri.localhost` where WebKit cannot register a scheme), or the dev server
/// when the UI is not bundled.
pub fn is_app_origin(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => {
            url.host_str() == Some("tauri.localhost")
                || (!cfg!(feature = "custom-protocol")
                    && url.scheme() == "http"
                    && url.host_str() == Some(DEV_SERVER.0)
                    && url.port() == Some(DEV_SERVER.1))
        }
        _ => false,
    }
}

/// A plugin that refuses every navigation away from the app's origin, and logs it.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_webview, url| {
            let allowed = is_app_origin(url);
            if !allowed {
                tracing::warn!("refused to navigate the window to {url}");
            }
            allowed
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(url: &str) -> bool {
        is_app_origin(&Url::parse(url).unwrap())
    }

    #[test]
    fn only_the_apps_own_pages_may_be_shown() {
        assert!(origin("tauri://localhost/"));
        assert!(origin("tauri://localhost/index.html#answer"));
        assert!(origin("http://tauri.localhost/"));
        for elsewhere in [
            "https://example.com/",
            "http://tauri.localhost.example.com/",
            "tauri://evil/",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "javascript:alert(1)",
            "about:blank",
            "http://localhost:8080/",
            "ftp://tauri.localhost/",
        ] {
            assert!(!origin(elsewhere), "{elsewhere} must be refused");
        }
        // The Vite dev server only when the UI is not bundled.
        assert_eq!(origin("http://localhost:5173/"), !cfg!(feature = "custom-protocol"));
    }
}
