//! A spreadsheet as rows of text, whatever it came as: XLSX (its first sheet
//! and one more asked for by name, read with calamine within the limits of
//! `limits`), or CSV separated by `;` or `,` (sniffed from the header line),
//! in UTF-8 with or without BOM or in Windows-1252 (what French Excel writes
//! by default).

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};

use super::limits;
pub use super::limits::TableError;

/// Rows of cells, the header first; cells trimmed. A row ends at its last
/// filled cell: a missing cell reads as empty.
pub type Table = Vec<Vec<String>>;

/// What a file holds: its first sheet (a CSV file's one table) and, for
/// each sheet asked for by name, that sheet when the workbook has it.
#[derive(Debug, Default, PartialEq)]
pub struct Sheets {
    pub first: Table,
    /// In the order of the names asked for.
    pub named: Vec<Option<Table>>,
}

/// Reads the file once: its first sheet and, in a workbook, each sheet of
/// `sheet_names` it has.
pub fn read(bytes: &[u8], sheet_names: &[&str]) -> Result<Sheets, TableError> {
    let sheets = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, sheet_names)?
    } else {
        Sheets {
            first: read_csv(&decode(bytes)),
            named: sheet_names.iter().map(|_| None).collect(),
        }
    };
    if sheets.first.is_empty() {
        return Err(TableError::Empty);
    }
    Ok(sheets)
}

fn read_xlsx(bytes: &[u8], sheet_names: &[&str]) -> Result<Sheets, TableError> {
    limits::check_archive(bytes)?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| TableError::Unreadable)?;
    let names = workbook.sheet_names();
    let first_name = names.first().ok_or(TableError::Empty)?;
    let first = read_sheet(&mut workbook, first_name)?;
    let mut named = Vec::with_capacity(sheet_names.len());
    for wanted in sheet_names {
        named.push(if names.iter().any(|n| n == wanted) {
            match read_sheet(&mut workbook, wanted) {
                Ok(table) => Some(table),
                // Only the limits refuse the file: a named sheet is optional,
                // and one that cannot be read is left out, as before.
                Err(TableError::Unreadable) => None,
                Err(error) => return Err(error),
            }
        } else {
            None
        });
    }
    Ok(Sheets { first, named })
}

/// One sheet, cell by cell from calamine's stream rather than its dense grid
/// (which is what two far-apart cells blow up), each cell checked against the
/// limits before it is kept. Columns start at the first filled one, rows
/// without a filled cell are left out, as calamine's grid would have them.
fn read_sheet<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
) -> Result<Table, TableError> {
    let rows = read_sheet_rows(workbook, name, limits::MAX_CELLS)?;
    let first_column = rows
        .iter()
        .filter_map(|row| row.cells.iter().position(|c| !c.is_empty()))
        .min()
        .unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|row| row.cells.into_iter().skip(first_column).collect())
        .collect())
}

/// A row of a sheet as it is in the file: its line (1-based, as Excel
/// numbers rows) and its cells from column A, trimmed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of a column (0 is A), empty when the row is shorter.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", |c| c.as_str())
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// A sheet by name, its rows with a filled cell in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// Every sheet of a workbook (a CSV file is one sheet, named after nothing),
/// with the rows' own line numbers: what the layout detection reads. The
/// limits hold for all the sheets together.
pub fn read_all(bytes: &[u8]) -> Result<Vec<Sheet>, TableError> {
    let sheets = if bytes.starts_with(b"PK\x03\x04") {
        limits::check_archive(bytes)?;
        let mut workbook: Xlsx<_> =
            Xlsx::new(Cursor::new(bytes)).map_err(|_| TableError::Unreadable)?;
        let mut budget = limits::MAX_CELLS;
        let mut sheets = Vec::new();
        for name in workbook.sheet_names() {
            let rows = read_sheet_rows(&mut workbook, &name, budget)?;
            budget -= rows
                .iter()
                .map(|r| r.cells.len())
                .sum::<usize>()
                .min(budget);
            sheets.push(Sheet { name, rows });
        }
        sheets
    } else {
        let rows = csv_records(&decode(bytes))
            .into_iter()
            .enumerate()
            .map(|(index, cells)| Row {
                line: index + 1,
                cells,
            })
            .filter(|row| !row.is_blank())
            .collect();
        vec![Sheet {
            name: String::new(),
            rows,
        }]
    };
    if sheets.iter().all(|s| s.rows.is_empty()) {
        return Err(TableError::Empty);
    }
    Ok(sheets)
}

