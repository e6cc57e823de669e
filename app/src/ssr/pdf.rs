//! Certificates and annual dossiers as PDF. The text is Chinese, set in a free CJK font from
//! the system (Debian's fonts-wqy-microhei by default, `NIGHTSCHOOL_PDF_FONT` for another);
//! krilla embeds only the glyphs used (a subset: a certificate is tens of kilobytes, not the
//! font's megabytes) with their Unicode mapping, so a PDF reader finds and copies the text.
//! Each document carries its serial and a QR code to the public verification page.
use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;

use crate::error::{AppError, AppResult};

/// Where Debian puts the free CJK fonts, in order of preference.
const FONT_CANDIDATES: [&str; 5] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
];

/// The font the documents are set in, read once.
struct PdfFont {
    font: Font,
    data: Arc<Vec<u8>>,
}

static FONT: OnceLock<Result<PdfFont, String>> = OnceLock::new();

fn load_font() -> Result<PdfFont, String> {
    let configured = std::env::var("NIGHTSCHOOL_PDF_FONT")
        .ok()
        .filter(|p| !p.trim().is_empty());
    let paths: Vec<String> = match configured {
        Some(p) => vec![p],
        None => FONT_CANDIDATES.iter().map(|p| p.to_string()).collect(),
    };
    for path in &paths {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let data = Arc::new(bytes);
        let has_cjk =
            skrifa::FontRef::from_index(&data, 0).is_ok_and(|f| f.charmap().map('学').is_some());
        if !has_cjk {
            continue;
        }
        if let Some(font) = Font::new(krilla::Data::from(data.clone()), 0) {
            return Ok(PdfFont { font, data });
        }
    }
    Err(format!(
        "no CJK font for PDF documents at {}: install fonts-wqy-microhei (Debian) or set \
         NIGHTSCHOOL_PDF_FONT",
        paths.join(", ")
    ))
}

fn font() -> AppResult<&'static PdfFont> {
    FONT.get_or_init(load_font).as_ref().map_err(|why| {
        tracing::error!(%why, "cannot write PDF documents");
        AppError::Internal
    })
}

/// Whether documents can be written here; the reason when not (said once at start-up).
pub fn check_font() -> Result<(), String> {
    FONT.get_or_init(load_font)
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

impl PdfFont {
    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(f) = skrifa::FontRef::from_index(&self.data, 0) else {
            return text.chars().count() as f32 * size;
        };
        let charmap = f.charmap();
        let metrics = f.glyph_metrics(
            skrifa::instance::Size::new(size),
            skrifa::instance::LocationRef::default(),
        );
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(size)
            })
            .sum()
    }

    /// `text` broken into lines no wider than `max` (at any character: Chinese has no
    /// spaces to break at; a Latin word is kept whole where it fits on a line).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for c in paragraph.chars() {
                let mut next = line.clone();
                next.push(c);
                if !line.is_empty() && self.width(&next, size) > max {
                    // Keep a Latin word together when the line holds more than it.
                    let cut = if c.is_ascii_alphanumeric() {
                        line.rfind(|ch: char| !ch.is_ascii_alphanumeric())
                            .map(|i| i + line[i..].chars().next().map_or(1, char::len_utf8))
                            .filter(|i| *i > 0 && *i < line.len())
                    } else {
                        None
                    };
                    match cut {
                        Some(i) => {
                            let rest = line[i..].to_string();
                            line.truncate(i);
                            lines.push(std::mem::take(&mut line));
                            line = rest;
                        }
                        None => lines.push(std::mem::take(&mut line)),
                    }
                    next = line.clone();
                    next.push(c);
                }
                line = next;
            }
            lines.push(line);
        }
        lines
    }
}

/// One thing drawn on a page (coordinates in points from the top left).
#[derive(Clone, Debug)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        grey: bool,
    },
    Band {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
    },
    Qr {
        x: f32,
        y: f32,
        size: f32,
    },
}

