//! Attachments: which files a lecturer may attach, told from their content (never from the
//! name alone), and how a download names them.
use serde::{Deserialize, Serialize};

/// Default upload ceiling: 50 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 50 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const NAME_MAX_CHARS: usize = 120;

/// What an attachment is, as its bytes show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// Word, Excel or PowerPoint 97–2003 (an OLE compound file); the name says which.
    LegacyOffice,
    Docx,
    Xlsx,
    Pptx,
}

impl FileKind {
    /// Extensions a file of this kind may carry.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::LegacyOffice => &["doc", "xls", "ppt"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Pptx => &["pptx"],
        }
    }

    /// The content type a download carries; `ext` picks among the legacy Office types.
    pub fn content_type(self, ext: &str) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::LegacyOffice => match ext {
                "xls" => "application/vnd.ms-excel",
                "ppt" => "application/vnd.ms-powerpoint",
                _ => "application/msword",
            },
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        }
    }
}

/// Why an upload was refused. Nothing is stored for any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UploadProblem {
    /// No file, or an empty one.
    Empty,
    /// Larger than the ceiling, in bytes.
    TooLarge { max_bytes: u64 },
    /// The content is none of the allowed kinds (programs, archives, scripts, ...).
    NotAllowed,
    /// The content is an allowed kind, but the name claims another.
    NameMismatch { actual: FileKind },
    /// No usable file name.
    BadName,
}

impl UploadProblem {
    /// A stable code for URLs and JSON answers.
    pub fn code(self) -> &'static str {
        match self {
            UploadProblem::Empty => "empty",
            UploadProblem::TooLarge { .. } => "too_large",
            UploadProblem::NotAllowed => "not_allowed",
            UploadProblem::NameMismatch { .. } => "name_mismatch",
            UploadProblem::BadName => "bad_name",
        }
    }
}

/// What the bytes are, if they are an allowed kind.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(FileKind::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(FileKind::Webp)
    } else if bytes.starts_with(OLE) {
        Some(FileKind::LegacyOffice)
    } else if bytes.starts_with(b"PK\x03\x04") {
        office_zip(bytes)
    } else {
        None
    }
}

/// An Office Open XML file is a zip whose entries include `[Content_Types].xml` and a
/// `word/`, `xl/` or `ppt/` part. Reads the zip's local headers; any other zip (or a
/// damaged one) is not allowed.
fn office_zip(bytes: &[u8]) -> Option<FileKind> {
    let mut at = 0usize;
    let mut content_types = false;
    let mut kind = None;
    // Office writes the parts up front; 200 entries is far more than any document needs
    // to show what it is.
    for _ in 0..200 {
        let header = bytes.get(at..at + 30)?;
        if !header.starts_with(b"PK\x03\x04") {
            break;
        }
        let u16_at = |i: usize| u16::from_le_bytes([header[i], header[i + 1]]) as usize;
        let u32_at = |i: usize| {
            u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]) as usize
        };
        let flags = u16_at(6);
        let compressed = u32_at(18);
        let (name_len, extra_len) = (u16_at(26), u16_at(28));
        let name = bytes.get(at + 30..at + 30 + name_len)?;
        content_types |= name == b"[Content_Types].xml";
        kind = kind.or(if name.starts_with(b"word/") {
            Some(FileKind::Docx)
        } else if name.starts_with(b"xl/") {
            Some(FileKind::Xlsx)
        } else if name.starts_with(b"ppt/") {
            Some(FileKind::Pptx)
        } else {
            None
        });
        if content_types && kind.is_some() {
            return kind;
        }
        // Sizes written after the data (bit 3) cannot be followed from here.
        if flags & 0x08 != 0 {
            break;
        }
        at = at.checked_add(30 + name_len + extra_len + compressed)?;
    }
    None
}

/// The lower-case extension of a file name, if it has one.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// The name as kept: no folders, no control characters, trimmed, at most
/// [`NAME_MAX_CHARS`] characters (the extension is kept when shortening).
pub fn clean_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.chars().count() <= NAME_MAX_CHARS {
        return Some(cleaned);
    }
    let ext = extension(&cleaned).unwrap_or_default();
    let keep = NAME_MAX_CHARS - ext.chars().count() - 1;
    let stem: String = cleaned.chars().take(keep).collect();
    Some(format!("{stem}.{ext}"))
}

/// An accepted upload: its cleaned name and kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub name: String,
    pub kind: FileKind,
    pub content_type: &'static str,
}

