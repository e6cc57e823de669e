//! Rendered pages kept between requests, answered again without rendering, and validated by
//! the browser with `ETag` / `If-None-Match` (a `304 Not Modified` carries no page at all).
//!
//! The rules are in `domain::kept_pages`; this is the middleware. It sits inside the
//! session middleware, which has resolved the login and read the three change counters for
//! this request, and inside the compression layer: a kept page is kept compressed in the
//! form the browser takes, and the compression layer lets an answer that is compressed
//! already pass.
//!
//! Who may see a kept page: it is found by a key that holds the login's token hash, so it
//! reaches only a request that carries the same session cookie, after the session middleware
//! has found that login still valid (not logged out, not idle, not disabled). Its `ETag`
//! is made from the login and the page's bytes before compression, so a tag one login was
//! given never validates another's copy. All pages kept belong to one stamp (the counters and the clock's window):
//! the first page rendered under a newer stamp drops the older ones, so memory holds only
//! what may still be answered.
//!
//! A kept page without an island is kept without the inline scripts Leptos adds for
//! hydration (`domain::kept_pages::without_scripts`): they carry each request's nonce, and
//! without them a page renders to the same bytes, and the same tag, until something it
//! shows changes — across the clock's windows, encodings and app servers, so the browser's
//! copy stays good (304) as long as it is right. A kept page with an island (the sheet, the
//! door board) keeps its scripts without the nonce (`without_nonce`), and its answer's
//! Content-Security-Policy allows exactly those inline scripts by their SHA-256 hashes, so
//! no nonce is ever sent twice (the security middleware leaves a policy already set).
//!
//! In the browser the page is stored `private, no-cache`: never in a shared cache, and
//! never shown again without asking the server. Signing in and out clear the browser's
//! cache for the site (`Clear-Site-Data`, see `ssr::security`), so a phone passed to the
//! next cadre keeps no one's pages.
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, ETAG, IF_NONE_MATCH, SET_COOKIE,
    TRANSFER_ENCODING, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::db::Changes;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::islands::{content_security_policy, on_page};
use crate::domain::kept_pages::{
    Encoding, Stamp, inline_scripts, may_keep, still_good, without_nonce, without_scripts,
};

/// How a kept page is stored in the browser (and the mark that tells the security
/// middleware not to replace it with `no-store`).
pub const KEPT_CACHE_CONTROL: &str = "private, no-cache";
/// The most bytes kept at once; a page beyond it is answered, not kept.
pub const KEPT_BYTES: usize = 64 * 1024 * 1024;
/// The largest page kept.
const LARGEST: usize = 4 * 1024 * 1024;

/// A page as it was answered: its headers, its bytes as sent, and its tag.
struct Kept {
    headers: HeaderMap,
    body: Bytes,
    etag: HeaderValue,
}

#[derive(Default)]
struct Generation {
    stamp: Option<Stamp>,
    pages: HashMap<[u8; 32], Arc<Kept>>,
    bytes: usize,
}

/// The pages kept on this server.
#[derive(Default)]
pub struct KeptPages {
    kept: Mutex<Generation>,
}

impl KeptPages {
    fn get(&self, key: &[u8; 32], stamp: Stamp) -> Option<Arc<Kept>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.stamp != Some(stamp) {
            return None;
        }
        kept.pages.get(key).cloned()
    }

    fn put(&self, key: [u8; 32], stamp: Stamp, page: Arc<Kept>) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.stamp {
            Some(at) if at == stamp => {}
            // A newer stamp: what was kept may no longer be answered.
            Some(at) if stamp.not_before(&at) => *kept = Generation::default(),
            // Rendered from an older read (a write came in meanwhile): not kept.
            Some(_) => return,
            None => {}
        }
        kept.stamp = Some(stamp);
        let size = page.body.len();
        if kept.bytes + size > KEPT_BYTES {
            return;
        }
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes -= old.body.len();
        }
        kept.bytes += size;
    }
}