const INK: (u8, u8, u8) = (0x22, 0x22, 0x22);
const GREY: (u8, u8, u8) = (0x66, 0x66, 0x66);
const RED: (u8, u8, u8) = (0xa8, 0x1c, 0x1c);
const BAND: (u8, u8, u8) = (0xee, 0xee, 0xee);

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        ..Default::default()
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut b = PathBuilder::new();
    b.push_rect(Rect::from_xywh(x, y, w, h)?);
    b.finish()
}

/// Draws the QR code of `link` as filled modules in a square of `size` points.
fn draw_qr(surface: &mut Surface<'_>, link: &str, x: f32, y: f32, size: f32) -> AppResult<()> {
    let code = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    let n = code.width();
    let quiet = 2;
    let module = size / (n + 2 * quiet) as f32;
    let colors = code.to_colors();
    let mut b = PathBuilder::new();
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (col, row) = ((i % n + quiet) as f32, (i / n + quiet) as f32);
            if let Some(r) = Rect::from_xywh(x + col * module, y + row * module, module, module) {
                b.push_rect(r);
            }
        }
    }
    if let Some(path) = b.finish() {
        surface.set_fill(Some(fill((0, 0, 0))));
        surface.draw_path(&path);
    }
    Ok(())
}

/// Writes `pages` of ops to a PDF of `size` (width, height) with the document's title.
fn render(
    pages: &[Vec<Op>],
    size: (f32, f32),
    title: &str,
    link: &str,
    f: &PdfFont,
) -> AppResult<Vec<u8>> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .creator("Night School 夜校".to_string())
            .language("zh-CN".to_string()),
    );
    for ops in pages {
        let settings = PageSettings::from_wh(size.0, size.1).ok_or(AppError::Internal)?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    text,
                    grey,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(if *grey { GREY } else { INK })));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        f.font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Band { x, y, w, h } => {
                    if let Some(p) = rect_path(*x, *y, *w, *h) {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(BAND)));
                        surface.draw_path(&p);
                    }
                }
                Op::Line { x1, y1, x2, y2 } => {
                    let mut b = PathBuilder::new();
                    b.move_to(*x1, *y1);
                    b.line_to(*x2, *y2);
                    if let Some(p) = b.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(GREY.0, GREY.1, GREY.2).into(),
                            width: 0.5,
                            ..Default::default()
                        }));
                        surface.draw_path(&p);
                    }
                }
                Op::Frame { x, y, w, h, width } => {
                    if let Some(p) = rect_path(*x, *y, *w, *h) {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(RED.0, RED.1, RED.2).into(),
                            width: *width,
                            ..Default::default()
                        }));
                        surface.draw_path(&p);
                    }
                }
                Op::Qr { x, y, size } => {
                    surface.set_stroke(None);
                    draw_qr(&mut surface, link, *x, *y, *size)?;
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| {
        tracing::error!(error = ?e, "writing a PDF failed");
        AppError::Internal
    })
}

/// What a certificate says, as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificatePrint {
    /// 结业证书 …
    pub title: String,
    pub name: String,
    /// The sentence under the name.
    pub body: String,
    pub issuer: String,
    /// 2026年12月6日
    pub date: String,
    pub serial: String,
}

