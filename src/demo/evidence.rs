//! The demo's evidence: a few files and links attached to the latest
//! updates of ANASER activities, so that the history, the drill-down and the
//! downloads have something to show. The documents are small PDFs written
//! here, marked as demonstration documents; like the rest of the demo beyond
//! the sources, their titles and the links are illustrative.

use anyhow::Context;
use sqlx::PgConnection;

use crate::store::attachments::{self, Author, Evidence, FileType, UpdateRef};
use crate::store::audit::Actor;

/// What is attached to the latest update of an activity of a plan.
enum Piece {
    /// A one-page PDF with these lines.
    Pdf {
        file_name: &'static str,
        label: &'static str,
        lines: &'static [&'static str],
    },
    Link {
        url: &'static str,
        label: &'static str,
    },
}

/// (agency, plan, activity, what is attached).
const PIECES: &[(&str, &str, &str, Piece)] = &[
    (
        "ANASER",
        "PAP-2025",
        "A1.01",
        Piece::Pdf {
            file_name: "PV session inaugurale CISR.pdf",
            label: "Procès-verbal de la session inaugurale du CISR",
            lines: &[
                "Agence Nationale de la Sécurité Routière (ANASER)",
                "Procès-verbal de la session inaugurale du Comité",
                "interministériel de sécurité routière (CISR)",
                "",
                "Document de démonstration : contenu illustratif.",
            ],
        },
    ),
    (
        "ANASER",
        "PAP-2025",
        "A1.07",
        Piece::Pdf {
            file_name: "PDRH 2025.pdf",
            label: "Plan de développement des ressources humaines, version mise à jour",
            lines: &[
                "Agence Nationale de la Sécurité Routière (ANASER)",
                "Plan de développement des ressources humaines 2025",
                "",
                "Document de démonstration : contenu illustratif.",
            ],
        },
    ),
    (
        "ANASER",
        "PAP-2025",
        "A2.01",
        Piece::Link {
            url: "https://www.example.org/anaser/audit-corridor-bamako-segou",
            label: "Rapport d’audit du corridor Bamako–Ségou (lien illustratif)",
        },
    ),
];

/// Attaches the pieces, once: a database whose ANASER updates already carry
/// evidence from the demo (no account added it) is left alone.
pub(super) async fn attach(tx: &mut PgConnection) -> anyhow::Result<()> {
    let present: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM attachments t JOIN progress_updates u ON u.id = t.update_id \
         JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
         JOIN agencies g ON g.id = pl.agency_id WHERE g.code = 'ANASER' AND t.added_by IS NULL)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if present {
        return Ok(());
    }
    for (agency, plan, activity, piece) in PIECES {
        let found: Option<(UpdateRef, String)> = sqlx::query_as(
            "SELECT u.id, u.activity_id, pl.agency_id, u.as_of, u.author FROM progress_updates u \
             JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
             JOIN agencies g ON g.id = pl.agency_id \
             WHERE g.code = $1 AND pl.code = $2 AND a.code = $3 ORDER BY u.id DESC LIMIT 1",
        )
        .bind(agency)
        .bind(plan)
        .bind(activity)
        .fetch_optional(&mut *tx)
        .await?
        .map(|(id, activity_id, agency_id, as_of, author)| {
            (
                UpdateRef {
                    id,
                    activity_id,
                    agency_id,
                    as_of,
                },
                author,
            )
        });
        let (update, author) =
            found.with_context(|| format!("no update of {agency} {plan} {activity}"))?;
        let author = Author {
            actor: Actor::CommandLine,
            name: &author,
        };
        match piece {
            Piece::Pdf {
                file_name,
                label,
                lines,
            } => {
                let pdf = one_page_pdf(lines);
                let evidence = Evidence::File {
                    file_name,
                    file_type: FileType::Pdf,
                    bytes: &pdf,
                };
                attachments::add_in(tx, &update, evidence, Some(label), author).await?;
            }
            Piece::Link { url, label } => {
                let evidence = Evidence::Link { url };
                attachments::add_in(tx, &update, evidence, Some(label), author).await?;
            }
        }
    }
    Ok(())
}

/// A valid one-page A4 PDF showing `lines` in Helvetica: a few hundred
/// bytes, written by hand (the cross-reference table needs each object's
/// offset, hence the bookkeeping).
fn one_page_pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 13 Tf 56 780 Td 18 TL");
    for line in lines {
        text.push_str(" (");
        text.push_str(&pdf_string(line));
        text.push_str(") Tj T*");
    }
    text.push_str(" ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A line as a PDF string in WinAnsi (Latin-1 for French letters, escapes
/// for the rest): octal escapes keep the file plain ASCII.
fn pdf_string(line: &str) -> String {
    let mut out = String::new();
    for c in line.chars() {
        let byte = match c {
            '’' => 0x92,
            '–' => 0x96,
            c if (c as u32) < 0x100 => c as u32,
            _ => u32::from(b'?'),
        };
        match byte {
            0x28 | 0x29 | 0x5C => {
                out.push('\\');
                out.push(c);
            }
            0x20..=0x7E => out.push(c),
            _ => out.push_str(&format!("\\{byte:03o}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_is_small_and_its_offsets_are_right() {
        let pdf = one_page_pdf(&["Procès-verbal (démo)", "L’ANASER"]);
        assert!(pdf.len() < 1024, "{} bytes", pdf.len());
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Proc\\350s-verbal \\(d\\351mo\\))"));
        assert!(text.contains("(L\\222ANASER)"));
        let find = |needle: &[u8]| pdf.windows(needle.len()).position(|w| w == needle);
        let xref = find(b"xref\n").unwrap();
        assert!(text.ends_with(&format!("startxref\n{xref}\n%%EOF\n")));
        // Each entry of the table points at its object.
        let table = &text[text.find("xref\n").unwrap()..];
        for (i, entry) in table.lines().skip(3).take(5).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
    }
}