/// The middleware: answers a kept page, or renders, keeps and answers.
pub async fn serve(State(pages): State<Arc<KeptPages>>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !may_keep(req.uri().path()) {
        return next.run(req).await;
    }
    // Everything read from the request first: a borrow of it may not live across an await.
    let found = {
        let user = req.extensions().get::<CurrentUser>();
        let changes = req.extensions().get::<Changes>().copied();
        let header = |name| {
            req.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .unwrap_or("")
        };
        let encoding = Encoding::choose(header(ACCEPT_ENCODING));
        let nonce = req
            .extensions()
            .get::<leptos::nonce::Nonce>()
            .map(|n| n.to_string());
        let islands = on_page(req.uri().path());
        user.zip(changes).map(|(user, changes)| {
            (
                Stamp::new(
                    changes.reference,
                    changes.data,
                    changes.pages,
                    Timestamp::now().0,
                ),
                key(&user.token_hash, &req, encoding),
                encoding,
                header(IF_NONE_MATCH).to_string(),
                user.token_hash.clone(),
                islands.then(|| nonce.unwrap_or_default()),
            )
        })
    };
    let Some((stamp, key, encoding, if_none_match, token_hash, island_nonce)) = found else {
        return next.run(req).await;
    };
    if let Some(page) = pages.get(&key, stamp) {
        return answer(&page, &if_none_match);
    }
    let res = next.run(req).await;
    let keepable = res.status() == StatusCode::OK
        && !res.headers().contains_key(SET_COOKIE)
        && !res.headers().contains_key(CONTENT_ENCODING)
        && res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    if !keepable {
        return res;
    }
    let (parts, body) = res.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "reading a rendered page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // A page too large to keep is answered as rendered (the compression layer packs it).
    if body.len() > LARGEST {
        return Response::from_parts(parts, Body::from(body));
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let mut headers = parts.headers.clone();
    let kept_body = match &island_nonce {
        // A page without an island is never hydrated: its scripts only hold hydration data.
        None => without_scripts(&text),
        // An island's scripts stay, allowed by their hashes instead of the nonce.
        Some(nonce) => match without_nonce(&text, nonce) {
            Some(page) => {
                let sources: Vec<String> = inline_scripts(&page)
                    .into_iter()
                    .map(|script| {
                        use base64::Engine;
                        let digest = Sha256::digest(script.as_bytes());
                        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
                        format!("'sha256-{hash}'")
                    })
                    .collect();
                let csp = content_security_policy(&sources.join(" "));
                match HeaderValue::from_str(&csp) {
                    Ok(v) => {
                        headers.insert(CONTENT_SECURITY_POLICY, v);
                        page
                    }
                    Err(_) => return Response::from_parts(parts, Body::from(body)),
                }
            }
            None => return Response::from_parts(parts, Body::from(body)),
        },
    };
    let page = match keep(&token_hash, headers, kept_body.as_bytes(), encoding) {
        Ok(page) => Arc::new(page),
        Err(err) => {
            tracing::error!(error = %err, "compressing a page failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    pages.put(key, stamp, page.clone());
    answer(&page, &if_none_match)
}

/// What a kept page is found by: the login, the exact address, and everything else the
/// page is rendered from (the cookies: language; `Accept-Language`) or sent in.
fn key(token_hash: &str, req: &Request, encoding: Encoding) -> [u8; 32] {
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    part(token_hash.as_bytes());
    part(
        req.uri()
            .path_and_query()
            .map_or(req.uri().path(), |p| p.as_str())
            .as_bytes(),
    );
    for name in [COOKIE, ACCEPT_LANGUAGE] {
        for value in req.headers().get_all(name) {
            part(value.as_bytes());
        }
        part(b"|");
    }
    part(encoding.header().unwrap_or("identity").as_bytes());
    hash.finalize().into()
}

/// The page compressed as it will be sent, with its tag.
fn keep(
    token_hash: &str,
    mut headers: HeaderMap,
    body: &[u8],
    encoding: Encoding,
) -> std::io::Result<Kept> {
    let mut hash = Sha256::new();
    hash.update(token_hash.as_bytes());
    hash.update(body);
    let digest = hash.finalize();
    let tag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = HeaderValue::from_str(&format!("\"{tag}\"")).expect("hex is a header value");
    let body = match encoding {
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(body.len() / 4);
            {
                // Quality 5: within a few per cent of the smallest for pages, in a fraction of
                // the time; done once per page kept.
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                writer.write_all(body)?;
            }
            out
        }
        Encoding::Gzip => {
            let mut writer =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            writer.write_all(body)?;
            writer.finish()?
        }
        Encoding::Identity => body.to_vec(),
    };
    headers.remove(CONTENT_LENGTH);
    headers.remove(TRANSFER_ENCODING);
    if let Some(coding) = encoding.header() {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    headers.insert(VARY, HeaderValue::from_static("accept-encoding, cookie"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(KEPT_CACHE_CONTROL));
    headers.insert(ETAG, etag.clone());
    Ok(Kept {
        headers,
        body: Bytes::from(body),
        etag,
    })
}

/// A kept page as an answer: `304` when the browser's copy has the same tag.
fn answer(page: &Kept, if_none_match: &str) -> Response {
    let tag = page.etag.to_str().unwrap_or("");
    if !if_none_match.is_empty() && still_good(if_none_match, tag) {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        let headers = res.headers_mut();
        headers.insert(ETAG, page.etag.clone());
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(KEPT_CACHE_CONTROL));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding, cookie"));
        // The browser updates its copy's headers from a 304: an island page's copy keeps
        // the policy that allows its scripts (the same tag is the same bytes and scripts).
        if let Some(csp) = page.headers.get(CONTENT_SECURITY_POLICY) {
            headers.insert(CONTENT_SECURITY_POLICY, csp.clone());
        }
        return res;
    }
    let mut res = Response::new(Body::from(page.body.clone()));
    *res.headers_mut() = page.headers.clone();
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static [u8]) -> Arc<Kept> {
        Arc::new(keep("t", HeaderMap::new(), body, Encoding::Identity).unwrap())
    }

    #[test]
    fn only_the_newest_stamp_is_kept() {
        let pages = KeptPages::default();
        let at = |d, t| Stamp::new(1, d, 1, t);
        pages.put([1; 32], at(5, 100), page(b"a"));
        assert!(pages.get(&[1; 32], at(5, 105)).is_some(), "same window");
        assert!(pages.get(&[1; 32], at(6, 105)).is_none(), "a write since");
        assert!(pages.get(&[1; 32], at(5, 110)).is_none(), "the next window");
        assert!(pages.get(&[2; 32], at(5, 100)).is_none(), "another key");
        // A page rendered from an older read is not kept, and drops nothing.
        pages.put([2; 32], at(4, 100), page(b"b"));
        assert!(pages.get(&[2; 32], at(4, 100)).is_none());
        assert!(pages.get(&[1; 32], at(5, 100)).is_some());
        // A newer one drops the older pages.
        pages.put([2; 32], at(6, 100), page(b"c"));
        assert!(pages.get(&[1; 32], at(5, 100)).is_none());
        assert!(pages.get(&[1; 32], at(6, 100)).is_none());
        assert_eq!(&pages.get(&[2; 32], at(6, 100)).unwrap().body[..], b"c");
    }

    #[test]
    fn tags_differ_by_login_and_bytes() {
        let tag = |login: &str, body: &[u8]| {
            keep(login, HeaderMap::new(), body, Encoding::Identity)
                .unwrap()
                .etag
        };
        assert_eq!(tag("a", b"page"), tag("a", b"page"));
        assert_ne!(tag("a", b"page"), tag("b", b"page"));
        assert_ne!(tag("a", b"page"), tag("a", b"page2"));
    }

    #[test]
    fn kept_compressed_as_sent() {
        let body = "运河红·初心讲堂 ".repeat(200);
        let kept = keep("t", HeaderMap::new(), body.as_bytes(), Encoding::Brotli).unwrap();
        assert_eq!(kept.headers[CONTENT_ENCODING], "br");
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &kept.body[..], &mut back).unwrap();
        assert_eq!(back, body.as_bytes());
        let kept = keep("t", HeaderMap::new(), body.as_bytes(), Encoding::Gzip).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&kept.body[..]), &mut back)
            .unwrap();
        assert_eq!(back, body);
        assert_eq!(kept.headers[CACHE_CONTROL], KEPT_CACHE_CONTROL);
    }
}
