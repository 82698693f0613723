//! Agencies' own spreadsheets, as their M&E officers make them, in with no
//! edit: a PTA workbook (cover sheet first, title block, two-row header,
//! sections, sub-totals, quarters, text amounts, a formula, an indicator
//! sheet), the same PTA saved as CSV by French Excel, a multi-year action
//! plan with yearly costs, a UNDP results framework in USD, and a quarterly
//! progress report in the officer's words. Each test checks the tree, every
//! activity's fields and the ignored rows as written in the database.

use crate::common::*;
use rust_xlsxwriter::{Format, Formula, Workbook};
use sqlx::PgPool;
use suivi::imports::layout::Choices;
use suivi::imports::{self, Target};
use suivi::store::imports::NewPlan;
use suivi::store::plans;

async fn admin_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn new_plan(agency_id: i64, code: &str, year: i32) -> Target {
    Target::New(NewPlan {
        agency_id,
        code: code.into(),
        title: "Plan de l'agence".into(),
        year,
        level_names: Vec::new(),
        end_year: None,
    })
}

/// The plan's nodes and activities, every field the plan keeps.
async fn written(pool: &PgPool, plan_id: i64) -> (Vec<String>, Vec<String>, Vec<String>) {
    let nodes = sqlx::query_scalar(
        "SELECT concat_ws('|', n.depth, n.code, n.title, p.code) FROM plan_nodes n \
         LEFT JOIN plan_nodes p ON p.id = n.parent_id WHERE n.plan_id = $1 ORDER BY n.id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let activities = sqlx::query_scalar(
        "SELECT concat_ws('|', a.code, a.title, n.code, a.target::text, a.unit, a.budget, \
         a.responsible_unit, a.region_code) FROM activities a \
         JOIN plan_nodes n ON n.id = a.node_id WHERE a.plan_id = $1 ORDER BY a.id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let indicators = sqlx::query_scalar(
        "SELECT concat_ws('|', i.code, i.title, i.unit, i.baseline::text, i.baseline_year, \
         i.target::text, i.target_year, i.direction, n.code) FROM indicators i \
         LEFT JOIN plan_nodes n ON n.id = i.node_id WHERE i.plan_id = $1 ORDER BY i.code",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    (nodes, activities, indicators)
}

/// The ANASER PTA 2025 as its M&E officer keeps it.
pub fn pta_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let cover = book.add_worksheet();
    cover.set_name("Page de garde").unwrap();
    cover
        .write_string(2, 1, "AGENCE NATIONALE DE LA SÉCURITÉ ROUTIÈRE")
        .unwrap();
    cover
        .write_string(4, 1, "Programme de Travail Annuel 2025")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("PTA 2025").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            11,
            "MINISTÈRE DES TRANSPORTS ET DES INFRASTRUCTURES",
            &bold,
        )
        .unwrap();
    sheet
        .merge_range(
            1,
            0,
            1,
            11,
            "PROGRAMME DE TRAVAIL ANNUEL (PTA) 2025 DE L'ANASER",
            &bold,
        )
        .unwrap();
    let headers = [
        "N°",
        "Actions prioritaires / Activités",
        "Indicateurs",
        "Cible 2025",
        "Responsable",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .merge_range(3, c as u16, 4, c as u16, h, &bold)
            .unwrap();
    }
    sheet
        .merge_range(3, 5, 3, 8, "Chronogramme", &bold)
        .unwrap();
    for q in 0..4u16 {
        sheet.write_string(4, 5 + q, format!("T{}", q + 1)).unwrap();
    }
    for (c, h) in ["Coût (FCFA)", "Source de financement", "Observations"]
        .iter()
        .enumerate()
    {
        sheet
            .merge_range(3, 9 + c as u16, 4, 9 + c as u16, h, &bold)
            .unwrap();
    }
    let rows: &[&[&str]] = &[
        &[
            "1",
            "Action prioritaire 1 : Renforcer la sensibilisation des usagers",
        ],
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
            "",
        ],
        &[
            "1.2",
            "Former les conducteurs de moto-taxi",
            "Nombre de conducteurs formés",
            "500",
            "DFR",
            "",
            "250",
            "250",
            "",
            "7 500 000 FCFA",
            "PTF / Budget d'État",
            "Avec les mairies",
        ],
        &["", "Sous-total AP1"],
        &["2", "Action prioritaire 2 : Contrôler la vitesse"],
        &[
            "2.1",
            "Installer des radars",
            "",
            "10",
            "DCR",
            "",
            "",
            "",
            "x",
            "PM",
            "Etat",
            "",
        ],
        &[
            "2.2",
            "Contrôles routiers conjoints",
            "",
            "24",
            "DCR",
            "6",
            "6",
            "6",
            "6",
            "",
            "RP",
            "",
        ],
        &["", "TOTAL GÉNÉRAL"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(5 + r as u32, c as u16, *text).unwrap();
            }
        }
    }
    // The cost of 2.2 and the sums: formulas, read by their cached value.
    sheet
        .write_formula(8, 9, Formula::new("=J7+J8").set_result("20000000"))
        .unwrap();
    sheet
        .write_formula(11, 9, Formula::new("=4*1500000").set_result("6000000"))
        .unwrap();
    sheet
        .write_formula(12, 9, Formula::new("=J9+J11+J12").set_result("26000000"))
        .unwrap();
    sheet.write_string(14, 9, "Le Directeur Général").unwrap();
    let indicators = book.add_worksheet();
    indicators.set_name("Indicateurs").unwrap();
    let table: &[&[&str]] = &[
        &[
            "Code",
            "Indicateur",
            "Unité",
            "Valeur de référence (2024)",
            "Cible 2025",
            "Sens",
            "Action prioritaire",
        ],
        &[
            "IND1",
            "Nombre de tués sur les routes",
            "personnes",
            "1 012",
            "900",
            "à la baisse",
            "1",
        ],
        &[
            "IND2",
            "Taux de port du casque",
            "%",
            "35",
            "50",
            "à la hausse",
            "2",
        ],
    ];
    for (r, row) in table.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            indicators.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