/// A certificate: one landscape A4 page with a red frame, the holder, what they did, the
/// issuer and date, and the QR code to `link` with the serial.
pub fn certificate(c: &CertificatePrint, link: &str) -> AppResult<Vec<u8>> {
    let f = font()?;
    let (w, h) = (841.89, 595.28);
    let mut ops = vec![
        Op::Frame {
            x: 24.0,
            y: 24.0,
            w: w - 48.0,
            h: h - 48.0,
            width: 3.0,
        },
        Op::Frame {
            x: 32.0,
            y: 32.0,
            w: w - 64.0,
            h: h - 64.0,
            width: 0.8,
        },
    ];
    let spaced: String = {
        let chars: Vec<String> = c.title.chars().map(String::from).collect();
        if chars.len() <= 5 {
            chars.join(" ")
        } else {
            c.title.clone()
        }
    };
    let title_size = 36.0;
    ops.push(Op::Text {
        x: (w - f.width(&spaced, title_size)) / 2.0,
        y: 120.0,
        size: title_size,
        text: spaced,
        grey: false,
    });
    let left = 110.0;
    ops.push(Op::Text {
        x: left,
        y: 200.0,
        size: 20.0,
        text: format!("{} 同志：", c.name),
        grey: false,
    });
    let body_size = 16.0;
    let mut y = 245.0;
    for line in f.wrap(&c.body, body_size, w - 2.0 * left) {
        ops.push(Op::Text {
            x: left + if y == 245.0 { 2.0 * body_size } else { 0.0 },
            y,
            size: body_size,
            text: line,
            grey: false,
        });
        y += body_size * 1.9;
    }
    // The issuer and the date, right-aligned above the bottom frame.
    let right = w - 110.0;
    for (text, y, size) in [(&c.issuer, 440.0, 16.0), (&c.date, 470.0, 14.0)] {
        ops.push(Op::Text {
            x: right - f.width(text, size),
            y,
            size,
            text: text.clone(),
            grey: false,
        });
    }
    // The QR code and the serial, bottom left.
    ops.push(Op::Qr {
        x: 70.0,
        y: 405.0,
        size: 110.0,
    });
    ops.push(Op::Text {
        x: 190.0,
        y: 470.0,
        size: 10.0,
        text: format!("证书编号：{}", c.serial),
        grey: true,
    });
    ops.push(Op::Text {
        x: 190.0,
        y: 488.0,
        size: 10.0,
        text: "扫描二维码或访问以下地址查验真伪：".into(),
        grey: true,
    });
    ops.push(Op::Text {
        x: 190.0,
        y: 504.0,
        size: 9.0,
        text: link.to_string(),
        grey: true,
    });
    render(
        &[ops],
        (w, h),
        &format!("{} · {}", c.title, c.name),
        link,
        f,
    )
}

/// A table of the dossier: a heading, columns (title and share of the width) and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub heading: String,
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<String>>,
    /// Said when there are no rows.
    pub empty: String,
}

/// What an annual dossier says, as printed.
#[derive(Clone, Debug, PartialEq)]
pub struct DossierPrint {
    /// 2026年度学习档案
    pub title: String,
    pub issuer: String,
    /// Label and value: name, community, tier, hours …
    pub facts: Vec<(String, String)>,
    pub tables: Vec<Table>,
    pub serial: String,
    pub date: String,
}

/// Lays out text pages with a running page number: ops of each page.
struct Pages<'f> {
    f: &'f PdfFont,
    pages: Vec<Vec<Op>>,
    y: f32,
}

const PAGE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = PAGE.1 - 60.0;