/// The rows of one sheet from column A, within `budget` cells (the empty
/// ones before a row's last filled cell count: they are held too).
fn read_sheet_rows<RS: std::io::Read + std::io::Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
    budget: usize,
) -> Result<Vec<Row>, TableError> {
    let mut reader = match workbook.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet: no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(_) => return Err(TableError::Unreadable),
    };
    let declared = reader.dimensions();
    limits::check_position(name, declared.start)?;
    limits::check_position(name, declared.end)?;
    let mut cells: Vec<((u32, u32), String)> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|_| TableError::Unreadable)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        limits::check_position(name, cell.get_position())?;
        if cells.len() >= budget {
            return Err(TableError::TooManyCells { sheet: name.into() });
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        cells.push((cell.get_position(), text));
    }
    // In (row, column) order; of two cells at one place, the later one in
    // the file stands, as in calamine's grid.
    cells.sort_by_key(|(position, _)| *position);
    let mut rows: Vec<Row> = Vec::new();
    let mut held = 0;
    for ((row, column), text) in cells {
        let column = column as usize;
        let line = row as usize + 1;
        if rows.last().is_none_or(|r| r.line != line) {
            rows.push(Row {
                line,
                cells: Vec::new(),
            });
        }
        if let Some(current) = rows.last_mut() {
            if current.cells.len() <= column {
                held += column + 1 - current.cells.len();
                if held > budget {
                    return Err(TableError::TooManyCells { sheet: name.into() });
                }
                current.cells.resize(column + 1, String::new());
            }
            current.cells[column] = text;
        }
    }
    rows.retain(|row| !row.is_blank());
    Ok(rows)
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
    let mut rows = csv_records(text);
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    rows
}

