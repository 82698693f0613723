//! The layouts of the issue as rows, through detection and reading: the
//! tree, every activity's fields and the ignored rows.

use rust_decimal::Decimal;

use super::plan::{self, Activity, Period};
use super::*;
use crate::domain::{FundingSourceKind, Status};
use crate::imports::table::{Row, Sheet};

fn sheet(name: &str, rows: &[(usize, &[&str])]) -> Sheet {
    Sheet {
        name: name.into(),
        rows: rows
            .iter()
            .map(|(line, cells)| Row {
                line: *line,
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
            })
            .collect(),
    }
}

fn quarter(q: u8) -> Period {
    Period {
        quarter: Some(q),
        year: None,
        target: None,
        cost: None,
        pm: false,
    }
}

fn tree(rows: &plan::PlanRows) -> Vec<(usize, &str, &str, Option<&str>)> {
    rows.nodes
        .iter()
        .map(|n| {
            (
                n.depth,
                n.code.as_str(),
                n.title.as_str(),
                n.parent.as_deref(),
            )
        })
        .collect()
}

fn ignored(rows: &plan::PlanRows) -> Vec<(usize, &str, &str)> {
    rows.ignored
        .iter()
        .map(|i| (i.line, i.text.as_str(), i.reason))
        .collect()
}

#[test]
fn a_pta_with_title_block_two_row_header_sections_and_sub_totals() {
    let pta = sheet(
        "PTA 2025",
        &[
            (1, &["AGENCE NATIONALE DE LA SÉCURITÉ ROUTIÈRE (ANASER)"]),
            (2, &["PROGRAMME DE TRAVAIL ANNUEL 2025"]),
            (
                4,
                &[
                    "N°",
                    "Actions prioritaires / Activités",
                    "Indicateurs",
                    "Cible 2025",
                    "Responsable",
                    "Chronogramme",
                    "",
                    "",
                    "",
                    "Coût (FCFA)",
                    "Source de financement",
                    "Observations",
                ],
            ),
            (5, &["", "", "", "", "", "T1", "T2", "T3", "T4"]),
            (
                6,
                &[
                    "1",
                    "Action prioritaire 1 : Renforcer la sensibilisation",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "20 000 000",
                ],
            ),
            (
                7,
                &[
                    "1.1",
                    "Organiser des campagnes radio",
                    "Nombre de campagnes",
                    "12",
                    "DCS",
                    "x",
                    "x",
                    "X",
                    "",
                    "12 500 000",
                    "BE",
                ],
            ),
            (
                8,
                &[
                    "1.2",
                    "Former les conducteurs de moto-taxi",
                    "Nombre de conducteurs formés",
                    "500 conducteurs",
                    "DFR",
                    "",
                    "250",
                    "250",
                    "",
                    "7 500 000 FCFA",
                    "PTF / Budget d'État",
                    "Avec la mairie",
                ],
            ),
            (
                9,
                &[
                    "",
                    "Sous-total AP1",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "20 000 000",
                ],
            ),
            (10, &["2", "Action prioritaire 2 : Contrôler la vitesse"]),
            (
                11,
                &[
                    "4,3",
                    "Installer des radars",
                    "",
                    "Rapport validé",
                    "DCR",
                    "",
                    "",
                    "",
                    "x",
                    "PM",
                    "Etat",
                ],
            ),
            (
                12,
                &[
                    "",
                    "TOTAL GÉNÉRAL",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "20 000 000",
                ],
            ),
            (
                14,
                &["", "", "", "", "", "", "", "", "", "Le Directeur Général"],
            ),
        ],
    );
    let layout = detect(std::slice::from_ref(&pta), Kind::Plan, &Choices::default()).unwrap();
    let rows = plan::read(&pta, &layout);
    assert_eq!(rows.problems, []);
    assert_eq!(rows.level_names, ["Action prioritaire"]);
    assert_eq!(
        tree(&rows),
        [
            (0, "1", "Renforcer la sensibilisation", None),
            (0, "2", "Contrôler la vitesse", None)
        ]
    );
    assert_eq!(rows.years, Some((2025, 2025)));
    assert_eq!(rows.currency, amount::Currency::Xof);
    let [radio, moto, radars] = rows.activities.as_slice() else {
        panic!("{:#?}", rows.activities)
    };
    assert_eq!(
        *radio,
        Activity {
            line: 7,
            code: "1.1".into(),
            code_made: false,
            title: "Organiser des campagnes radio".into(),
            parent: "1".into(),
            target: Some(Decimal::from(12)),
            unit: None,
            budget: Some(12_500_000),
            pm: false,
            responsible: Some("DCS".into()),
            associated: None,
            region: None,
            start: None,
            end: None,
            schedule: vec![quarter(1), quarter(2), quarter(3)],
            funding: vec![plan::Funding {
                text: "BE".into(),
                kind: Some(FundingSourceKind::State)
            }],
            indicator: Some("Nombre de campagnes".into()),
            comment: None,
        }
    );
    assert_eq!(moto.target, Some(Decimal::from(500)));
    assert_eq!(moto.unit.as_deref(), Some("conducteurs"));
    assert_eq!(moto.budget, Some(7_500_000));
    assert_eq!(
        moto.schedule,
        [
            Period {
                target: Some(Decimal::from(250)),
                ..quarter(2)
            },
            Period {
                target: Some(Decimal::from(250)),
                ..quarter(3)
            }
        ]
    );
    let kinds: Vec<_> = moto
        .funding
        .iter()
        .map(|f| (f.text.as_str(), f.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("PTF", Some(FundingSourceKind::Partner)),
            ("Budget d'État", Some(FundingSourceKind::State))
        ]
    );
    assert_eq!(moto.comment.as_deref(), Some("Avec la mairie"));
    assert_eq!((radars.code.as_str(), radars.parent.as_str()), ("4.3", "2"));
    assert_eq!((radars.budget, radars.pm), (None, true));
    assert_eq!(
        (radars.target, radars.unit.as_deref()),
        (None, Some("Rapport validé"))
    );
    assert_eq!(rows.notes.len(), 1, "{:?}", rows.notes);
    assert_eq!(rows.notes[0].key, "imports.note.target_text");
    assert_eq!(
        ignored(&rows),
        [
            (9, "Sous-total AP1", "imports.ignored.total"),
            (12, "TOTAL GÉNÉRAL", "imports.ignored.total"),
            (14, "Le Directeur Général", "imports.ignored.note"),
        ]
    );
}

