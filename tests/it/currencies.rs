//! A plan in US dollars beside the demo's FCFA plans: every place its money
//! shows says USD (the reports in each format, the API, the plan, funding
//! and grid pages), and no total adds its dollars to francs CFA.

use std::io::Cursor;

use crate::common::*;
use axum::http::StatusCode;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use sqlx::PgPool;
use suivi::store::api_tokens::Scope;

/// ANASER's results framework for 2025 in USD: one activity of 250 000 USD
/// with 100 000 USD spent, and a funding line of 300 000 USD (120 000
/// mobilised). Returns the plan's id.
async fn add_usd_plan(pool: &PgPool) -> i64 {
    let anaser = agency_id(pool, "ANASER").await;
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names, currency) \
         VALUES ($1, 'RF-2025', 'Cadre de résultats PNUD 2025', 'annual', 2025, 2025, \
         '{Produit}', 'USD') RETURNING id",
    )
    .bind(anaser)
    .fetch_one(pool)
    .await
    .unwrap();
    let node: i64 = sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, depth, code, title) \
         VALUES ($1, 0, 'P1', 'Capacités renforcées') RETURNING id",
    )
    .bind(plan)
    .fetch_one(pool)
    .await
    .unwrap();
    let activity: i64 = sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, code, title, budget) \
         VALUES ($1, $2, 'P1.1', 'Former les agents de contrôle', 250000) RETURNING id",
    )
    .bind(plan)
    .bind(node)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO progress_updates (activity_id, as_of, status, spent, author) \
         VALUES ($1, '2025-06-30', 'in_progress', 100000, 'test')",
    )
    .bind(activity)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO funding_lines (plan_id, position, source, source_kind, planned, mobilised) \
         VALUES ($1, 0, 'PNUD', 'partner', 300000, 120000)",
    )
    .bind(plan)
    .execute(pool)
    .await
    .unwrap();
    plan
}

fn csv_of(page: &Page) -> Vec<Vec<String>> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    parse_csv(page.body.trim_start_matches('\u{feff}'), ';')
}

fn column(rows: &[Vec<String>], title: &str) -> usize {
    rows[0]
        .iter()
        .position(|t| t == title)
        .unwrap_or_else(|| panic!("no column {title:?} in {:?}", rows[0]))
}