/// Checks an upload by its size, content and name.
pub fn check_upload(name: &str, bytes: &[u8], max_bytes: u64) -> Result<Accepted, UploadProblem> {
    if bytes.is_empty() {
        return Err(UploadProblem::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(UploadProblem::TooLarge { max_bytes });
    }
    let name = clean_name(name).ok_or(UploadProblem::BadName)?;
    let kind = sniff(bytes).ok_or(UploadProblem::NotAllowed)?;
    let ext = extension(&name).unwrap_or_default();
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(UploadProblem::NameMismatch { actual: kind });
    }
    Ok(Accepted {
        content_type: kind.content_type(&ext),
        name,
        kind,
    })
}

/// A `Content-Disposition` value that keeps a Chinese name (RFC 6266 / 5987): an ASCII
/// fallback for old clients, and the UTF-8 name percent-encoded.
/// Where an attachment downloads from; the name in the path is for people and browsers.
pub fn file_url(id: i64, name: &str) -> String {
    format!("/files/{id}/{}", percent_encode(name))
}

pub fn content_disposition(name: &str, inline: bool) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent_encode(name)
    )
}

/// UTF-8 percent-encoding of everything but unreserved ASCII (letters, digits, `.-_~`):
/// fit for a URL path segment and for an RFC 5987 value.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A size for people: `820 KB`, `12.5 MB`.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip with the given entry names (stored, empty), as Office writes them.
    pub fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for name in names {
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]); // crc, compressed and plain sizes
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
        }
        out
    }

    #[test]
    fn kinds_come_from_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        let docx = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(sniff(&docx), Some(FileKind::Docx));
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx), Some(FileKind::Xlsx));
        // A zip that is not an Office document, programs and scripts are refused.
        assert_eq!(sniff(&zip_with(&["payload.exe", "word/x"])), None);
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b""), None);
        // Truncated headers do not panic.
        assert_eq!(sniff(b"PK\x03\x04\x14"), None);
    }

    #[test]
    fn uploads_are_checked_by_size_content_and_name() {
        let pdf = b"%PDF-1.4 lecture";
        let ok = check_upload("C:\\Users\\王\\信访条例解读.PDF", pdf, 1000).unwrap();
        assert_eq!(ok.name, "信访条例解读.PDF");
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(
            check_upload("讲义.pdf", b"MZ\x90\0 program", 1000),
            Err(UploadProblem::NotAllowed)
        );
        assert_eq!(
            check_upload("讲义.pdf", b"\x89PNG\r\n\x1a\nxx", 1000),
            Err(UploadProblem::NameMismatch {
                actual: FileKind::Png
            })
        );
        assert_eq!(
            check_upload("讲义.pdf", pdf, 10),
            Err(UploadProblem::TooLarge { max_bytes: 10 })
        );
        assert_eq!(check_upload("讲义.pdf", b"", 10), Err(UploadProblem::Empty));
        assert_eq!(
            check_upload("../..", pdf, 1000),
            Err(UploadProblem::BadName)
        );
        let xls = check_upload("名单.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1..", 1000).unwrap();
        assert_eq!(xls.content_type, "application/vnd.ms-excel");
    }

    #[test]
    fn names_are_cleaned_and_shortened() {
        assert_eq!(
            clean_name("a/b/..hidden.pdf").as_deref(),
            Some("hidden.pdf")
        );
        assert_eq!(
            clean_name(" 讲\u{0}稿 .docx").as_deref(),
            Some("讲稿 .docx")
        );
        let long = format!("{}.pdf", "长".repeat(300));
        let short = clean_name(&long).unwrap();
        assert_eq!(short.chars().count(), NAME_MAX_CHARS);
        assert!(short.ends_with(".pdf"));
        assert_eq!(extension("archive"), None);
        assert_eq!(extension(".pdf"), None);
    }

    #[test]
    fn chinese_names_survive_the_download_header() {
        let header = content_disposition("运河红 讲义.pdf", false);
        assert_eq!(
            header,
            "attachment; filename=\"___ __.pdf\"; \
             filename*=UTF-8''%E8%BF%90%E6%B2%B3%E7%BA%A2%20%E8%AE%B2%E4%B9%89.pdf"
        );
        assert!(header.is_ascii());
        assert!(content_disposition("a.png", true).starts_with("inline;"));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(1), "1 KB");
        assert_eq!(human_size(820 * 1024), "820 KB");
        assert_eq!(human_size(50 * 1024 * 1024), "50.0 MB");
        assert_eq!(human_size(13_107_200), "12.5 MB");
    }
}
