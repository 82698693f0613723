//! The fonts of the PDFs: DejaVu Sans (regular and bold) from the Debian
//! package `fonts-dejavu-core`, read once and embedded (subset) in every
//! PDF, with each character's glyph and advance for measuring. Text is laid
//! out one glyph per character, without shaping: right for French and
//! English, and it spares a shaping engine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::MetadataProvider;

use crate::reports::ReportError;

/// Where the fonts are looked for: Debian and Ubuntu first, then the paths of
/// other distributions' DejaVu packages.
const FONT_DIRS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
];
const REGULAR_FILE: &str = "DejaVuSans.ttf";
const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// One font: krilla's handle for drawing, and each character's glyph and
/// advance (in ems) for measuring.
pub(super) struct Face {
    pub(super) font: Font,
    pub(super) glyphs: HashMap<char, (u32, f32)>,
    fallback: (u32, f32),
    space: (u32, f32),
}

impl Face {
    fn load(path: &Path) -> Result<Face, String> {
        let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        let unreadable = || format!("{}: not a font Suivi can read", path.display());
        let (glyphs, space, fallback) = {
            let font = skrifa::FontRef::new(&bytes).map_err(|_| unreadable())?;
            let units_per_em = f32::from(font.head().map_err(|_| unreadable())?.units_per_em());
            let metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
            let mut glyphs = HashMap::new();
            for (code, glyph) in font.charmap().mappings() {
                if let Some(c) = char::from_u32(code) {
                    let advance = metrics.advance_width(glyph).unwrap_or(0.0) / units_per_em;
                    glyphs.insert(c, (glyph.to_u32(), advance));
                }
            }
            let space = glyphs.get(&' ').copied().unwrap_or((0, 0.3));
            let fallback = glyphs.get(&'?').copied().unwrap_or((0, 0.5));
            (glyphs, space, fallback)
        };
        let font = Font::new(bytes.into(), 0).ok_or_else(unreadable)?;
        Ok(Face {
            font,
            glyphs,
            fallback,
            space,
        })
    }

    pub(super) fn glyph(&self, c: char) -> (u32, f32) {
        match self.glyphs.get(&c) {
            Some(glyph) => *glyph,
            None if c.is_whitespace() => self.space,
            None => self.fallback,
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    pub(super) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(start, c)| {
                let (id, advance) = self.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(id),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    start..start + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

pub struct Fonts {
    pub(super) regular: Face,
    bold: Face,
}

impl Fonts {
    pub(super) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        self.face(weight).width(text, size)
    }

    pub(super) fn fit(&self, text: &str, size: f32, weight: Weight, width: f32) -> String {
        if self.width(text, size, weight) <= width {
            return text.to_owned();
        }
        let ellipsis = self.width("…", size, weight);
        let mut cut = String::new();
        let mut used = 0.0;
        for c in text.chars() {
            let advance = self.face(weight).glyph(c).1 * size;
            if used + advance + ellipsis > width {
                break;
            }
            used += advance;
            cut.push(c);
        }
        format!("{}…", cut.trim_end())
    }
}

/// The fonts, read on first use; a clear error when the package is missing.
pub fn fonts() -> Result<&'static Fonts, ReportError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let dir = FONT_DIRS
                .iter()
                .map(PathBuf::from)
                .find(|dir| dir.join(REGULAR_FILE).is_file())
                .ok_or_else(|| {
                    format!(
                        "PDF exports need the DejaVu Sans fonts ({REGULAR_FILE}, {BOLD_FILE}): \
                         install the Debian package fonts-dejavu-core (looked in {})",
                        FONT_DIRS.join(", ")
                    )
                })?;
            Ok(Fonts {
                regular: Face::load(&dir.join(REGULAR_FILE))?,
                bold: Face::load(&dir.join(BOLD_FILE))?,
            })
        })
        .as_ref()
        .map_err(|message| ReportError::Fonts(message.clone()))
}