/// The line of a CSV whose first column is `first` and fourth is `code`.
fn line<'a>(rows: &'a [Vec<String>], first: &str, code: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first && r[3] == code)
        .unwrap_or_else(|| panic!("no line {first} {code} in {rows:?}"))
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn number(cell: Option<&Data>) -> f64 {
    match cell {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

const SUMMARY_CSV: &str = "/report/2025.csv?as_of=2025-11-30&table=summary";

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn a_dollar_plan_stays_in_dollars_in_every_report(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let before = csv_of(&admin.get(SUMMARY_CSV).await);
    let budget = column(&before, "Budget");
    let spent = column(&before, "Dépensé");
    let fcfa_total = before[1][budget].clone();
    let fcfa_spent = before[1][spent].clone();
    add_usd_plan(&pool).await;

    // The consolidated summary: every activity counted, the francs alone in
    // the total, each currency on its own line.
    let summary = csv_of(&admin.get(SUMMARY_CSV).await);
    let planned = column(&summary, "Prévues");
    let currency = column(&summary, "Devise");
    let total = line(&summary, "Ensemble", "");
    assert_eq!(
        total[planned].parse::<u64>().unwrap(),
        before[1][planned].parse::<u64>().unwrap() + 1
    );
    assert_eq!(
        (total[currency].as_str(), total[budget].as_str()),
        ("FCFA", fcfa_total.as_str())
    );
    assert_eq!(total[spent], fcfa_spent);
    let by_currency = "Par devise (montants jamais additionnés entre devises)";
    let usd = line(&summary, by_currency, "USD");
    assert_eq!(
        (
            usd[planned].as_str(),
            usd[budget].as_str(),
            usd[spent].as_str()
        ),
        ("1", "250000", "100000")
    );
    assert_eq!(usd[column(&summary, "Prévu")], "300000");
    assert_eq!(usd[column(&summary, "Mobilisé")], "120000");
    let xof = line(&summary, by_currency, "XOF");
    assert_eq!(xof[budget], fcfa_total);

    // The activities and funding CSVs name each row's currency.
    let activities = csv_of(&admin.get("/report/2025.csv?as_of=2025-11-30").await);
    let code = column(&activities, "Code");
    let row = activities
        .iter()
        .find(|r| r[code] == "P1.1")
        .expect("the dollar activity");
    assert_eq!(row[column(&activities, "Devise")], "USD");
    assert_eq!(row[column(&activities, "Budget")], "250000");
    let funding = csv_of(
        &admin
            .get("/report/2025.csv?as_of=2025-11-30&table=funding")
            .await,
    );
    let pnud = funding.iter().find(|r| r[2] == "PNUD").expect("PNUD");
    assert_eq!(
        (
            pnud[column(&funding, "Devise")].as_str(),
            pnud[column(&funding, "Prévu")].as_str()
        ),
        ("USD", "300000")
    );

    // The consolidated workbook: the same total in francs, the dollars apart.
    let page = admin.get("/report/2025.xlsx?as_of=2025-11-30").await;
    assert_eq!(page.status, StatusCode::OK);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(page.bytes.clone())).unwrap();
    let synthese: Vec<Vec<Data>> = book
        .worksheet_range("Synthèse")
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let headline = synthese
        .iter()
        .find(|r| text(r.first()) == "Budget des activités (FCFA)")
        .expect("the budget in FCFA");
    assert_eq!(number(headline.get(1)), fcfa_total.parse::<f64>().unwrap());
    let usd_row = synthese
        .iter()
        .find(|r| text(r.first()) == "USD")
        .expect("the dollars' line");
    // Label, blank, code, blank, then the summary columns: 8 counts, the
    // rate, the currency, the budget and the spending.
    assert_eq!(text(usd_row.get(13)), "USD");
    assert_eq!(number(usd_row.get(14)), 250_000.0);
    assert_eq!(number(usd_row.get(15)), 100_000.0);
    let activities: Vec<Vec<Data>> = book
        .worksheet_range("Activités")
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let row = activities
        .iter()
        .find(|r| text(r.get(4)) == "P1.1")
        .expect("the dollar activity");
    assert_eq!(text(row.get(14)), "USD");
    assert_eq!(number(row.get(12)), 250_000.0);

    // ANASER's own PDF lists the dollar activity and its funding in dollars.
    let pdf = pdf_text_of(
        &admin
            .get("/agencies/ANASER/report/2025.pdf?as_of=2025-11-30")
            .await
            .bytes,
    );
    assert!(pdf.contains("300 000 USD"), "{pdf}");
    assert!(pdf.contains("Par devise"), "{pdf}");
    assert!(pdf.contains("250 000 USD 100 000 USD"), "{pdf}");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_api_gives_each_amount_its_plans_currency(pool: PgPool) {
    let app = demo_app(&pool).await;
    let token = api_token(&pool, "anaser.ca", Scope::Read).await;
    let year = |app: axum::Router, token: String| async move {
        api_call(
            &app,
            "GET",
            "/api/v1/figures/2025?as_of=2025-11-30",
            Some(&token),
            None,
            None,
        )
        .await
    };
    let before = year(app.clone(), token.clone()).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    assert_eq!(before.json["other_currencies"], serde_json::json!([]));
    let plan = add_usd_plan(&pool).await;

    let after = year(app.clone(), token.clone()).await;
    let total = &after.json["total"];
    assert_eq!(total["budget"], before.json["total"]["budget"]);
    assert_eq!(total["budget"]["currency"], "XOF");
    assert_eq!(
        total["planned"].as_u64().unwrap(),
        before.json["total"]["planned"].as_u64().unwrap() + 1
    );
    assert_eq!(
        after.json["other_currencies"],
        serde_json::json!([{
            "currency": "USD",
            "budget": {"amount": 250000, "currency": "USD"},
            "spent": {"amount": 100000, "currency": "USD"},
            "budget_execution_rate": {"numerator": 2, "denominator": 5, "percent": 40}
        }])
    );

    let detail = api_call(
        &app,
        "GET",
        &format!("/api/v1/plans/{plan}?as_of=2025-11-30"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.text);
    assert_eq!(detail.json["currency"], "USD");
    assert_eq!(
        detail.json["figures"]["budget"],
        serde_json::json!({"amount": 250000, "currency": "USD"})
    );
    assert_eq!(
        detail.json["nodes"][0]["figures"]["spent"]["currency"],
        "USD"
    );
    assert_eq!(
        detail.json["funding"][0]["planned"],
        serde_json::json!({"amount": 300000, "currency": "USD"})
    );
    let activities = api_call(
        &app,
        "GET",
        &format!("/api/v1/plans/{plan}/activities?as_of=2025-11-30"),
        Some(&token),
        None,
        None,
    )
    .await;
    let activity = &activities.json[0];
    assert_eq!(activity["budget"]["currency"], "USD");
    assert_eq!(
        activity["spent"],
        serde_json::json!({"amount": 100000, "currency": "USD"})
    );
    let one = api_call(
        &app,
        "GET",
        &format!("/api/v1/activities/{}", activity["id"]),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(one.json["history"][0]["spent"]["currency"], "USD");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_pages_of_a_dollar_plan_say_usd(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = add_usd_plan(&pool).await;
    let mut admin = signed_in(&app, "admin").await;

    let page = admin.get(&format!("/plans/{plan}?as_of=2025-11-30")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.texts("#funding [data-figure=planned]"),
        ["300 000 USD"]
    );
    let funding = admin.get(&format!("/plans/{plan}/funding")).await;
    assert_eq!(funding.status, StatusCode::OK, "{}", funding.body);
    assert!(funding.texts("td.num").iter().any(|t| t.ends_with("USD")));
    assert!(!funding.body.contains("FCFA"), "{}", funding.body);

    let grid = admin.get(&format!("/plans/{plan}/grid")).await;
    assert_eq!(grid.status, StatusCode::OK, "{}", grid.body);
    assert_eq!(grid.text("#gp"), "Montant dépensé (USD)");
    let structure = admin.get(&format!("/plans/{plan}/structure")).await;
    assert!(!structure.body.contains("FCFA"), "{}", structure.body);
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn a_published_dollar_plan_says_usd_on_its_public_page_and_open_data(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = add_usd_plan(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let csrf = csrf_of(&admin.get("/login").await);
    let published = admin
        .post(
            &format!("/plans/{plan}/publication"),
            &[("csrf", &csrf), ("publish", "true")],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );

    let mut visitor = Client::new(&app);
    let page = visitor.get(&format!("/public/plans/{plan}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("FCFA"), "{}", page.body);
    let headline = page.text("#headline [data-figure=budget-rate]");
    assert!(headline.contains("100 000 USD / 250 000 USD"), "{headline}");
    assert!(
        page.texts("td.num").iter().any(|t| t == "300 000 USD"),
        "the funding line"
    );

    let json = visitor
        .get(&format!("/public/plans/{plan}/data.json"))
        .await;
    let data: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(data["currency"], "USD");
    assert_eq!(data["headline"]["budget"], 250_000);

    let rows = csv_of(&visitor.get(&format!("/public/plans/{plan}/data.csv")).await);
    let budget = column(&rows, "Budget (USD)");
    let spent = column(&rows, "Dépensé (USD)");
    assert_eq!(
        (rows[1][budget].as_str(), rows[1][spent].as_str()),
        ("250000", "100000")
    );

    // And a franc plan keeps its FCFA: the demo's published PAP 2025.
    let pap: i64 = sqlx::query_scalar("SELECT plan_id FROM publications WHERE plan_id IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    let rows = csv_of(&visitor.get(&format!("/public/plans/{pap}/data.csv")).await);
    column(&rows, "Budget (FCFA)");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn suivi_s_plan_file_of_a_dollar_plan_says_usd_and_keeps_it(pool: PgPool) {
    use suivi::imports::{self, Target};
    use suivi::store::imports::NewPlan;
    use suivi::store::plans;

    let _app = demo_app(&pool).await;
    let usd = add_usd_plan(&pool).await;
    let plan = plans::find(&pool, usd).await.unwrap().unwrap();
    let csv = imports::export_csv(&pool, &plan, today()).await.unwrap();
    let rows = parse_csv(
        String::from_utf8(csv.clone())
            .unwrap()
            .trim_start_matches('\u{feff}'),
        ';',
    );
    assert!(
        rows[0].contains(&"Budget (USD)".to_owned()),
        "{:?}",
        rows[0]
    );
    assert!(rows[0].contains(&"Dépensé (USD)".to_owned()));
    assert_eq!(rows[1][column(&rows, "Budget (USD)")], "250000");

    // Back onto its plan: nothing to do.
    let target = Target::Existing(plan.clone());
    let same = imports::prepare_plan_import(&pool, &csv, &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);

    // As a new plan: a plan in dollars.
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let new = Target::New(NewPlan {
        agency_id: agency_id(&pool, "ANASER").await,
        code: "RF-COPIE".into(),
        title: "Copie".into(),
        year: 2025,
        level_names: Vec::new(),
        end_year: None,
    });
    let import = imports::prepare_plan_import(&pool, &csv, &new, today())
        .await
        .unwrap()
        .unwrap();
    let copy = imports::apply_plan_import(&pool, &new, &import, today(), admin, None)
        .await
        .unwrap()
        .unwrap();
    let copy = plans::find(&pool, copy).await.unwrap().unwrap();
    assert_eq!(copy.currency, "USD");

    // The same file saying FCFA, into the dollar plan: refused.
    let fcfa = String::from_utf8(csv).unwrap().replace("(USD)", "(FCFA)");
    let fcfa = fcfa.as_bytes();
    let problems = imports::prepare_plan_import(&pool, fcfa, &target, today())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        problems
            .iter()
            .map(|p| (p.line, p.key, p.value.as_str()))
            .collect::<Vec<_>>(),
        [(1, "imports.error.other_currency", "FCFA")]
    );
}
