//! A small page-layout engine over krilla: text that wraps, tables that break
//! across pages (the header repeated), bars and rectangles, page footers.
//! Layout first records drawing operations page by page; rendering then
//! writes them with krilla, so footers can say "page 3 of 12".
//! The fonts are [`super::fonts`].

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::Document;

pub use super::fonts::{fonts, Fonts, Weight};
use crate::reports::ReportError;

/// A4 portrait, in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
pub const MARGIN: f32 = 50.0;
const TOP: f32 = 50.0;
/// Room kept at the bottom for the footer.
const BOTTOM: f32 = 60.0;
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const LINE_SPACING: f32 = 1.3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    pub const INK: Color = Color(0x1d, 0x24, 0x30);
    pub const MUTED: Color = Color(0x5b, 0x64, 0x72);
    pub const LINE: Color = Color(0xd8, 0xdd, 0xe5);
    pub const TINT: Color = Color(0xf4, 0xf6, 0xf9);
    pub const ACCENT: Color = Color(0x0b, 0x6e, 0x4f);
    pub const HEADER: Color = Color(0xdc, 0xe6, 0xf1);
}

enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        color: Color,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Color,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its title, its share of the width and its alignment
/// (numbers to the right, never wrapped).
pub struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

impl Column {
    pub fn text(title: impl Into<String>, share: f32) -> Column {
        Column {
            title: title.into(),
            share,
            align: Align::Left,
        }
    }

    pub fn number(title: impl Into<String>, share: f32) -> Column {
        Column {
            title: title.into(),
            share,
            align: Align::Right,
        }
    }
}

/// A table row; `strong` rows (totals, top levels) are in bold.
pub struct Row {
    pub cells: Vec<String>,
    pub strong: bool,
}

impl Row {
    pub fn new(cells: Vec<String>) -> Row {
        Row {
            cells,
            strong: false,
        }
    }

    pub fn strong(cells: Vec<String>) -> Row {
        Row {
            cells,
            strong: true,
        }
    }
}

pub struct Canvas {
    fonts: &'static Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
    /// Said at the foot of every page but the first.
    footer: String,
}

impl Canvas {
    pub fn new(fonts: &'static Fonts, footer: String) -> Canvas {
        Canvas {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
            footer,
        }
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - BOTTOM
    }

