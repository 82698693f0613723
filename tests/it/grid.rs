//! The bulk entry grid through the router: only changed rows are saved, all
//! in one go; one bad value saves nothing; a row saved by someone else
//! meanwhile is listed and the others still save; only editors get in.

use crate::common::*;
use axum::http::StatusCode;
use scraper::Selector;
use sqlx::PgPool;

/// Every field of the grid form as the browser would send it untouched.
fn form_fields(page: &Page) -> Vec<(String, String)> {
    let html = page.html();
    let mut fields = Vec::new();
    let inputs = Selector::parse("form#grid input[name]").unwrap();
    for input in html.select(&inputs) {
        let name = input.value().attr("name").unwrap().to_owned();
        let value = input.value().attr("value").unwrap_or("").to_owned();
        fields.push((name, value));
    }
    let selects = Selector::parse("form#grid select[name]").unwrap();
    let selected = Selector::parse("option[selected]").unwrap();
    for select in html.select(&selects) {
        let name = select.value().attr("name").unwrap().to_owned();
        let value = select
            .select(&selected)
            .next()
            .and_then(|o| o.value().attr("value"))
            .unwrap_or("")
            .to_owned();
        fields.push((name, value));
    }
    fields
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

async fn submit(client: &mut Client, uri: &str, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    client.post(uri, &pairs).await
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

const UPDATES: &str = "SELECT count(*) FROM progress_updates";
const AUDITS: &str = "SELECT count(*) FROM audit_log WHERE action = 'progress.record'";

/// The PAP 2026 activities not done today, in plan order.
async fn open_activities(pool: &PgPool) -> Vec<i64> {
    let plan = plan_id(pool, "ANASER", "PAP-2026").await;
    suivi::store::plans::activities_as_of(pool, plan, today())
        .await
        .unwrap()
        .iter()
        .filter(|a| a.figures().status != suivi::domain::Status::Done)
        .map(|a| a.id)
        .collect()
}

#[sqlx::test]
async fn three_changed_rows_are_saved_together_and_move_the_rate(pool: PgPool) {
    let app = demo_app(&pool).await;
    counted_at_once(&pool, "ANASER").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let before = editor.get(&format!("/plans/{plan}")).await;
    let done_before: i64 = before.text("#headline [data-figure=done]").parse().unwrap();
    let planned: i64 = before
        .text("#headline [data-figure=planned]")
        .parse()
        .unwrap();
    assert_eq!(
        before.attrs("#grid-link", "href"),
        [format!("/plans/{plan}/grid")]
    );

    let uri = format!("/plans/{plan}/grid");
    let grid = editor.get(&uri).await;
    assert_eq!(grid.status, StatusCode::OK);
    assert_eq!(
        grid.attrs("tr[data-activity]", "data-activity").len() as i64,
        planned
    );
    let mut fields = form_fields(&grid);
    let open = open_activities(&pool).await;
    for id in &open[..3] {
        set(&mut fields, &format!("{id}.status"), "done");
        set(&mut fields, &format!("{id}.achieved"), "12,5");
        set(&mut fields, &format!("{id}.comment"), "Clôturée en atelier");
    }
    let (updates, audits) = (count(&pool, UPDATES).await, count(&pool, AUDITS).await);
    let saved = submit(&mut editor, &uri, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("{uri}?saved=3").as_str())
    );
    assert_eq!(count(&pool, UPDATES).await, updates + 3);
    assert_eq!(count(&pool, AUDITS).await, audits + 3);
    let achieved: Vec<String> = sqlx::query_scalar(
        "SELECT achieved::text FROM progress_updates WHERE comment = 'Clôturée en atelier'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(achieved, ["12.500", "12.500", "12.500"]);
    // One audit row per update, naming it, with the update it replaced.
    let audited: Vec<(i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT u.activity_id, u.id, (l.after ->> 'id')::bigint, (l.before ->> 'id')::bigint \
         FROM audit_log l JOIN progress_updates u ON u.id = l.object_id \
         WHERE l.action = 'progress.record' AND u.comment = 'Clôturée en atelier' \
         ORDER BY u.activity_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut expected = open[..3].to_vec();
    expected.sort_unstable();
    assert_eq!(audited.iter().map(|a| a.0).collect::<Vec<_>>(), expected);
    for (activity, update, after, before) in &audited {
        assert_eq!(after, &Some(*update));
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT max(id) FROM progress_updates WHERE activity_id = $1 AND id < $2",
        )
        .bind(activity)
        .bind(update)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(before, &previous, "activity {activity}");
    }
    // The state and the plan's kept figures follow the one statement.
    crate::scale::assert_states_agree(&pool, &crate::scale::dates(2026, 2026, &[])).await;
    crate::scale::assert_plan_figures_fresh(&pool).await;

    let confirmation = editor.get(&format!("{uri}?saved=3")).await;
    assert_eq!(confirmation.attrs("#saved", "data-saved"), ["3"]);

    let after = editor.get(&format!("/plans/{plan}")).await;
    let done_after: i64 = after.text("#headline [data-figure=done]").parse().unwrap();
    assert_eq!(done_after, done_before + 3);
    // The rate, rounded half up to a whole percent as the page shows it.
    let rate = (done_after * 200 + planned) / (2 * planned);
    assert_eq!(
        after.text("#headline [data-figure=execution-rate]"),
        format!("{rate} %")
    );

    // Submitting the grid untouched writes nothing.
    let grid = editor.get(&uri).await;
    let untouched = submit(&mut editor, &uri, &form_fields(&grid)).await;
    assert_eq!(
        untouched.location.as_deref(),
        Some(format!("{uri}?saved=0").as_str())
    );
    assert_eq!(count(&pool, UPDATES).await, updates + 3);
}

#[sqlx::test]
async fn one_bad_value_saves_nothing_and_each_message_shows_in_its_row(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let uri = format!("/plans/{plan}/grid");
    let mut fields = form_fields(&editor.get(&uri).await);
    let open = open_activities(&pool).await;
    let long_comment = "x".repeat(2001);
    let cases = [
        ("achieved", "-5", "achieved"),
        ("spent", "abc", "spent"),
        ("as_of", "2026-12-24", "as_of"),
        ("status", "foo", "status"),
        ("comment", long_comment.as_str(), "comment"),
        ("as_of", "2025-06-30", "as_of"),
    ];
    for ((field, value, _), id) in cases.iter().zip(&open) {
        set(&mut fields, &format!("{id}.{field}"), value);
    }
    // And one good row, which must not be saved either.
    set(&mut fields, &format!("{}.status", open[6]), "done");
    let updates = count(&pool, UPDATES).await;

    let page = submit(&mut editor, &uri, &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.text("#grid-invalid").is_empty());
    for ((field, value, error_field), id) in cases.iter().zip(&open) {
        let row = format!("tr[data-activity='{id}']");
        let message = page.text(&format!("{row} .field-error[data-field={error_field}]"));
        assert!(!message.is_empty(), "{field}={value}: no message");
        if *field == "status" {
            assert_eq!(
                page.attrs(&format!("{row} select option[selected]"), "value"),
                [*value]
            );
        } else if *field != "comment" {
            assert_eq!(
                page.attrs(&format!("{row} input[name='{id}.{field}']"), "value"),
                [*value],
                "what was typed is kept"
            );
        }
    }
    assert!(page
        .text(&format!(
            "tr[data-activity='{}'] .field-error[data-field=as_of]",
            open[5]
        ))
        .contains("2026"));
    assert_eq!(
        page.attrs(
            &format!("tr[data-activity='{}'] option[selected]", open[6]),
            "value"
        ),
        ["done"]
    );
    assert_eq!(count(&pool, UPDATES).await, updates, "nothing written");
}

#[sqlx::test]
async fn a_row_saved_meanwhile_is_listed_and_the_others_are_saved(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let uri = format!("/plans/{plan}/grid");
    let open = open_activities(&pool).await;
    let (contested, free) = (open[0], open[1]);

    let mut editor = signed_in(&app, "anaser.editeur").await;
    let mut fields = form_fields(&editor.get(&uri).await);

    // Meanwhile an admin records progress on the contested activity.
    let mut admin = signed_in(&app, "admin").await;
    let admin_grid = admin.get(&uri).await;
    let mut admin_fields = form_fields(&admin_grid);
    set(
        &mut admin_fields,
        &format!("{contested}.status"),
        "in_progress",
    );
    set(
        &mut admin_fields,
        &format!("{contested}.comment"),
        "Saisie de l’admin",
    );
    let first = submit(&mut admin, &uri, &admin_fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);

    for id in [contested, free] {
        set(&mut fields, &format!("{id}.status"), "done");
        set(&mut fields, &format!("{id}.comment"), "Saisie de l’éditeur");
    }
    let page = submit(&mut editor, &uri, &fields).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(
        page.attrs("#conflicts tr[data-conflict]", "data-conflict"),
        [contested.to_string()]
    );
    assert!(page
        .text(&format!(
            "#conflicts tr[data-conflict='{contested}'] [data-version=theirs]"
        ))
        .contains("En cours"));
    assert_eq!(page.attrs("#saved", "data-saved"), ["1"]);
    let editor_rows: Vec<i64> = sqlx::query_scalar(
        "SELECT activity_id FROM progress_updates WHERE comment = 'Saisie de l’éditeur'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(editor_rows, [free]);
    // The user's values are still in the grid: submitting again keeps them.
    assert_eq!(
        page.attrs(
            &format!("tr[data-activity='{contested}'] option[selected]"),
            "value"
        ),
        ["done"]
    );
    let retry = submit(&mut editor, &uri, &form_fields(&page)).await;
    assert_eq!(retry.status, StatusCode::SEE_OTHER);
    let latest: String = sqlx::query_scalar(
        "SELECT status FROM progress_updates WHERE activity_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(contested)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(latest, "done");
}

#[sqlx::test]
async fn only_the_agency_editors_and_admins_use_the_grid(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let uri = format!("/plans/{plan}/grid");
    let open = open_activities(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let mut fields = form_fields(&editor.get(&uri).await);
    set(&mut fields, &format!("{}.status", open[0]), "done");
    let updates = count(&pool, UPDATES).await;

    for login in ["anaser.ca", "crss.lecteur"] {
        let mut client = signed_in(&app, login).await;
        assert_eq!(
            client.get(&uri).await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        let plan_page = client.get(&format!("/plans/{plan}")).await;
        assert!(
            plan_page.texts("#grid-link").is_empty(),
            "{login} sees no grid link"
        );
        // With a valid token of their own session.
        let csrf = csrf_of(&client.get("/account/password").await);
        let mut forged = fields.clone();
        set(&mut forged, "csrf", &csrf);
        let page = submit(&mut client, &uri, &forged).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{login}");
    }
    let mut anonymous = Client::new(&app);
    let page = anonymous.get(&uri).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        submit(&mut anonymous, &uri, &fields).await.status,
        StatusCode::FORBIDDEN
    );

    // Without its CSRF token, even the editor's grid is refused.
    let mut no_token = fields.clone();
    no_token.retain(|(n, _)| n != "csrf");
    assert_eq!(
        submit(&mut editor, &uri, &no_token).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(count(&pool, UPDATES).await, updates, "nothing written");

    // A row of another plan slipped into the form is refused as a whole.
    let other_plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let stranger: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(other_plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut smuggled = fields.clone();
    smuggled.push((format!("{stranger}.status"), "done".into()));
    smuggled.push((format!("{stranger}.as_of"), "2025-12-20".into()));
    smuggled.push((format!("{stranger}.shown"), "x".into()));
    let page = submit(&mut editor, &uri, &smuggled).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(count(&pool, UPDATES).await, updates, "nothing written");
}

/// A plan that is over: new entries default to its last day (today would be
/// outside its years), so a late correction saves without retyping the date.
#[sqlx::test]
async fn a_finished_plan_s_grid_dates_entries_on_its_last_day(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let uri = format!("/plans/{plan}/grid");
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let grid = editor.get(&uri).await;
    let dates = grid.attrs("input[name$='.as_of']", "value");
    assert_eq!(dates.len(), 49);
    assert!(dates.iter().all(|d| d == "2025-12-31"), "{dates:?}");
    let mut fields = form_fields(&grid);
    let first = grid.attrs("tr[data-activity]", "data-activity")[0].clone();
    set(
        &mut fields,
        &format!("{first}.comment"),
        "Correction tardive",
    );
    let saved = submit(&mut editor, &uri, &fields).await;
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("{uri}?saved=1").as_str())
    );
}

/// The activity ids of the grid's rows, in order.
fn rows(page: &Page) -> Vec<i64> {
    page.attrs("tr[data-activity]", "data-activity")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

#[sqlx::test]
async fn filters_show_only_the_rows_asked_and_a_filtered_save_touches_only_them(pool: PgPool) {
    let app = demo_app(&pool).await;
    counted_at_once(&pool, "ANASER").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let all = suivi::store::plans::activities_as_of(&pool, plan, today())
        .await
        .unwrap();
    let ids_where = |keep: &dyn Fn(&suivi::store::plans::ActivityRow) -> bool| -> Vec<i64> {
        all.iter().filter(|a| keep(a)).map(|a| a.id).collect()
    };
    // The status most activities are in today: a filter with rows to show.
    let mut by_status = std::collections::BTreeMap::<&str, usize>::new();
    for a in &all {
        *by_status.entry(a.figures().status.as_str()).or_default() += 1;
    }
    let (status, _) = by_status.iter().max_by_key(|(_, n)| **n).unwrap();
    let status = (*status).to_owned();
    let expected = ids_where(&|a| a.figures().status.as_str() == status);
    assert!(expected.len() < all.len(), "the filter leaves rows out");
    let uri = format!("/plans/{plan}/grid?status={status}");
    let page = editor.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut shown = rows(&page);
    shown.sort_unstable();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort_unstable();
    assert_eq!(shown, expected_sorted);
    assert_eq!(
        page.attrs("form#grid", "action"),
        std::slice::from_ref(&uri)
    );
    assert_eq!(
        page.attrs("#grid-filter select[name=status] option[selected]", "value"),
        std::slice::from_ref(&status)
    );

    let late = ids_where(&|a| a.figures().is_late(today()));
    let late_page = editor.get(&format!("/plans/{plan}/grid?only=late")).await;
    assert_eq!(late_page.status, StatusCode::OK);
    assert_eq!(rows(&late_page).len(), late.len());
    assert!(rows(&late_page).iter().all(|id| late.contains(id)));

    let node_page = editor.get(&format!("/plans/{plan}/grid?node=AP1")).await;
    let codes = node_page.texts("tr[data-activity] th a:first-child");
    assert!(!codes.is_empty());
    assert!(codes.len() < all.len());
    // Headings only for the node and what lies under it.
    assert!(node_page
        .texts("tr.group th")
        .iter()
        .all(|heading| heading.contains("AP1")));

    for bad in [
        "?status=finie",
        "?only=soon",
        "?page=2",
        "?page=0",
        "?node=ZZ9",
    ] {
        let refused = editor.get(&format!("/plans/{plan}/grid{bad}")).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // Saving the filtered page: the rows shown are the only ones sent, and
    // the one changed is the only one written.
    let mut fields = form_fields(&page);
    let sent: std::collections::BTreeSet<i64> = fields
        .iter()
        .filter_map(|(name, _)| name.split_once('.')?.0.parse().ok())
        .collect();
    assert_eq!(
        sent.len(),
        expected.len(),
        "only the shown rows are in the form"
    );
    let target = expected[0];
    let other = if status == "done" {
        "in_progress"
    } else {
        "done"
    };
    set(&mut fields, &format!("{target}.status"), other);
    let updates = count(&pool, UPDATES).await;
    let saved = submit(&mut editor, &uri, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, Some(format!("{uri}&saved=1")));
    assert_eq!(count(&pool, UPDATES).await, updates + 1);
    let written: Vec<i64> =
        sqlx::query_scalar("SELECT activity_id FROM progress_updates ORDER BY id DESC LIMIT 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(written, [target]);
    // The row now in another status has left the filtered grid.
    let after = editor.get(&format!("{uri}&saved=1")).await;
    assert!(!rows(&after).contains(&target));
}

#[sqlx::test]
async fn amounts_show_grouped_and_read_back_as_typed(pool: PgPool) {
    let app = demo_app(&pool).await;
    counted_at_once(&pool, "ANASER").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let uri = format!("/plans/{plan}/grid");
    let mut fields = form_fields(&editor.get(&uri).await);
    let open = open_activities(&pool).await;
    let typed = [
        "7225000",
        "7 225 000",
        "7.225.000",
        "7\u{a0}225\u{a0}000 FCFA",
    ];
    for (id, amount) in open.iter().zip(typed) {
        set(&mut fields, &format!("{id}.spent"), amount);
    }
    let saved = submit(&mut editor, &uri, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let spent: Vec<i64> = sqlx::query_scalar(
        "SELECT spent FROM progress_updates WHERE activity_id = ANY($1) \
         ORDER BY id DESC LIMIT 4",
    )
    .bind(&open[..4])
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(spent, [7_225_000; 4]);
    let grid = editor.get(&uri).await;
    for id in &open[..4] {
        assert_eq!(
            grid.attrs(&format!("input[name='{id}.spent']"), "value"),
            ["7 225 000"]
        );
    }
    // Sent back untouched, the grouped amounts are no change.
    let again = submit(&mut editor, &uri, &form_fields(&grid)).await;
    assert_eq!(again.location, Some(format!("{uri}?saved=0")));
}

#[sqlx::test]
async fn a_big_plan_s_grid_comes_in_pages_and_saves_the_page_shown(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = big_plan(&pool, 120).await;
    let mut admin = admin(&app, &pool).await;
    let uri = format!("/plans/{plan}/grid");
    let first = admin.get(&uri).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(rows(&first).len(), 50);
    assert_eq!(
        first.attrs(".pager [rel=next]", "href"),
        [format!("{uri}?page=2")]
    );
    let second = admin.get(&format!("{uri}?page=2")).await;
    let third = admin.get(&format!("{uri}?page=3")).await;
    assert_eq!(rows(&second).len(), 50);
    assert_eq!(rows(&third).len(), 20);
    assert!(third.attrs(".pager [rel=next]", "href").is_empty());
    let mut every: Vec<i64> = [&first, &second, &third]
        .iter()
        .flat_map(|p| rows(p))
        .collect();
    every.sort_unstable();
    every.dedup();
    assert_eq!(every.len(), 120, "each activity on exactly one page");
    assert_eq!(
        admin.get(&format!("{uri}?page=4")).await.status,
        StatusCode::BAD_REQUEST
    );

    let page_uri = format!("{uri}?page=2");
    let mut fields = form_fields(&second);
    let target = rows(&second)[7];
    set(
        &mut fields,
        &format!("{target}.comment"),
        "Saisie de la page 2",
    );
    let updates = count(&pool, UPDATES).await;
    let saved = submit(&mut admin, &page_uri, &fields).await;
    assert_eq!(saved.location, Some(format!("{page_uri}&saved=1")));
    assert_eq!(count(&pool, UPDATES).await, updates + 1);
}