#[test]
fn a_multi_year_action_plan_with_codes_in_the_first_column_and_yearly_costs() {
    let plan_sheet = sheet(
        "Plan d'actions",
        &[
            (1, &["PLAN D'ACTIONS 2022-2024 DE LA STRATÉGIE NATIONALE DE RÉFORME DU SECTEUR DE LA SÉCURITÉ"]),
            (3, &["Code", "Axes / Objectifs / Activités", "Structure responsable", "Structures associées", "Coût (FCFA)", "", "", "Total"]),
            (4, &["", "", "", "", "2022", "2023", "2024"]),
            (5, &["Axe 1", "Gouvernance du secteur"]),
            (6, &["OS 1.1", "Renforcer le cadre juridique"]),
            (7, &["1.1.1", "Relire les textes", "CRSS", "Ministères", "15 000 000", "PM", "-", "15 000 000"]),
            (8, &["1.1.2", "Ateliers régionaux (Kayes)", "CRSS", "", "5 000 000", "5 000 000", "5 000 000", "15 000 000"]),
            (9, &["Axe 2", "Contrôle démocratique"]),
            (10, &["OS 2.1", "Associer la société civile"]),
            (11, &["2.1.1", "Forums citoyens", "CRSS", "OSC", "", "10 000 000", "", ""]),
            (12, &["", "Sous-total Axe 2", "", "", "", "10 000 000"]),
        ],
    );
    let layout = detect(
        std::slice::from_ref(&plan_sheet),
        Kind::Plan,
        &Choices::default(),
    )
    .unwrap();
    assert_eq!(layout.header_lines, 2);
    let rows = plan::read(&plan_sheet, &layout);
    assert_eq!(rows.problems, []);
    assert_eq!(rows.level_names, ["Axe", "OS"]);
    assert_eq!(
        tree(&rows),
        [
            (0, "Axe1", "Gouvernance du secteur", None),
            (1, "OS1.1", "Renforcer le cadre juridique", Some("Axe1")),
            (0, "Axe2", "Contrôle démocratique", None),
            (1, "OS2.1", "Associer la société civile", Some("Axe2")),
        ]
    );
    assert_eq!(rows.years, Some((2022, 2024)));
    let summary: Vec<_> = rows
        .activities
        .iter()
        .map(|a| {
            (
                a.code.as_str(),
                a.parent.as_str(),
                a.budget,
                a.responsible.as_deref(),
                a.associated.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "1.1.1",
                "OS1.1",
                Some(15_000_000),
                Some("CRSS"),
                Some("Ministères")
            ),
            ("1.1.2", "OS1.1", Some(15_000_000), Some("CRSS"), None),
            (
                "2.1.1",
                "OS2.1",
                Some(10_000_000),
                Some("CRSS"),
                Some("OSC")
            ),
        ]
    );
    let year = |y, cost, pm| Period {
        quarter: None,
        year: Some(y),
        target: None,
        cost,
        pm,
    };
    assert_eq!(
        rows.activities[0].schedule,
        [year(2022, Some(15_000_000), false), year(2023, None, true)]
    );
    assert_eq!(
        rows.activities[2].schedule,
        [year(2023, Some(10_000_000), false)]
    );
    assert_eq!(
        ignored(&rows),
        [(12, "Sous-total Axe 2", "imports.ignored.total")]
    );
}