    /// Starts a new page unless `height` fits below.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > TOP {
            self.new_page();
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        // There is always a page: `new` starts the first.
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn text_at(
        &mut self,
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        color: Color,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            baseline,
            size,
            weight,
            color,
            text: text.to_owned(),
        });
    }

    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Color) {
        if width > 0.0 && height > 0.0 {
            self.ops().push(Op::Rect {
                x,
                y,
                width,
                height,
                color,
            });
        }
    }

    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        self.fonts.width(text, size, weight)
    }

    /// Breaks `text` into lines no wider than `width`, at spaces; a word
    /// longer than a line is cut.
    pub fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, weight) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it if it is still too wide.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size, weight) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// Cuts `text` to fit `width`, ending with "…" when cut.
    pub fn fit(&self, text: &str, size: f32, weight: Weight, width: f32) -> String {
        self.fonts.fit(text, size, weight, width)
    }

    /// Wrapped text across the content width, breaking pages between lines.
    pub fn paragraph(&mut self, text: &str, size: f32, weight: Weight, color: Color) {
        let line_height = size * LINE_SPACING;
        for line in self.wrap(text, size, weight, CONTENT_WIDTH) {
            self.ensure(line_height);
            self.text_at(MARGIN, self.y + size, size, weight, color, &line);
            self.y += line_height;
        }
    }

    /// A section title, kept with at least `keep` points of what follows.
    pub fn heading(&mut self, text: &str, size: f32, keep: f32) {
        self.gap(size * 0.8);
        self.ensure(size * 2.0 + keep);
        self.paragraph(text, size, Weight::Bold, Color::INK);
        self.rect(MARGIN, self.y, CONTENT_WIDTH, 0.6, Color::LINE);
        self.gap(size * 0.5);
    }

    /// A table across the content width. Text cells wrap; a row never
    /// splits; the header comes again on each new page.
    pub fn table(&mut self, columns: &[Column], rows: &[Row]) {
        const SIZE: f32 = 7.5;
        const PAD: f32 = 3.0;
        let line_height = SIZE * LINE_SPACING;
        let widths = self.column_widths(columns, SIZE, PAD);
        let header: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(column, width)| self.wrap(&column.title, SIZE, Weight::Bold, width - 2.0 * PAD))
            .collect();
        let header_height =
            header.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height + 2.0 * PAD;

        self.ensure(header_height + line_height + 2.0 * PAD);
        self.table_header(columns, &widths, &header, header_height, SIZE);
        for (index, row) in rows.iter().enumerate() {
            let weight = if row.strong {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let cells: Vec<Vec<String>> = columns
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (column, width))| {
                    let text = row.cells.get(i).map_or("", String::as_str);
                    match column.align {
                        Align::Left => self.wrap(text, SIZE, weight, width - 2.0 * PAD),
                        Align::Right => vec![text.to_owned()],
                    }
                })
                .collect();
            let height =
                cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height + 2.0 * PAD;
            if self.y + height > Self::bottom() {
                self.new_page();
                self.table_header(columns, &widths, &header, header_height, SIZE);
            }
            if index % 2 == 1 {
                self.rect(MARGIN, self.y, CONTENT_WIDTH, height, Color::TINT);
            }
            let mut x = MARGIN;
            for ((column, width), lines) in columns.iter().zip(&widths).zip(&cells) {
                for (n, line) in lines.iter().enumerate() {
                    let baseline = self.y + PAD + SIZE + n as f32 * line_height;
                    let left = match column.align {
                        Align::Left => x + PAD,
                        Align::Right => x + width - PAD - self.width(line, SIZE, weight),
                    };
                    self.text_at(left, baseline, SIZE, weight, Color::INK, line);
                }
                x += width;
            }
            self.y += height;
        }
        self.rect(MARGIN, self.y, CONTENT_WIDTH, 0.6, Color::LINE);
        self.gap(6.0);
    }

    /// Each column's share of the width, but never narrower than the
    /// longest word of its title (so that "Réalisées" is not cut): what a
    /// narrow column lacks is taken from the text columns.
    fn column_widths(&self, columns: &[Column], size: f32, pad: f32) -> Vec<f32> {
        let total: f32 = columns
            .iter()
            .map(|c| c.share)
            .sum::<f32>()
            .max(f32::EPSILON);
        let mut widths: Vec<f32> = columns
            .iter()
            .map(|c| c.share / total * CONTENT_WIDTH)
            .collect();
        let mut lacking = 0.0;
        for (column, width) in columns.iter().zip(widths.iter_mut()) {
            let longest = column
                .title
                .split(' ')
                .map(|word| self.width(word, size, Weight::Bold))
                .fold(0.0, f32::max)
                + 2.0 * pad
                + 1.0;
            if *width < longest {
                lacking += longest - *width;
                *width = longest;
            }
        }
        let text_width: f32 = columns
            .iter()
            .zip(&widths)
            .filter(|(c, _)| c.align == Align::Left)
            .map(|(_, w)| *w)
            .sum();
        if lacking > 0.0 && text_width > lacking {
            for (column, width) in columns.iter().zip(widths.iter_mut()) {
                if column.align == Align::Left {
                    *width -= lacking * *width / text_width;
                }
            }
        }
        widths
    }

    fn table_header(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        header: &[Vec<String>],
        height: f32,
        size: f32,
    ) {
        const PAD: f32 = 3.0;
        self.rect(MARGIN, self.y, CONTENT_WIDTH, height, Color::HEADER);
        let mut x = MARGIN;
        for ((column, width), lines) in columns.iter().zip(widths).zip(header) {
            for (n, line) in lines.iter().enumerate() {
                let baseline = self.y + PAD + size + n as f32 * size * LINE_SPACING;
                let left = match column.align {
                    Align::Left => x + PAD,
                    Align::Right => x + width - PAD - self.width(line, size, Weight::Bold),
                };
                self.text_at(left, baseline, size, Weight::Bold, Color::INK, line);
            }
            x += width;
        }
        self.y += height;
    }

    /// Writes the PDF: every page with its footer ("page n / total").
    pub fn render(
        self,
        metadata: Metadata,
        page_label: impl Fn(usize, usize) -> String,
    ) -> Result<Vec<u8>, ReportError> {
        let mut document = Document::new();
        document.set_metadata(metadata);
        let total = self.pages.len();
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| ReportError::Pdf("page size".into()))?;
        for (index, ops) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            for op in ops {
                draw(&mut surface, self.fonts, op);
            }
            if index > 0 {
                let size = 7.0;
                let baseline = PAGE_HEIGHT - 32.0;
                let label = page_label(index + 1, total);
                let right = PAGE_WIDTH - MARGIN - self.fonts.width(&label, size, Weight::Regular);
                let room = right - MARGIN - 12.0;
                let footer = Op::Text {
                    x: MARGIN,
                    baseline,
                    size,
                    weight: Weight::Regular,
                    color: Color::MUTED,
                    text: self.fonts.fit(&self.footer, size, Weight::Regular, room),
                };
                draw(&mut surface, self.fonts, &footer);
                let number = Op::Text {
                    x: right,
                    baseline,
                    size,
                    weight: Weight::Regular,
                    color: Color::MUTED,
                    text: label,
                };
                draw(&mut surface, self.fonts, &number);
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|error| ReportError::Pdf(format!("{error:?}")))
    }
}

