//! The COPY writer of `generate`: rows in PostgreSQL's COPY text format,
//! buffered per table and sent parents first, and the ids handed out to them
//! (COPY writes the ids we supply, so they are allocated here).

use anyhow::Context as _;
use chrono::{Datelike, NaiveDate};
use sqlx::PgConnection;

/// The tables written, in an order where every row's parents come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    Agencies,
    Plans,
    PlanNodes,
    Activities,
    ProgressUpdates,
    Indicators,
    IndicatorValues,
    BoardSessions,
    Resolutions,
    FundingLines,
}

pub(super) const TABLES: [Table; 10] = [
    Table::Agencies,
    Table::Plans,
    Table::PlanNodes,
    Table::Activities,
    Table::ProgressUpdates,
    Table::Indicators,
    Table::IndicatorValues,
    Table::BoardSessions,
    Table::Resolutions,
    Table::FundingLines,
];

impl Table {
    pub(super) fn name(self) -> &'static str {
        match self {
            Table::Agencies => "agencies",
            Table::Plans => "plans",
            Table::PlanNodes => "plan_nodes",
            Table::Activities => "activities",
            Table::ProgressUpdates => "progress_updates",
            Table::Indicators => "indicators",
            Table::IndicatorValues => "indicator_values",
            Table::BoardSessions => "board_sessions",
            Table::Resolutions => "resolutions",
            Table::FundingLines => "funding_lines",
        }
    }

    /// The columns each row supplies, in the order the writers below emit them.
    fn columns(self) -> &'static str {
        match self {
            Table::Agencies => "id, code, name, parent_id",
            Table::Plans => {
                "id, agency_id, code, title, kind, start_year, end_year, status, level_names, \
                 illustrative"
            }
            Table::PlanNodes => "id, plan_id, parent_id, depth, position, code, title",
            Table::Activities => {
                "id, plan_id, node_id, position, code, title, target, unit, budget, \
                 responsible_unit, region_code, planned_start, planned_end"
            }
            Table::ProgressUpdates => {
                "id, activity_id, as_of, status, achieved, spent, comment, author, recorded_at"
            }
            Table::Indicators => {
                "id, plan_id, node_id, position, code, title, unit, baseline, baseline_year, \
                 target, target_year, direction"
            }
            Table::IndicatorValues => {
                "id, indicator_id, period_label, period_end, value, recorded_at"
            }
            Table::BoardSessions => {
                "id, agency_id, number, kind, held_on, cutoff, place, chair, reviewed_plan_id, \
                 adopted_plan_id, status, illustrative"
            }
            Table::Resolutions => {
                "id, session_id, position, text, responsible_unit, due_on, status"
            }
            Table::FundingLines => "id, plan_id, position, source, source_kind, planned, mobilised",
        }
    }
}

/// The next id to hand out per table, and where this run started.
pub(super) struct Ids {
    start: [i64; 10],
    next: [i64; 10],
}

impl Ids {
    /// Starts after both the sequence and the largest id present, because rows
    /// may have been inserted with explicit ids and sequences may have been moved
    /// by rolled-back inserts. Only sound under the table lock taken above.
    pub(super) async fn reserve(conn: &mut PgConnection) -> anyhow::Result<Ids> {
        let mut start = [0; 10];
        for table in TABLES {
            let name = table.name();
            let sql = format!(
                "SELECT GREATEST(
                     COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{name}', 'id')::regclass), 0),
                     COALESCE((SELECT max(id) FROM {name}), 0)) + 1"
            );
            start[table as usize] = sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&mut *conn)
                .await
                .with_context(|| format!("reading the id sequence of {name}"))?;
        }
        Ok(Ids { start, next: start })
    }

    pub(super) fn take(&mut self, table: Table) -> i64 {
        let id = self.next[table as usize];
        self.next[table as usize] += 1;
        id
    }

    /// Moves each sequence onto the last id used, so the next ordinary insert
    /// gets the id after it.
    pub(super) async fn advance_sequences(&self, conn: &mut PgConnection) -> anyhow::Result<()> {
        for table in TABLES {
            let i = table as usize;
            if self.next[i] == self.start[i] {
                continue;
            }
            let name = table.name();
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'id'), $1)"
            ))
            .bind(self.next[i] - 1)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("moving the id sequence of {name}"))?;
        }
        Ok(())
    }
}

/// COPY text-format rows waiting to be sent, per table.
#[derive(Default)]
pub(super) struct Batch {
    buffers: [Vec<u8>; 10],
    /// Rows generated so far, per table.
    pub(super) generated: [u64; 10],
    /// Rows PostgreSQL acknowledged, per table.
    pub(super) written: [u64; 10],
}