#[test]
fn a_results_framework_with_all_levels_in_one_column_and_usd_budgets() {
    let framework = sheet(
        "Cadre de résultats",
        &[
            (1, &["PNUD Mali – Programme Gouvernance démocratique"]),
            (
                2,
                &[
                    "Résultats / Activités",
                    "Indicateur",
                    "Budget (USD)",
                    "Partenaire",
                ],
            ),
            (
                3,
                &["Effet 1 : Les institutions démocratiques sont renforcées"],
            ),
            (
                4,
                &[
                    "Produit 1.1 : Le parlement exerce son contrôle",
                    "Nombre de lois examinées",
                ],
            ),
            (
                5,
                &[
                    "Activité 1.1.1 : Former les députés",
                    "Députés formés",
                    "$250,000",
                    "Assemblée nationale",
                ],
            ),
            (
                6,
                &[
                    "Activité 1.1.2 : Appuyer les commissions",
                    "",
                    "120,000",
                    "Assemblée nationale",
                ],
            ),
            (7, &["Produit 1.2 : Les élections sont transparentes"]),
            (
                8,
                &[
                    "Activité 1.2.1 : Équiper la CENI",
                    "",
                    "1,250,000.00",
                    "CENI",
                ],
            ),
            (9, &["Total Effet 1", "", "1,620,000"]),
        ],
    );
    let layout = detect(
        std::slice::from_ref(&framework),
        Kind::Plan,
        &Choices::default(),
    )
    .unwrap();
    let rows = plan::read(&framework, &layout);
    assert_eq!(rows.problems, []);
    assert_eq!(rows.currency, amount::Currency::Usd);
    assert_eq!(rows.level_names, ["Effet", "Produit"]);
    assert_eq!(
        tree(&rows),
        [
            (
                0,
                "E1",
                "Les institutions démocratiques sont renforcées",
                None
            ),
            (1, "P1.1", "Le parlement exerce son contrôle", Some("E1")),
            (1, "P1.2", "Les élections sont transparentes", Some("E1")),
        ]
    );
    let summary: Vec<_> = rows
        .activities
        .iter()
        .map(|a| {
            (
                a.code.as_str(),
                a.title.as_str(),
                a.parent.as_str(),
                a.budget,
                a.responsible.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "1.1.1",
                "Former les députés",
                "P1.1",
                Some(250_000),
                Some("Assemblée nationale")
            ),
            (
                "1.1.2",
                "Appuyer les commissions",
                "P1.1",
                Some(120_000),
                Some("Assemblée nationale")
            ),
            (
                "1.2.1",
                "Équiper la CENI",
                "P1.2",
                Some(1_250_000),
                Some("CENI")
            ),
        ]
    );
    assert_eq!(
        ignored(&rows),
        [(9, "Total Effet 1", "imports.ignored.total")]
    );
}