fn fill(color: Color) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Fill::default()
    }
}

fn draw(surface: &mut krilla::surface::Surface<'_>, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            weight,
            color,
            text,
        } => {
            let face = fonts.face(*weight);
            surface.set_fill(Some(fill(*color)));
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &face.glyphs(text),
                face.font.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Rect {
            x,
            y,
            width,
            height,
            color,
        } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                let mut builder = PathBuilder::new();
                builder.push_rect(rect);
                if let Some(path) = builder.finish() {
                    surface.set_fill(Some(fill(*color)));
                    surface.draw_path(&path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fonts_cover_french_typography() {
        let fonts = fonts().expect("fonts-dejavu-core is installed");
        for c in "éèêàçôûœÉ’«»—…\u{202f}\u{a0}−·".chars() {
            assert!(
                fonts.regular.glyphs.contains_key(&c) || c.is_whitespace(),
                "{c:?} missing"
            );
        }
        assert!(
            fonts.width("Réalisées", 10.0, Weight::Bold)
                > fonts.width("Réalisées", 10.0, Weight::Regular) * 0.9
        );
    }

    #[test]
    fn text_wraps_at_spaces_and_cuts_long_words() {
        let canvas = Canvas::new(fonts().expect("fonts"), String::new());
        let lines = canvas.wrap(
            "Sensibilisation des usagers de la route dans les régions",
            10.0,
            Weight::Regular,
            120.0,
        );
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(canvas.width(line, 10.0, Weight::Regular) <= 120.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            "Sensibilisation des usagers de la route dans les régions"
        );
        let cut = canvas.wrap(&"x".repeat(200), 10.0, Weight::Regular, 50.0);
        assert!(cut.len() > 3);
        assert_eq!(cut.concat().len(), 200);
        let fitted = canvas.fit(&"y".repeat(100), 10.0, Weight::Regular, 60.0);
        assert!(fitted.ends_with('…'));
        assert!(canvas.width(&fitted, 10.0, Weight::Regular) <= 60.0);
    }

    #[test]
    fn a_long_table_breaks_across_pages() {
        let mut canvas = Canvas::new(fonts().expect("fonts"), String::new());
        let rows: Vec<Row> = (0..200)
            .map(|i| Row::new(vec![format!("Activité {i}"), i.to_string()]))
            .collect();
        canvas.table(
            &[Column::text("Titre", 3.0), Column::number("N", 1.0)],
            &rows,
        );
        assert!(canvas.pages.len() >= 3, "{} pages", canvas.pages.len());
        let pdf = canvas
            .render(Metadata::new(), |n, total| format!("{n}/{total}"))
            .expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