impl Batch {
    pub(super) fn row(&mut self, table: Table) -> Row<'_> {
        self.generated[table as usize] += 1;
        Row {
            buffer: &mut self.buffers[table as usize],
            first: true,
        }
    }

    pub(super) fn bytes(&self) -> usize {
        self.buffers.iter().map(Vec::len).sum()
    }

    /// Sends every buffered table, parents first so that foreign keys hold at the
    /// end of each COPY statement.
    pub(super) async fn flush(&mut self, conn: &mut PgConnection) -> anyhow::Result<()> {
        for table in TABLES {
            let i = table as usize;
            if self.buffers[i].is_empty() {
                continue;
            }
            let statement = format!(
                "COPY {} ({}) FROM STDIN (FORMAT text)",
                table.name(),
                table.columns()
            );
            let mut copy = conn.copy_in_raw(&statement).await?;
            // Dropping `copy` on error aborts the COPY; the transaction then rolls back.
            copy.send(self.buffers[i].as_slice()).await?;
            self.written[i] += copy
                .finish()
                .await
                .with_context(|| format!("copying into {}", table.name()))?;
            self.buffers[i].clear();
        }
        Ok(())
    }
}

/// One row in COPY text format: fields separated by tabs, `\N` for NULL.
pub(super) struct Row<'a> {
    buffer: &'a mut Vec<u8>,
    first: bool,
}

impl Row<'_> {
    fn field(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.buffer.push(b'\t');
        }
        self.first = false;
        self.buffer
    }

    pub(super) fn int(mut self, value: i64) -> Self {
        push_int(self.field(), value);
        self
    }

    pub(super) fn opt_int(self, value: Option<i64>) -> Self {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    pub(super) fn null(mut self) -> Self {
        self.field().extend_from_slice(b"\\N");
        self
    }

    pub(super) fn text(mut self, value: &str) -> Self {
        push_escaped(self.field(), value);
        self
    }

    pub(super) fn opt_text(self, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    pub(super) fn bool(mut self, value: bool) -> Self {
        self.field().push(if value { b't' } else { b'f' });
        self
    }

    pub(super) fn date(mut self, value: NaiveDate) -> Self {
        push_date(self.field(), value);
        self
    }

    /// A UTC timestamp on `date` at `hour`:00.
    pub(super) fn timestamp(mut self, date: NaiveDate, hour: u32) -> Self {
        let buffer = self.field();
        push_date(buffer, date);
        buffer.push(b' ');
        push_padded(buffer, u64::from(hour), 2);
        buffer.extend_from_slice(b":00:00+00");
        self
    }

    /// A NUMERIC(18, 3) quantity held as thousandths.
    pub(super) fn quantity(mut self, thousandths: i64) -> Self {
        let buffer = self.field();
        if thousandths < 0 {
            buffer.push(b'-');
        }
        let magnitude = thousandths.unsigned_abs();
        push_u64(buffer, magnitude / 1000);
        if !magnitude.is_multiple_of(1000) {
            buffer.push(b'.');
            push_padded(buffer, magnitude % 1000, 3);
        }
        self
    }

    pub(super) fn opt_quantity(self, thousandths: Option<i64>) -> Self {
        match thousandths {
            Some(value) => self.quantity(value),
            None => self.null(),
        }
    }

    pub(super) fn end(self) {
        self.buffer.push(b'\n');
    }
}

fn push_u64(buffer: &mut Vec<u8>, value: u64) {
    push_padded(buffer, value, 0);
}

fn push_int(buffer: &mut Vec<u8>, value: i64) {
    if value < 0 {
        buffer.push(b'-');
    }
    push_u64(buffer, value.unsigned_abs());
}

/// `value` left-padded with zeros to `width` digits, without allocating: this
/// runs several times per row.
fn push_padded(buffer: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    let start = at.min(digits.len().saturating_sub(width));
    buffer.extend_from_slice(&digits[start..]);
}

fn push_date(buffer: &mut Vec<u8>, date: NaiveDate) {
    push_padded(buffer, date.year().unsigned_abs().into(), 4);
    buffer.push(b'-');
    push_padded(buffer, date.month().into(), 2);
    buffer.push(b'-');
    push_padded(buffer, date.day().into(), 2);
}

/// Escapes what COPY text format gives a meaning to: backslash, tab, newline, CR.
fn push_escaped(buffer: &mut Vec<u8>, value: &str) {
    for &byte in value.as_bytes() {
        match byte {
            b'\\' => buffer.extend_from_slice(b"\\\\"),
            b'\t' => buffer.extend_from_slice(b"\\t"),
            b'\n' => buffer.extend_from_slice(b"\\n"),
            b'\r' => buffer.extend_from_slice(b"\\r"),
            _ => buffer.push(byte),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_fields_are_escaped_and_formatted() {
        let mut batch = Batch::default();
        batch
            .row(Table::Resolutions)
            .int(-12)
            .text("a\tb\\c\nd")
            .null()
            .quantity(12_500)
            .quantity(3_000)
            .quantity(7)
            .date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())
            .timestamp(NaiveDate::from_ymd_opt(987, 11, 30).unwrap(), 7)
            .bool(false)
            .end();
        assert_eq!(
            String::from_utf8(batch.buffers[Table::Resolutions as usize].clone()).unwrap(),
            "-12\ta\\tb\\\\c\\nd\t\\N\t12.500\t3\t0.007\t2025-03-01\t0987-11-30 07:00:00+00\tf\n"
        );
        assert_eq!(batch.generated[Table::Resolutions as usize], 1);
    }
}