#[test]
fn an_indicator_sheet_with_years_in_its_headers_and_directions() {
    let sheet = sheet(
        "Indicateurs",
        &[
            (
                1,
                &[
                    "Code",
                    "Indicateur",
                    "Unité",
                    "Valeur de référence (2024)",
                    "Cible 2025",
                    "Sens",
                    "Action prioritaire",
                ],
            ),
            (
                2,
                &[
                    "IND1",
                    "Nombre de tués sur les routes",
                    "personnes",
                    "1 012",
                    "900",
                    "à la baisse",
                    "1",
                ],
            ),
            (
                3,
                &["IND2", "Taux de port du casque", "%", "35", "50", "", "1"],
            ),
        ],
    );
    let layout = detect(
        std::slice::from_ref(&sheet),
        Kind::Indicators,
        &Choices::default(),
    )
    .unwrap();
    let (indicators, problems) = indicators::read(&sheet, &layout);
    assert_eq!(problems, []);
    let shape: Vec<_> = indicators
        .iter()
        .map(|i| {
            (
                i.code.as_str(),
                i.baseline,
                i.baseline_year,
                i.target,
                i.target_year,
                i.direction,
                i.node.as_deref(),
            )
        })
        .collect();
    use crate::domain::Direction::*;
    assert_eq!(
        shape,
        [
            (
                "IND1",
                Some(Decimal::from(1012)),
                Some(2024),
                Some(Decimal::from(900)),
                Some(2025),
                Decrease,
                Some("1")
            ),
            (
                "IND2",
                Some(Decimal::from(35)),
                Some(2024),
                Some(Decimal::from(50)),
                Some(2025),
                Increase,
                Some("1")
            ),
        ]
    );
}

#[test]
fn a_quarterly_progress_report_in_the_officers_words() {
    let report = sheet(
        "Rapport T3",
        &[
            (1, &["Rapport trimestriel au 30/09/2025"]),
            (
                3,
                &[
                    "Code",
                    "Activité",
                    "Réalisation au 30/09/2025",
                    "Taux (%)",
                    "Statut",
                    "Date",
                    "Commentaire",
                ],
            ),
            (4, &["Action prioritaire 1"]),
            (5, &["1.1", "Campagnes radio", "12", "100 %", "Réalisée"]),
            (
                6,
                &[
                    "1.2",
                    "Former",
                    "250",
                    "50%",
                    "En cours d'exécution",
                    "30/11/2025",
                ],
            ),
            (7, &["1.3", "Radars", "", "", "Non entamée", "2025-09-15"]),
            (8, &["1.4", "Brochures", "", "", "realisée"]),
            (9, &["1.5", "Étude", "", "", "Reportée"]),
            (10, &["1.6", "Film", "", "", "Abandonnée"]),
            (11, &["1.7", "Atelier", "", "", "0,5"]),
            (12, &["1.8", "Forum", "", "", "75%"]),
            (13, &["1.9", "Revue", "", "", "NR"]),
            (14, &["1.10", "Spot", "", "", ""]),
            (15, &["1.11", "Visite", "", "", "Suspendue"]),
        ],
    );
    let layout = detect(
        std::slice::from_ref(&report),
        Kind::Progress,
        &Choices::default(),
    )
    .unwrap();
    let rows = progress::read(&report, &layout);
    assert_eq!(rows.problems, []);
    use Status::*;
    let statuses: Vec<(&str, Option<Status>)> = rows
        .rows
        .iter()
        .map(|r| (r.code.as_str(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("1.1", Some(Done)),
            ("1.2", Some(InProgress)),
            ("1.3", Some(NotStarted)),
            ("1.4", Some(Done)),
            ("1.5", Some(Postponed)),
            ("1.6", Some(Abandoned)),
            ("1.7", Some(InProgress)),
            ("1.8", Some(InProgress)),
            ("1.9", None),
            ("1.10", None),
            ("1.11", None),
        ]
    );
    let undecided: Vec<&str> = rows.undecided().map(|r| r.status_text.as_str()).collect();
    assert_eq!(undecided, ["NR", "", "Suspendue"]);
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(rows.rows[0].as_of, d(2025, 9, 30));
    assert_eq!(rows.rows[1].as_of, d(2025, 11, 30));
    assert_eq!(rows.rows[2].as_of, d(2025, 9, 15));
    assert_eq!(rows.rows[1].achieved, Some(Decimal::from(250)));
    assert_eq!(rows.rows[1].rate, Some(Decimal::new(5, 1)));
    let ignored: Vec<(usize, &str, &str)> = rows
        .ignored
        .iter()
        .map(|i| (i.line, i.text.as_str(), i.reason))
        .collect();
    assert_eq!(
        ignored,
        [(4, "Action prioritaire 1", "imports.ignored.section")]
    );
}