const PTA_NODES: [&str; 2] = [
    "0|1|Renforcer la sensibilisation des usagers",
    "0|2|Contrôler la vitesse",
];

#[sqlx::test]
async fn a_pta_workbook_goes_in_with_no_edit(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let target = new_plan(anaser, "PTA-2025", 2025);
    let import = imports::prepare_plan_import(&pool, &pta_workbook(), &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    let understood = import.understood.as_ref().expect("an agency's own file");
    assert_eq!(
        understood.sheets,
        ["Page de garde", "PTA 2025", "Indicateurs"]
    );
    assert_eq!(understood.layout.sheet, "PTA 2025");
    assert_eq!(
        (
            understood.layout.header_line,
            understood.layout.header_lines
        ),
        (4, 2)
    );
    assert_eq!(understood.indicator_sheet.as_deref(), Some("Indicateurs"));
    let ignored: Vec<(usize, &str, &str)> = understood
        .plan
        .ignored
        .iter()
        .map(|i| (i.line, i.text.as_str(), i.reason))
        .collect();
    assert_eq!(
        ignored,
        [
            (9, "Sous-total AP1", "imports.ignored.total"),
            (13, "TOTAL GÉNÉRAL", "imports.ignored.total"),
            (15, "Le Directeur Général", "imports.ignored.note"),
        ]
    );
    let radars = &understood.plan.activities[2];
    assert!(radars.pm);
    assert_eq!(radars.schedule.len(), 1);
    assert_eq!(radars.schedule[0].quarter, Some(4));
    let controls = &understood.plan.activities[3];
    assert_eq!(controls.schedule.len(), 4);
    assert_eq!(controls.funding[0].text, "RP");
    let id = imports::apply_plan_import(
        &pool,
        &target,
        &import,
        today(),
        admin_id(&pool).await,
        None,
    )
    .await
    .unwrap()
    .unwrap();
    let (nodes, activities, indicators) = written(&pool, id).await;
    assert_eq!(nodes, PTA_NODES);
    assert_eq!(
        activities,
        [
            "1.1|Organiser des campagnes radio|1|12.000|12500000|DCS|NAT",
            "1.2|Former les conducteurs de moto-taxi|1|500.000|7500000|DFR|NAT",
            "2.1|Installer des radars|2|10.000|0|DCR|NAT",
            "2.2|Contrôles routiers conjoints|2|24.000|6000000|DCR|NAT",
        ]
    );
    assert_eq!(
        indicators,
        [
            "IND-1.1|Nombre de campagnes|increase|1",
            "IND-1.2|Nombre de conducteurs formés|increase|1",
            "IND1|Nombre de tués sur les routes|personnes|1012.000|2024|900.000|2025|decrease|1",
            "IND2|Taux de port du casque|%|35.000|2024|50.000|2025|increase|2",
        ]
    );
    let plan = plans::find(&pool, id).await.unwrap().unwrap();
    assert_eq!(plan.level_names, ["Action prioritaire"]);
    // A second import of the same file changes nothing.
    let again =
        imports::prepare_plan_import(&pool, &pta_workbook(), &Target::Existing(plan), today())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(again.changes.len(), 0, "{:?}", again.changes);
}

/// The PTA as French Excel saves it in CSV: Windows-1252, `;`, decimal
/// comma, CRLF, a line break inside a quoted cell, the title block above.
fn pta_csv() -> Vec<u8> {
    let text = "PROGRAMME DE TRAVAIL ANNUEL 2025;;;;;;\r\n\
                ;;;;;;\r\n\
                N°;Actions prioritaires / Activités;Cible 2025;Unité;Responsable;Coût (FCFA);Observations\r\n\
                1;Action prioritaire 1 : Sensibiliser;;;;;\r\n\
                1.1;\"Campagnes radio\r\net télévision\";12,5;émissions;DCS;12 500 000;\r\n\
                1.2;Brochures;3000;exemplaires;DCS;1 500 000;\"Avec l'appui\r\ndu PNUD\"\r\n\
                ;Sous-total AP1;;;;14 000 000;\r\n\
                2;Action prioritaire 2 : Contrôler;;;;;\r\n\
                2.1;Radars;10;radars;DCR;PM;\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[sqlx::test]
async fn the_same_pta_as_a_french_excel_csv_goes_in(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let target = new_plan(anaser, "PTA-CSV", 2025);
    let bytes = pta_csv();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "Windows-1252, not UTF-8"
    );
    let import = imports::prepare_plan_import(&pool, &bytes, &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    let understood = import.understood.as_ref().unwrap();
    assert_eq!(understood.layout.header_line, 3);
    let ignored: Vec<(usize, &str)> = understood
        .plan
        .ignored
        .iter()
        .map(|i| (i.line, i.text.as_str()))
        .collect();
    assert_eq!(ignored, [(7, "Sous-total AP1")]);
    let id = imports::apply_plan_import(
        &pool,
        &target,
        &import,
        today(),
        admin_id(&pool).await,
        None,
    )
    .await
    .unwrap()
    .unwrap();
    let (nodes, activities, _) = written(&pool, id).await;
    assert_eq!(nodes, ["0|1|Sensibiliser", "0|2|Contrôler"]);
    assert_eq!(
        activities,
        [
            "1.1|Campagnes radio\net télévision|1|12.500|émissions|12500000|DCS|NAT",
            "1.2|Brochures|1|3000.000|exemplaires|1500000|DCS|NAT",
            "2.1|Radars|2|10.000|radars|0|DCR|NAT",
        ]
    );
}

fn multi_year_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Plan d'actions").unwrap();
    let rows: &[&[&str]] = &[
        &["PLAN D'ACTIONS 2022-2024 DE LA STRATÉGIE NATIONALE DE RÉFORME DU SECTEUR DE LA SÉCURITÉ"],
        &[],
        &["Code", "Axes / Objectifs / Activités", "Structure responsable", "Structures associées", "Coût (FCFA)", "", "", "Total"],
        &["", "", "", "", "2022", "2023", "2024"],
        &["Axe 1", "Gouvernance du secteur"],
        &["OS 1.1", "Renforcer le cadre juridique"],
        &["1.1.1", "Relire les textes", "CRSS", "Ministères", "15 000 000", "PM", "-", "15 000 000"],
        &["1.1.2", "Ateliers régionaux (Kayes)", "CRSS", "", "5 000 000", "5 000 000", "5 000 000", "15 000 000"],
        &["Axe 2", "Contrôle démocratique"],
        &["OS 2.1", "Associer la société civile"],
        &["2.1.1", "Forums citoyens", "CRSS", "OSC", "", "10 000 000", "", ""],
        &["", "Sous-total Axe 2", "", "", "", "10 000 000"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[sqlx::test]
async fn a_multi_year_action_plan_is_created_multi_year(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let crss = agency_id(&pool, "CRSS").await;
    let target = new_plan(crss, "PA-2022-2024", 2026);
    let import = imports::prepare_plan_import(&pool, &multi_year_workbook(), &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    let id = imports::apply_plan_import(
        &pool,
        &target,
        &import,
        today(),
        admin_id(&pool).await,
        None,
    )
    .await
    .unwrap()
    .unwrap();
    let plan = plans::find(&pool, id).await.unwrap().unwrap();
    assert_eq!((plan.start_year, plan.end_year), (2022, 2024));
    assert_eq!(plan.level_names, ["Axe", "OS"]);
    let kind: String = sqlx::query_scalar("SELECT kind::text FROM plans WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kind, "multiyear");
    let (nodes, activities, _) = written(&pool, id).await;
    assert_eq!(
        nodes,
        [
            "0|Axe1|Gouvernance du secteur",
            "1|OS1.1|Renforcer le cadre juridique|Axe1",
            "0|Axe2|Contrôle démocratique",
            "1|OS2.1|Associer la société civile|Axe2",
        ]
    );
    assert_eq!(
        activities,
        [
            "1.1.1|Relire les textes|OS1.1|15000000|CRSS|NAT",
            "1.1.2|Ateliers régionaux (Kayes)|OS1.1|15000000|CRSS|NAT",
            "2.1.1|Forums citoyens|OS2.1|10000000|CRSS|NAT",
        ]
    );
}

fn results_framework() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Cadre de résultats").unwrap();
    let rows: &[&[&str]] = &[
        &["PNUD Mali – Programme Gouvernance démocratique"],
        &[
            "Résultats / Activités",
            "Indicateur",
            "Budget (USD)",
            "Partenaire",
        ],
        &["Effet 1 : Les institutions démocratiques sont renforcées"],
        &["Produit 1.1 : Le parlement exerce son contrôle"],
        &[
            "Activité 1.1.1 : Former les députés",
            "Députés formés",
            "$250,000",
            "Assemblée nationale",
        ],
        &["Produit 1.2 : Les élections sont transparentes"],
        &[
            "Activité 1.2.1 : Équiper la CENI",
            "",
            "1,250,000.00",
            "CENI",
        ],
        &["Total Effet 1", "", "1,500,000"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[sqlx::test]
async fn a_results_framework_in_usd_is_read_but_never_added_to_francs(pool: PgPool) {
    let app = demo_app(&pool).await;
    let pnud = agency_id(&pool, "PNUD").await;
    let mut admin = signed_in(&app, "admin").await;
    let home_before = admin.get("/?year=2026").await;
    let target = new_plan(pnud, "CPD", 2026);
    let import = imports::prepare_plan_import_with(
        &pool,
        &results_framework(),
        &target,
        today(),
        &Choices::default(),
    )
    .await
    .unwrap()
    .unwrap_or_else(|(problems, _)| panic!("{problems:?}"));
    let understood = import.understood.as_ref().expect("an agency's own file");
    let json = imports::report::plan_json(understood, &[]);
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["levels"][0]["name"], "Effet");
    assert_eq!(json["levels"][1]["nodes"][0]["code"], "P1.1");
    assert_eq!(json["levels"][1]["nodes"][0]["parent"], "E1");
    assert_eq!(json["activities"][0]["code"], "1.1.1");
    assert_eq!(json["activities"][0]["parent"], "P1.1");
    assert_eq!(json["activities"][0]["budget"]["amount"], 250_000);
    assert_eq!(json["activities"][0]["budget"]["currency"], "USD");
    assert_eq!(json["activities"][1]["budget"]["amount"], 1_250_000);
    assert_eq!(json["activities"][1]["responsible_unit"], "CENI");
    assert_eq!(json["ignored"][0]["line"], 8);
    let id = imports::apply_plan_import(
        &pool,
        &target,
        &import,
        today(),
        admin_id(&pool).await,
        None,
    )
    .await
    .unwrap()
    .unwrap();
    // Stored in dollars, on a plan in dollars.
    let plan = plans::find(&pool, id).await.unwrap().unwrap();
    assert_eq!(plan.currency, "USD");
    let (_, activities, _) = written(&pool, id).await;
    assert_eq!(
        activities,
        [
            "1.1.1|Former les députés|P1.1|250000|Assemblée nationale|NAT",
            "1.2.1|Équiper la CENI|P1.2|1250000|CENI|NAT",
        ]
    );
    let page = admin.get(&format!("/plans/{id}")).await;
    assert_eq!(
        page.texts("tr[data-activity] [data-field=budget]"),
        ["250 000 USD", "1 250 000 USD"]
    );
    // The consolidated year: the FCFA figures as before, the dollars beside
    // them, per currency, never added.
    let home = admin.get("/?year=2026").await;
    assert_eq!(
        home.texts("#total [data-figure=budget-rate]"),
        home_before.texts("#total [data-figure=budget-rate]")
    );
    assert!(home_before.texts("#other-currencies").is_empty());
    assert_eq!(
        home.texts("#other-currencies [data-currency=USD]"),
        ["0 USD / 1 500 000 USD"]
    );
    let (budget, spent): (Vec<i128>, Vec<i128>) = {
        let totals = suivi::store::agencies::summaries_for_year(&pool, 2026, today(), None)
            .await
            .unwrap();
        let pnud_total = totals.iter().find(|(agency, _)| *agency == pnud);
        (
            pnud_total.map(|(_, s)| s.budget).into_iter().collect(),
            pnud_total.map(|(_, s)| s.spent).into_iter().collect(),
        )
    };
    // PNUD's FCFA figures hold no dollar.
    assert!(budget.iter().chain(&spent).all(|amount| *amount == 0));
    // A file in FCFA into the dollar plan is refused: one currency a plan.
    let refused =
        imports::prepare_plan_import(&pool, &pta_workbook(), &Target::Existing(plan), today())
            .await
            .unwrap()
            .unwrap_err();
    assert!(refused
        .iter()
        .any(|p| p.key == "imports.error.other_currency"));
}

fn progress_report() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Rapport T3").unwrap();
    let rows: &[&[&str]] = &[
        &["RAPPORT DE SUIVI DU PTA 2025 AU 30/09/2025"],
        &[],
        &[
            "N°",
            "Activités",
            "Réalisation au 30/09/2025",
            "Taux (%)",
            "Statut",
            "Date",
            "Commentaire",
        ],
        &["Action prioritaire 1"],
        &[
            "1.1",
            "Campagnes radio",
            "12",
            "100 %",
            "Réalisée",
            "",
            "Toutes diffusées",
        ],
        &[
            "1.2",
            "Former les conducteurs",
            "",
            "50%",
            "En cours d'exécution",
            "30/11/2025",
        ],
        &["2.1", "Radars", "", "", "NR"],
        &["2.2", "Contrôles", "", "", "Suspendue"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[sqlx::test]
async fn a_progress_report_in_the_officers_words_leaves_the_undecided_to_the_user(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let target = new_plan(anaser, "PTA-2025", 2025);
    let import = imports::prepare_plan_import(&pool, &pta_workbook(), &target, today())
        .await
        .unwrap()
        .unwrap();
    let admin = admin_id(&pool).await;
    let id = imports::apply_plan_import(&pool, &target, &import, today(), admin, None)
        .await
        .unwrap()
        .unwrap();
    let plan = plans::find(&pool, id).await.unwrap().unwrap();
    let prepared = imports::prepare_progress_with(
        &pool,
        &plan,
        &progress_report(),
        today(),
        &Choices::default(),
    )
    .await
    .unwrap()
    .unwrap_or_else(|problems| panic!("{problems:?}"));
    let batch: Vec<(&str, &str, Option<String>, chrono::NaiveDate)> = prepared
        .batch
        .iter()
        .map(|b| {
            (
                b.activity.code.as_str(),
                b.update.status.as_str(),
                b.update.achieved.map(|a| a.normalize().to_string()),
                b.update.as_of,
            )
        })
        .collect();
    assert_eq!(
        batch,
        [
            ("1.1", "done", Some("12".into()), date(2025, 9, 30)),
            // 50 % of a target of 500.
            ("1.2", "in_progress", Some("250".into()), date(2025, 11, 30)),
        ]
    );
    let left: Vec<(&str, &str)> = prepared
        .left
        .iter()
        .map(|r| (r.code.as_str(), r.status_text.as_str()))
        .collect();
    assert_eq!(left, [("2.1", "NR"), ("2.2", "Suspendue")]);
    let (_, rows) = prepared.understood.as_ref().unwrap();
    assert_eq!(rows.ignored[0].reason, "imports.ignored.section");
    // The user settles the two rows: recorded as settled, nothing guessed.
    let choices = Choices {
        settled: vec![(7, "not_started".into()), (8, "postponed".into())],
        ..Choices::default()
    };
    let settled =
        imports::prepare_progress_with(&pool, &plan, &progress_report(), today(), &choices)
            .await
            .unwrap()
            .unwrap();
    assert!(settled.left.is_empty());
    let statuses: Vec<(&str, &str)> = settled
        .batch
        .iter()
        .map(|b| (b.activity.code.as_str(), b.update.status.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("1.1", "done"),
            ("1.2", "in_progress"),
            ("2.1", "not_started"),
            ("2.2", "postponed")
        ]
    );
}

/// The hidden fields of a form: (name, value).
fn hidden(page: &Page, form: &str) -> Vec<(String, String)> {
    let selector = format!("{form} input[type=hidden]");
    page.attrs(&selector, "name")
        .into_iter()
        .zip(page.attrs(&selector, "value"))
        .collect()
}

#[sqlx::test]
async fn in_the_browser_the_user_sees_what_was_understood_corrects_it_and_saves_the_mapping(
    pool: PgPool,
) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let plan_id = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let import_uri = format!("/plans/{plan_id}/import");
    let form = editor.get(&import_uri).await;
    let csrf = csrf_of(&form);
    let pta = pta_workbook();
    let upload_fields = [("csrf", csrf.as_str()), ("kind", "plan")];
    let preview = editor
        .post_file(&import_uri, &upload_fields, ("file", "pta.xlsx", &pta))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.attrs("#where", "data-sheet"), ["PTA 2025"]);
    assert_eq!(preview.attrs("#where", "data-header"), ["4"]);
    assert_eq!(
        preview.attrs("#columns tr[data-column=L]", "data-meaning"),
        ["comment"]
    );
    assert_eq!(
        preview.attrs("#columns tr[data-column=F]", "data-meaning"),
        ["quarter:1"]
    );
    assert_eq!(preview.attrs("#tree li", "data-code"), ["1", "2"]);
    assert_eq!(
        preview.attrs("#activities-read tr[data-code]", "data-code"),
        ["1.1", "1.2", "2.1", "2.2"]
    );
    assert_eq!(
        preview.attrs("#activities-read tr[data-code]", "data-parent"),
        ["1", "1", "2", "2"]
    );
    assert_eq!(preview.attrs("#ignored tr", "data-line"), ["9", "13", "15"]);
    assert!(preview.text("#ignored").contains("Total ou sous-total"));
    assert!(preview.text("#activities-read").contains("T2 (250)"));
    assert_eq!(preview.attrs("#changes-count", "data-count").len(), 1);

    // The user says column L is not to be imported, and saves the choice.
    let mut fields = hidden(&preview, "#reread");
    fields.retain(|(n, _)| n != "col_L");
    for (name, value) in preview
        .attrs("#reread select", "name")
        .into_iter()
        .zip(preview.attrs("#reread select option[selected]", "value"))
    {
        if name != "col_L" && name.starts_with("col_") {
            fields.push((name, value));
        }
    }
    fields.push(("col_L".into(), "not_imported".into()));
    fields.push(("mapping_name".into(), "PTA ANASER".into()));
    fields.push(("action".into(), "preview".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let again = editor.post(&format!("{import_uri}/apply"), &borrowed).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        again.attrs("#columns tr[data-column=L]", "data-meaning"),
        ["not_imported"]
    );
    assert!(again.text("#not-imported").contains("L (Observations)"));
    assert_eq!(again.attrs("#mapping-used", "id").len(), 1);

    // The next file of the same shape is read with the saved mapping.
    let next = editor
        .post_file(&import_uri, &upload_fields, ("file", "pta.xlsx", &pta))
        .await;
    assert!(next.text("#mapping-used").contains("PTA ANASER"));
    assert_eq!(
        next.attrs("#columns tr[data-column=L]", "data-meaning"),
        ["not_imported"]
    );

    // Applied with the choices previewed: the four activities are in the plan.
    let mut apply = hidden(&next, "#apply");
    assert!(apply
        .iter()
        .any(|(n, v)| n == "col_L" && v == "not_imported"));
    apply.retain(|(n, _)| n != "csrf");
    apply.push(("csrf".into(), csrf.clone()));
    let borrowed: Vec<(&str, &str)> = apply
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let applied = editor.post(&format!("{import_uri}/apply"), &borrowed).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT a.code || ' ' || n.code FROM activities a JOIN plan_nodes n ON n.id = a.node_id \
         WHERE a.plan_id = $1 AND a.code IN ('1.1', '1.2', '2.1', '2.2') ORDER BY a.code",
    )
    .bind(plan_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(titles, ["1.1 1", "1.2 1", "2.1 2", "2.2 2"]);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'import_mapping.save'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

/// Each activity's schedule as stored, one string per activity with one:
/// `code|2025T1 q250 c1000,…` (q a period's target, c its cost).
async fn schedules(pool: &PgPool, plan_id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.code || '|' || (SELECT string_agg((p->>'year') \
             || coalesce('T' || (p->>'quarter'), '') || coalesce(' q' || (p->>'target'), '') \
             || coalesce(' c' || (p->>'cost'), ''), ',' ORDER BY o) \
           FROM jsonb_array_elements(v.periods) WITH ORDINALITY e(p, o)) \
         FROM activity_schedule_versions v JOIN activities a ON a.id = v.activity_id \
         WHERE a.plan_id = $1 ORDER BY a.id, v.id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The plan's funding lines (source, kind, planned) and each activity's line.
async fn funding_of(pool: &PgPool, plan_id: i64) -> (Vec<String>, Vec<String>) {
    let lines = sqlx::query_scalar(
        "SELECT concat_ws('|', source, source_kind, planned, mobilised) FROM funding_lines \
         WHERE plan_id = $1 ORDER BY id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let links = sqlx::query_scalar(
        "SELECT concat_ws('|', a.code, f.source) FROM activities a \
         LEFT JOIN funding_lines f ON f.id = a.funding_line_id WHERE a.plan_id = $1 ORDER BY a.id",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    (lines, links)
}

async fn import_new(pool: &PgPool, bytes: &[u8], target: &Target) -> i64 {
    let import = imports::prepare_plan_import(pool, bytes, target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    imports::apply_plan_import(pool, target, &import, today(), admin_id(pool).await, None)
        .await
        .unwrap()
        .unwrap()
}

#[sqlx::test]
async fn the_pta_schedule_and_funding_sources_are_kept_row_by_row(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let id = import_new(&pool, &pta_workbook(), &new_plan(anaser, "PTA-2025", 2025)).await;
    assert_eq!(
        schedules(&pool, id).await,
        [
            "1.1|2025T1,2025T2,2025T3",
            "1.2|2025T2 q250,2025T3 q250",
            "2.1|2025T4",
            "2.2|2025T1 q6,2025T2 q6,2025T3 q6,2025T4 q6",
        ]
    );
    // "BE" and "Etat" are one line; "PTF / Budget d'État" is linked to its
    // first source, the other one said in the preview.
    let (lines, links) = funding_of(&pool, id).await;
    assert_eq!(
        lines,
        [
            "Budget d’État|state|12500000|0",
            "Partenaires|partner|7500000|0",
            "Ressources propres|own|6000000|0",
        ]
    );
    assert_eq!(
        links,
        [
            "1.1|Budget d’État",
            "1.2|Partenaires",
            "2.1|Budget d’État",
            "2.2|Ressources propres",
        ]
    );
    let import = imports::prepare_plan_import(
        &pool,
        &pta_workbook(),
        &new_plan(anaser, "X", 2025),
        today(),
    )
    .await
    .unwrap()
    .unwrap();
    let notes: Vec<(usize, &str, &str)> = import
        .understood
        .as_ref()
        .unwrap()
        .plan
        .notes
        .iter()
        .filter(|n| n.key == "imports.note.more_sources")
        .map(|n| (n.line, n.column.as_str(), n.value.as_str()))
        .collect();
    assert_eq!(notes, [(8, "K (Source de financement)", "Budget d'État")]);
}

#[sqlx::test]
async fn the_multi_year_plan_keeps_its_years_and_their_costs(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let crss = agency_id(&pool, "CRSS").await;
    let id = import_new(&pool, &multi_year_workbook(), &new_plan(crss, "PA", 2026)).await;
    assert_eq!(
        schedules(&pool, id).await,
        [
            "1.1.1|2022 c15000000,2023",
            "1.1.2|2022 c5000000,2023 c5000000,2024 c5000000",
            "2.1.1|2023 c10000000",
        ]
    );
    // No source column: no funding line is made up.
    assert_eq!(funding_of(&pool, id).await.0, Vec::<String>::new());
}

#[sqlx::test]
async fn an_activity_is_late_once_a_planned_quarter_has_passed_undone(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let id = import_new(&pool, &pta_workbook(), &new_plan(anaser, "PTA-2025", 2025)).await;
    let late_on = |day: chrono::NaiveDate| {
        let pool = pool.clone();
        async move {
            plans::activities_as_of(&pool, id, day)
                .await
                .unwrap()
                .iter()
                .filter(|a| a.figures().is_late(day))
                .map(|a| a.code.clone())
                .collect::<Vec<_>>()
        }
    };
    // T1 ends on 31 March: 1.1 and 2.2 are planned in it, 1.2 starts in T2.
    assert_eq!(late_on(date(2025, 3, 31)).await, Vec::<String>::new());
    assert_eq!(late_on(date(2025, 4, 1)).await, ["1.1", "2.2"]);
    assert_eq!(late_on(date(2025, 7, 1)).await, ["1.1", "1.2", "2.2"]);
    // The agency's figures, counted in SQL, say the same.
    let summaries = suivi::store::agencies::plan_summaries(&pool, anaser, date(2025, 4, 1))
        .await
        .unwrap();
    let summary = summaries.iter().find(|(plan, _)| *plan == id).unwrap().1;
    assert_eq!(summary.late, 2);
    // Done, 1.1 is no longer late.
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = '1.1'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO progress_updates (activity_id, as_of, status, achieved, author, counted_since) \
         VALUES ($1, '2025-03-15', 'done', 12, 'admin', now())",
    )
    .bind(activity)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(late_on(date(2025, 4, 1)).await, ["2.2"]);
}

#[sqlx::test]
async fn a_schedule_changed_after_a_seal_does_not_move_the_sealed_late_count(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let id = import_new(&pool, &pta_workbook(), &new_plan(anaser, "PTA-2025", 2025)).await;
    let sealed_at: chrono::DateTime<chrono::Utc> = sqlx::query_scalar("SELECT clock_timestamp()")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Later, 2.1 is moved to T1, from the start of the year.
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = '2.1'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let t1 = suivi::schedule::PlannedPeriod {
        year: 2025,
        quarter: Some(1),
        target: None,
        cost: None,
    };
    suivi::store::schedules::write(&mut tx, activity, &[t1], date(2025, 1, 1), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let late = |rows: &[plans::ActivityRow]| {
        rows.iter()
            .filter(|a| a.figures().is_late(date(2025, 4, 1)))
            .map(|a| a.code.clone())
            .collect::<Vec<_>>()
    };
    let now = plans::activities_as_of(&pool, id, date(2025, 4, 1))
        .await
        .unwrap();
    assert_eq!(late(&now), ["1.1", "2.1", "2.2"]);
    assert_eq!(now[2].schedule_label(suivi::i18n::Lang::Fr), "T1");
    // As known when sealed: the schedule then.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('suivi.known_at', $1, true)")
        .bind(sealed_at.to_rfc3339())
        .execute(&mut *tx)
        .await
        .unwrap();
    let then = plans::activities_as_of(&mut *tx, id, date(2025, 4, 1))
        .await
        .unwrap();
    assert_eq!(late(&then), ["1.1", "2.2"]);
    assert_eq!(then[2].schedule_label(suivi::i18n::Lang::En), "Q4");
}

#[sqlx::test]
async fn the_plan_page_and_the_grid_show_the_schedule(pool: PgPool) {
    let app = demo_app(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;
    let id = import_new(&pool, &pta_workbook(), &new_plan(anaser, "PTA-2025", 2025)).await;
    let mut admin = signed_in(&app, "admin").await;
    let page = admin.get(&format!("/plans/{id}")).await;
    assert_eq!(
        page.texts("tr[data-activity] [data-field=schedule]"),
        [
            "Chronogramme : T1 T2 T3",
            "Chronogramme : T2 T3",
            "Chronogramme : T4",
            "Chronogramme : T1 T2 T3 T4",
        ]
    );
    let grid = admin.get(&format!("/plans/{id}/grid")).await;
    assert_eq!(
        grid.texts("[data-field=schedule]"),
        ["T1 T2 T3", "T2 T3", "T4", "T1 T2 T3 T4"]
    );
}