/// Every record of a CSV text, blank ones included (a record's place is its
/// line as a spreadsheet shows it), apostrophe guards removed.
fn csv_records(text: &str) -> Table {
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
            // A line break in a cell is one LF, however the file ends its lines.
            (true, '\r') if chars.peek() == Some(&'\n') => {}
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
        let table = read(text.as_bytes(), &[]).unwrap().first;
        assert_eq!(table[0], ["Code", "Intitulé", "Cible"]);
        assert_eq!(table[1], ["B1.01", "Atelier; régional", "12,5"]);
        assert_eq!(table[2], ["B1.02", "Dit \"oui\"\nsur deux lignes", "3"]);
    }

    #[test]
    fn sniffs_commas_and_decodes_windows_1252() {
        // "Intitulé,Région" with é in Windows-1252 (0xE9).
        let bytes = b"Code,Intitul\xe9,R\xe9gion\nB1,S\xe9curit\xe9 routi\xe8re,KAY\n";
        let table = read(bytes, &[]).unwrap().first;
        assert_eq!(table[0], ["Code", "Intitulé", "Région"]);
        assert_eq!(table[1], ["B1", "Sécurité routière", "KAY"]);
    }

    /// A workbook of sheets `(name, cells as (row, column, text))`, as Excel
    /// would write it.
    type Cells<'a> = &'a [(u32, u16, &'a str)];

    fn workbook(sheets: &[(&str, Cells)]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        for (name, cells) in sheets {
            let sheet = workbook.add_worksheet();
            sheet.set_name(*name).unwrap();
            for (row, column, text) in *cells {
                sheet.write_string(*row, *column, *text).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    /// The workbook with its first sheet's XML replaced by `sheet_data`,
    /// after an optional `<dimension>` of `dimension`.
    fn with_first_sheet(workbook: &[u8], dimension: Option<&str>, sheet_data: &str) -> Vec<u8> {
        use std::io::Write;
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">{}\
             <sheetData>{sheet_data}</sheetData></worksheet>",
            dimension.map_or(String::new(), |d| format!("<dimension ref=\"{d}\"/>"))
        );
        let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().into_owned();
            writer
                .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                writer.write_all(xml.as_bytes()).unwrap();
            } else {
                std::io::copy(&mut entry, &mut writer).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_workbook_gives_its_first_sheet_and_the_named_one_from_their_first_column() {
        let bytes = workbook(&[
            ("Plan", &[(1, 1, "Code"), (1, 3, "Cible"), (4, 2, "B1.01")]),
            ("Indicateurs", &[(0, 0, "Code"), (1, 0, "IND-1")]),
        ]);
        let sheets = read(&bytes, &["Absente", "Indicateurs"]).unwrap();
        assert_eq!(sheets.first, [vec!["Code", "", "Cible"], vec!["", "B1.01"]]);
        assert_eq!(
            sheets.named,
            [None, Some(vec![vec!["Code".into()], vec!["IND-1".into()]])]
        );
        assert!(read(&bytes, &[]).unwrap().named.is_empty());
    }

    /// The file of the issue: two cells, A1 and XFD1048576, for which
    /// calamine's grid asks 512 GiB and the process aborts.
    #[test]
    fn two_cells_far_apart_are_refused_before_any_grid_is_built() {
        let mut excel = rust_xlsxwriter::Workbook::new();
        let sheet = excel.add_worksheet();
        sheet.set_name("Plan").unwrap();
        sheet.write_string(0, 0, "Code").unwrap();
        sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
        let bytes = excel.save_to_buffer().unwrap();
        assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
        let refused = TableError::SheetTooLarge {
            cell: "Plan!XFD1048576".into(),
        };
        assert_eq!(read(&bytes, &[]), Err(refused.clone()));
        // The same cells without the declared dimension: refused at the cell.
        let undeclared = with_first_sheet(
            &bytes,
            None,
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>
               <row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        );
        assert_eq!(read(&undeclared, &[]), Err(refused));
        // Or placed by counting, without references: row 1048576, column 251.
        let counted = with_first_sheet(
            &bytes,
            Some("A1"),
            &format!(
                r#"<row><c t="inlineStr"><is><t>Code</t></is></c>{}<c><v>1</v></c></row>"#,
                "<c/>".repeat(250)
            ),
        );
        assert_eq!(
            read(&counted, &[]),
            Err(TableError::SheetTooLarge {
                cell: "Plan!IR1".into()
            })
        );
        let counted = with_first_sheet(
            &bytes,
            Some("A1"),
            r#"<row r="1048576"><c><v>1</v></c></row>"#,
        );
        assert_eq!(
            read(&counted, &[]),
            Err(TableError::SheetTooLarge {
                cell: "Plan!A1048576".into()
            })
        );
    }

    #[test]
    fn a_sheet_of_too_many_cells_is_refused() {
        let bytes = workbook(&[("Plan", &[(0, 0, "Code")])]);
        // 10 001 rows whose one cell is in column GR hold 200 cells each.
        let rows: String = (1..=10_001)
            .map(|row| {
                format!(
                    r#"<row r="{row}"><c r="A{row}"><v>1</v></c><c r="GR{row}"><v>1</v></c></row>"#
                )
            })
            .collect();
        let crowded = with_first_sheet(&bytes, None, &rows);
        assert_eq!(
            read(&crowded, &[]),
            Err(TableError::TooManyCells {
                sheet: "Plan".into()
            })
        );
    }

    /// A sheet of 60 MB of rows that zips to a few hundred kilobytes: refused
    /// from the zip's directory, before it is inflated.
    #[test]
    fn a_zip_bomb_is_refused_before_it_is_inflated() {
        let bytes = workbook(&[("Plan", &[(0, 0, "Code")])]);
        let row = r#"<row><c t="inlineStr"><is><t>B1.01</t></is></c></row>"#;
        let rows = row.repeat(60 * 1024 * 1024 / row.len());
        let bomb = with_first_sheet(&bytes, None, &rows);
        assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
        assert_eq!(read(&bomb, &[]), Err(TableError::Inflated));
    }

    #[test]
    fn nothing_readable_is_an_error() {
        assert_eq!(read(b"\n\n", &[]), Err(TableError::Empty));
        assert_eq!(read(b"PK\x03\x04garbage", &[]), Err(TableError::Unreadable));
    }
}
