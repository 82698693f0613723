//! A spreadsheet as rows of text, whatever it came as: XLSX (first sheet,
//! read with calamine), or CSV separated by `;` or `,` (sniffed from the header
//! line), in UTF-8 with or without BOM or in Windows-1252 (what French Excel
//! writes by default).

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

/// Rows of cells, the header first; cells trimmed.
pub type Table = Vec<Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableError {
    /// Neither a readable XLSX workbook nor text.
    Unreadable,
    /// A workbook without a sheet, or a file without a header line.
    Empty,
}

impl TableError {
    pub fn key(self) -> &'static str {
        match self {
            TableError::Unreadable => "imports.error.unreadable",
            TableError::Empty => "imports.error.empty",
        }
    }
}

pub fn read(bytes: &[u8]) -> Result<Table, TableError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(&decode(bytes))
    };
    if table.is_empty() {
        return Err(TableError::Empty);
    }
    Ok(table)
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| TableError::Unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(TableError::Empty)?
        .map_err(|_| TableError::Unreadable)?;
    Ok(range
        .rows()
        .map(|row| row.iter().map(cell_text).collect())
        .filter(|row: &Vec<String>| row.iter().any(|c| !c.is_empty()))
        .collect())
}

/// A cell as the text a person would type: whole numbers without `.0`,
/// dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.trim().to_owned(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|dt| dt.date().to_string())
            .unwrap_or_else(|| d.to_string()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => {
            text.get(..10).unwrap_or(text).to_owned()
        }
        Data::Error(error) => format!("{error:?}"),
    }
}

/// UTF-8 (its BOM dropped) when it is valid UTF-8, else Windows-1252.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// The separator the header line uses most: `;` or `,`.
fn sniff_separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    let count = |c| header.chars().filter(|x| *x == c).count();
    if count(',') > count(';') {
        ','
    } else {
        ';'
    }
}

/// CSV as RFC 4180 has it: fields in double quotes may hold separators,
/// line breaks and doubled quotes.
fn read_csv(text: &str) -> Table {
    let separator = sniff_separator(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, c) if c == separator => row.push(std::mem::take(&mut field).trim().to_owned()),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field).trim().to_owned());
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field.trim().to_owned());
        rows.push(row);
    }
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    for cell in rows.iter_mut().flatten() {
        unguard(cell);
    }
    rows
}

/// Suivi's CSV exports put an apostrophe before text a spreadsheet would run
/// as a formula; reading it back gives the text as typed.
fn unguard(cell: &mut String) {
    if cell.starts_with('\'') && cell[1..].starts_with(['=', '+', '-', '@']) {
        cell.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolons_quotes_and_line_breaks() {
        let text = "\u{feff}Code;Intitulé;Cible\nB1.01;\"Atelier; régional\";12,5\r\nB1.02;\"Dit \"\"oui\"\"\nsur deux lignes\";3\n";
        let table = read(text.as_bytes()).unwrap();
        assert_eq!(table[0], ["Code", "Intitulé", "Cible"]);
        assert_eq!(table[1], ["B1.01", "Atelier; régional", "12,5"]);
        assert_eq!(table[2], ["B1.02", "Dit \"oui\"\nsur deux lignes", "3"]);
    }

    #[test]
    fn sniffs_commas_and_decodes_windows_1252() {
        // "Intitulé,Région" with é in Windows-1252 (0xE9).
        let bytes = b"Code,Intitul\xe9,R\xe9gion\nB1,S\xe9curit\xe9 routi\xe8re,KAY\n";
        let table = read(bytes).unwrap();
        assert_eq!(table[0], ["Code", "Intitulé", "Région"]);
        assert_eq!(table[1], ["B1", "Sécurité routière", "KAY"]);
    }

    #[test]
    fn nothing_readable_is_an_error() {
        assert_eq!(read(b"\n\n"), Err(TableError::Empty));
        assert_eq!(read(b"PK\x03\x04garbage"), Err(TableError::Unreadable));
    }
}
