//! What reading an uploaded workbook may cost, checked before calamine opens
//! it and while it reads the cells. An XLSX file is a zip: a few kilobytes of
//! it may inflate to gigabytes, and a sheet may hold a cell at A1 and one at
//! XFD1048576, for which calamine's dense grid (every cell from the first to
//! the last) asks 512 GiB and the process aborts. A file past these limits is
//! refused with a message saying which limit, never read; a plan file is far
//! below all of them.
//!
//! Not here: the size of the upload itself (the web layer's body limit), and
//! CSV files, which are read from that upload as they are.

use std::io::Cursor;

/// Why a spreadsheet could not be read: here, beside the limits that most
/// of its cases are about, so that `table` depends on `limits` and not back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// Neither a readable XLSX workbook nor text.
    Unreadable,
    /// A workbook without a sheet, or a file without a header line.
    Empty,
    /// A workbook that inflates past `limits::MAX_INFLATED_BYTES`.
    Inflated,
    /// A sheet with a cell beyond `limits::MAX_ROWS` × `limits::MAX_COLUMNS`,
    /// named by `cell` (`Plan!XFD1048576`).
    SheetTooLarge { cell: String },
    /// A sheet of more than `limits::MAX_CELLS` cells, named by `sheet`.
    TooManyCells { sheet: String },
}

impl TableError {
    pub fn key(&self) -> &'static str {
        match self {
            TableError::Unreadable => "imports.error.unreadable",
            TableError::Empty => "imports.error.empty",
            TableError::Inflated => "imports.error.inflated",
            TableError::SheetTooLarge { .. } => "imports.error.sheet_too_large",
            TableError::TooManyCells { .. } => "imports.error.too_many_cells",
        }
    }

    /// What the file holds that the error is about, if anything.
    pub fn value(&self) -> &str {
        match self {
            TableError::SheetTooLarge { cell } => cell,
            TableError::TooManyCells { sheet } => sheet,
            _ => "",
        }
    }
}

/// The last row (1-based) a sheet's cell may be on.
pub const MAX_ROWS: u32 = 100_000;
/// The last column (1-based, 200 is GR) a sheet's cell may be in.
pub const MAX_COLUMNS: u32 = 200;
/// How many cells a sheet may fill, counting the empty ones on a row before
/// its last filled cell (they are held too): 48 MB of empty cells at most.
pub const MAX_CELLS: usize = 2_000_000;
/// What the entries of a workbook may add up to, inflated.
pub const MAX_INFLATED_BYTES: u64 = 50 * 1024 * 1024;

/// Refuses a workbook whose entries claim more than `MAX_INFLATED_BYTES` in
/// all, from the zip's central directory, before anything is inflated. The
/// claim binds: the zip reader calamine uses stops an entry that inflates
/// past its declared size with an error (see the test
/// `an_entry_that_lies_about_its_size_is_stopped_at_its_claim`).
pub fn check_archive(bytes: &[u8]) -> Result<(), TableError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| TableError::Unreadable)?;
    let mut inflated: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|_| TableError::Unreadable)?;
        inflated = inflated.saturating_add(entry.size());
        if inflated > MAX_INFLATED_BYTES {
            return Err(TableError::Inflated);
        }
    }
    Ok(())
}

/// Refuses a cell (0-based row and column, as calamine gives them) outside
/// `MAX_ROWS` × `MAX_COLUMNS`: named as Excel would, `Plan!XFD1048576`.
pub fn check_position(sheet: &str, (row, column): (u32, u32)) -> Result<(), TableError> {
    if row < MAX_ROWS && column < MAX_COLUMNS {
        return Ok(());
    }
    Err(TableError::SheetTooLarge {
        cell: format!("{sheet}!{}", cell_name(row, column)),
    })
}

/// A cell's name in A1 notation, from its 0-based row and column.
pub fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut rest = u64::from(column) + 1;
    while rest > 0 {
        let digit = (rest - 1) % 26;
        letters.push(b'A' + digit as u8);
        rest = (rest - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    #[test]
    fn cells_are_named_as_in_excel() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 199), "GR1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert!(cell_name(u32::MAX, u32::MAX).ends_with("4294967296"));
    }

    #[test]
    fn positions_beyond_the_limits_are_refused_by_name() {
        assert_eq!(check_position("Plan", (99_999, 199)), Ok(()));
        assert_eq!(
            check_position("Plan", (100_000, 0)),
            Err(TableError::SheetTooLarge {
                cell: "Plan!A100001".into()
            })
        );
        assert_eq!(
            check_position("Plan", (0, 200)),
            Err(TableError::SheetTooLarge {
                cell: "Plan!GS1".into()
            })
        );
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn the_inflated_size_is_checked_over_all_entries() {
        let small = zip_of(&[("a.xml", b"<a/>"), ("b.xml", b"<b/>")]);
        assert_eq!(check_archive(&small), Ok(()));
        assert_eq!(
            check_archive(b"PK\x03\x04 not a zip"),
            Err(TableError::Unreadable)
        );
        // Two entries each under the limit, together over it.
        let half = vec![b' '; (MAX_INFLATED_BYTES / 2) as usize + 1];
        let over = zip_of(&[("a.xml", &half), ("b.xml", &half)]);
        assert!(over.len() < 2 * 1024 * 1024, "{} bytes", over.len());
        assert_eq!(check_archive(&over), Err(TableError::Inflated));
    }

    /// Sets the uncompressed size that the local and central headers of the
    /// one entry of `bytes` declare.
    fn declare_size(bytes: &mut [u8], size: u32) {
        let find = |signature: &[u8]| {
            bytes
                .windows(4)
                .position(|w| w == signature)
                .expect("a zip header")
        };
        let local = find(b"PK\x03\x04");
        let central = find(b"PK\x01\x02");
        bytes[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
        bytes[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
    }

    #[test]
    fn an_entry_that_lies_about_its_size_is_stopped_at_its_claim() {
        use std::io::Read;
        let content = vec![b'x'; 1024 * 1024];
        let mut bytes = zip_of(&[("sheet.xml", &content)]);
        declare_size(&mut bytes, 1000);
        assert_eq!(check_archive(&bytes), Ok(()), "it claims 1000 bytes");
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut entry = archive.by_index(0).unwrap();
        let mut inflated = Vec::new();
        let error = entry.read_to_end(&mut inflated).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert!(inflated.len() <= 1001, "{}", inflated.len());
    }
}