impl Pages<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        self.pages.last_mut().expect("a page")
    }

    /// Room for `h` more points, on a new page if need be; whether a page was begun.
    fn room(&mut self, h: f32) -> bool {
        if self.y + h > BOTTOM {
            self.pages.push(Vec::new());
            self.y = MARGIN + 10.0;
            true
        } else {
            false
        }
    }

    fn text(&mut self, x: f32, size: f32, text: &str, grey: bool) {
        let y = self.y;
        self.ops().push(Op::Text {
            x,
            y,
            size,
            text: text.to_string(),
            grey,
        });
    }

    fn table(&mut self, t: &Table) {
        let size = 9.5;
        let line_h = 13.0;
        let width = PAGE.0 - 2.0 * MARGIN;
        let total: f32 = t.columns.iter().map(|(_, s)| s).sum::<f32>().max(0.01);
        let widths: Vec<f32> = t.columns.iter().map(|(_, s)| s / total * width).collect();
        self.room(60.0);
        self.y += 22.0;
        self.text(MARGIN, 13.0, &t.heading, false);
        self.y += 8.0;
        let header = |p: &mut Pages<'_>| {
            let y = p.y;
            p.ops().push(Op::Band {
                x: MARGIN,
                y,
                w: width,
                h: line_h + 6.0,
            });
            let mut x = MARGIN + 4.0;
            for ((title, _), w) in t.columns.iter().zip(&widths) {
                p.ops().push(Op::Text {
                    x,
                    y: y + line_h,
                    size,
                    text: title.clone(),
                    grey: false,
                });
                x += w;
            }
            p.y += line_h + 6.0;
        };
        header(self);
        if t.rows.is_empty() {
            self.y += line_h + 2.0;
            self.text(MARGIN + 4.0, size, &t.empty, true);
            self.y += 4.0;
            return;
        }
        for row in &t.rows {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| self.f.wrap(cell, size, w - 8.0))
                .collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let h = lines as f32 * line_h + 6.0;
            if self.room(h) {
                header(self);
            }
            let top = self.y;
            let mut x = MARGIN + 4.0;
            for (cell, w) in cells.iter().zip(&widths) {
                for (i, line) in cell.iter().enumerate() {
                    self.ops().push(Op::Text {
                        x,
                        y: top + line_h * (i as f32 + 1.0),
                        size,
                        text: line.clone(),
                        grey: false,
                    });
                }
                x += w;
            }
            self.y += h;
            let y = self.y;
            self.ops().push(Op::Line {
                x1: MARGIN,
                y1: y,
                x2: MARGIN + width,
                y2: y,
            });
        }
    }
}

/// An annual dossier: A4 pages with the title, the QR code and serial at the top, the
/// facts, then each table (a table runs on over pages with its header repeated), and on
/// every page the serial, the verification address and "page n of m".
pub fn dossier(d: &DossierPrint, link: &str) -> AppResult<Vec<u8>> {
    let f = font()?;
    let mut p = Pages {
        f,
        pages: vec![Vec::new()],
        y: MARGIN + 24.0,
    };
    p.text(MARGIN, 22.0, &d.title, false);
    p.y += 22.0;
    p.text(MARGIN, 11.0, &d.issuer, true);
    let qr = 96.0;
    p.ops().push(Op::Qr {
        x: PAGE.0 - MARGIN - qr,
        y: MARGIN - 10.0,
        size: qr,
    });
    p.y = MARGIN + qr + 10.0;
    for (label, value) in &d.facts {
        p.room(20.0);
        p.y += 18.0;
        p.text(MARGIN, 11.0, &format!("{label}："), true);
        p.text(MARGIN + 130.0, 11.0, value, false);
    }
    for t in &d.tables {
        p.table(t);
    }
    let count = p.pages.len();
    for (i, ops) in p.pages.iter_mut().enumerate() {
        let footer = format!(
            "档案编号 {} · 签发于 {} · 查验 {} · 第 {} 页，共 {} 页",
            d.serial,
            d.date,
            link,
            i + 1,
            count
        );
        let size = 7.5;
        let lines = f.wrap(&footer, size, PAGE.0 - 2.0 * MARGIN);
        for (n, line) in lines.into_iter().enumerate() {
            ops.push(Op::Text {
                x: MARGIN,
                y: PAGE.1 - 36.0 + n as f32 * 10.0,
                size,
                text: line,
                grey: true,
            });
        }
    }
    render(&p.pages, PAGE, &d.title, link, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_width_and_keeps_every_character() {
        let f = load_font().expect("a CJK font (scripts/setup installs fonts-wqy-microhei)");
        let text = "于2026年参加运河红·初心讲堂信访维稳专题班，完成全部课程学习，累计取得学时 12.5，准予结业。Night School verification";
        let lines = f.wrap(text, 16.0, 300.0);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(f.width(l, 16.0) <= 300.0 + 0.01, "{l:?}");
        }
        let joined: String = lines.concat();
        assert_eq!(joined, text);
    }
}
