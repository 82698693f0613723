//! Editing a plan's structure through the router: nodes, activities and
//! indicators added, renamed, moved and retired, indicator values entered;
//! bad input refused with its message; past figures untouched by retirement;
//! only the agency's editors and admins.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn id_of(pool: &PgPool, sql: &str, code: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn post_form(
    client: &mut Client,
    form_uri: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let page = client.get(form_uri).await;
    assert_eq!(page.status, StatusCode::OK, "{form_uri}");
    let csrf = csrf_of(&page);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client.post(action, &all).await
}

fn headline(page: &Page) -> (String, String) {
    (
        page.text("#headline [data-figure=done]"),
        page.text("#headline [data-figure=planned]"),
    )
}

#[sqlx::test]
async fn nodes_and_activities_are_added_moved_and_retired_without_rewriting_the_past(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let structure = format!("/plans/{plan}/structure");
    assert_eq!(
        editor
            .get(&format!("/plans/{plan}"))
            .await
            .attrs("#structure-link", "href"),
        std::slice::from_ref(&structure)
    );

    // A new priority action under the first strategic objective.
    let objective: (i64, String) = sqlx::query_as(
        "SELECT id, code FROM plan_nodes WHERE plan_id = $1 AND depth = 0 ORDER BY position LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let parent = objective.0.to_string();
    let new_node = format!("/plans/{plan}/nodes/new");
    let saved = post_form(
        &mut editor,
        &new_node,
        &new_node,
        &[
            ("parent", &parent),
            ("code", "AP9"),
            ("title", "Action nouvelle"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let ap9 = id_of(&pool, "SELECT id FROM plan_nodes WHERE code = $1", "AP9").await;
    let depth: i32 = sqlx::query_scalar("SELECT depth FROM plan_nodes WHERE id = $1")
        .bind(ap9)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(depth, 1);

    // Renamed, then a node cannot go under itself.
    let edit = format!("/nodes/{ap9}/edit");
    let renamed = post_form(
        &mut editor,
        &edit,
        &edit,
        &[
            ("parent", &parent),
            ("code", "AP9"),
            ("title", "Action renommée"),
        ],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let own = ap9.to_string();
    let refused = post_form(
        &mut editor,
        &edit,
        &edit,
        &[("parent", &own), ("code", "AP9"), ("title", "x")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.text(".field-error[data-field=parent]").is_empty());
    let under_own_child = post_form(
        &mut editor,
        &format!("/nodes/{}/edit", objective.0),
        &format!("/nodes/{}/edit", objective.0),
        &[("parent", &own), ("code", &objective.1), ("title", "x")],
    )
    .await;
    assert_eq!(under_own_child.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An activity added in it, with a decimal comma and spaces in the budget.
    let new_activity = format!("/plans/{plan}/activities/new");
    let fields = [
        ("node", own.as_str()),
        ("code", "B9.01"),
        ("title", "Campagne radio"),
        ("target", "12,5"),
        ("unit", "spots"),
        ("budget", "1 500 000"),
        ("responsible_unit", "DCOM"),
        ("region", "KAY"),
        ("planned_start", "2025-03-01"),
        ("planned_end", "2025-09-30"),
    ];
    let added = post_form(&mut editor, &new_activity, &new_activity, &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let (target, budget): (String, i64) =
        sqlx::query_as("SELECT target::text, budget FROM activities WHERE code = 'B9.01'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((target.as_str(), budget), ("12.500", 1_500_000));
    let today_page = editor
        .get(&format!("/plans/{plan}?as_of={}", today()))
        .await;
    assert_eq!(headline(&today_page).1, "50");

    // The same code again, bad numbers, a bad region, dates the wrong way.
    let bad = post_form(
        &mut editor,
        &new_activity,
        &new_activity,
        &[
            ("node", own.as_str()),
            ("code", "B9.01"),
            ("title", "Doublon"),
            ("target", "-3"),
            ("budget", "beaucoup"),
            ("region", "XXX"),
            ("planned_start", "2025-09-30"),
            ("planned_end", "2025-03-01"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["target", "budget", "region", "planned_end"] {
        assert!(
            !bad.text(&format!(".field-error[data-field={field}]"))
                .is_empty(),
            "{field}"
        );
    }
    assert_eq!(bad.attrs("#a-budget", "value"), ["beaucoup"]);
    let duplicate = post_form(
        &mut editor,
        &new_activity,
        &new_activity,
        &[
            ("node", own.as_str()),
            ("code", "B9.01"),
            ("title", "Doublon"),
            ("region", "NAT"),
        ],
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate
        .text(".field-error[data-field=code]")
        .contains("déjà utilisé"));
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM activities WHERE code = 'B9.01'"
        )
        .await,
        1
    );

    // A node that holds an activity cannot be retired; the activity can.
    let csrf = csrf_of(&editor.get(&structure).await);
    let not_empty = editor
        .post(&format!("/nodes/{ap9}/retire"), &[("csrf", &csrf)])
        .await;
    assert_eq!(not_empty.status, StatusCode::CONFLICT);
    let b901 = id_of(&pool, "SELECT id FROM activities WHERE code = $1", "B9.01").await;
    let retired = editor
        .post(&format!("/activities/{b901}/retire"), &[("csrf", &csrf)])
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    assert_eq!(
        headline(
            &editor
                .get(&format!("/plans/{plan}?as_of={}", today()))
                .await
        )
        .1,
        "49"
    );
    let gone = editor
        .post(&format!("/nodes/{ap9}/retire"), &[("csrf", &csrf)])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let page = editor.get(&structure).await;
    assert_eq!(
        page.attrs("section.retired[data-node]", "data-node"),
        ["AP9"]
    );

    // Retiring a 2025 activity today leaves the 30th session's 32/49 alone,
    // while the plan as of today drops it.
    let done_one: i64 = sqlx::query_scalar(
        "SELECT a.id FROM activities a JOIN progress_updates u ON u.activity_id = a.id \
         WHERE a.plan_id = $1 AND u.status = 'done' AND u.as_of <= '2025-11-30' ORDER BY a.id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let retired = editor
        .post(
            &format!("/activities/{done_one}/retire"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let session = session_id(&pool, "ANASER", 30).await;
    let dashboard = editor.get(&format!("/sessions/{session}")).await;
    assert_eq!(headline(&dashboard), ("32".to_owned(), "49".to_owned()));
    assert_eq!(
        headline(
            &editor
                .get(&format!("/plans/{plan}?as_of={}", today()))
                .await
        )
        .1,
        "48"
    );
    let audits = count(
        &pool,
        "SELECT count(*) FROM audit_log WHERE action IN ('node.create', 'node.update', \
         'activity.create', 'activity.retire', 'node.retire')",
    )
    .await;
    assert_eq!(audits, 6);
}

#[sqlx::test]
async fn activities_move_between_nodes_and_figures_follow(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let leaves: Vec<(i64, String)> = sqlx::query_as(
        "SELECT n.id, n.code FROM plan_nodes n WHERE n.plan_id = $1 \
         AND EXISTS (SELECT 1 FROM activities a WHERE a.node_id = n.id) ORDER BY n.position LIMIT 2",
    )
    .bind(plan)
    .fetch_all(&pool)
    .await
    .unwrap();
    let activity: i64 = sqlx::query_scalar(
        "SELECT id FROM activities WHERE node_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(leaves[0].0)
    .fetch_one(&pool)
    .await
    .unwrap();
    let count_in = |page: &Page, code: &str| {
        page.text(&format!(
            "#tree tr[data-node='{code}'] [data-figure=planned]"
        ))
    };
    let before = editor.get(&format!("/plans/{plan}")).await;
    let (first_before, second_before) = (
        count_in(&before, &leaves[0].1),
        count_in(&before, &leaves[1].1),
    );

    let edit = format!("/activities/{activity}/edit");
    let form = editor.get(&edit).await;
    let mut fields: Vec<(String, String)> = [
        "code",
        "title",
        "target",
        "unit",
        "budget",
        "responsible_unit",
        "planned_start",
        "planned_end",
    ]
    .iter()
    .map(|name| {
        let value = form
            .attrs(&format!("#activity-form input[name={name}]"), "value")
            .pop()
            .unwrap_or_default();
        ((*name).to_owned(), value)
    })
    .collect();
    fields.push((
        "region".into(),
        form.attrs("#a-region option[selected]", "value")[0].clone(),
    ));
    fields.push(("node".into(), leaves[1].0.to_string()));
    fields.push(("csrf".into(), csrf_of(&form)));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let moved = editor.post(&edit, &pairs).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);

    let after = editor.get(&format!("/plans/{plan}")).await;
    let minus_one = (first_before.parse::<i64>().unwrap() - 1).to_string();
    let plus_one = (second_before.parse::<i64>().unwrap() + 1).to_string();
    assert_eq!(count_in(&after, &leaves[0].1), minus_one);
    assert_eq!(count_in(&after, &leaves[1].1), plus_one);
}

#[sqlx::test]
async fn indicators_are_added_and_their_values_entered_per_period(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let new_indicator = format!("/plans/{plan}/indicators/new");
    let bad = post_form(
        &mut editor,
        &new_indicator,
        &new_indicator,
        &[
            ("code", "IND 9"),
            ("title", ""),
            ("baseline", "abc"),
            ("baseline_year", "12"),
            ("direction", "sideways"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["code", "title", "baseline", "baseline_year", "direction"] {
        assert!(
            !bad.text(&format!(".field-error[data-field={field}]"))
                .is_empty(),
            "{field}"
        );
    }
    let saved = post_form(
        &mut editor,
        &new_indicator,
        &new_indicator,
        &[
            ("code", "IND-9"),
            ("title", "Tués sur les routes"),
            ("unit", "tués"),
            ("baseline", "600"),
            ("baseline_year", "2024"),
            ("target", "450"),
            ("target_year", "2026"),
            ("direction", "decrease"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let indicator = id_of(&pool, "SELECT id FROM indicators WHERE code = $1", "IND-9").await;

    let values = format!("/indicators/{indicator}/values");
    let refused = post_form(
        &mut editor,
        &values,
        &values,
        &[
            ("period_label", "S1 2026"),
            ("period_end", "2026-06-31"),
            ("value", "5x"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.attrs("#v-value", "value"), ["5x"]);
    for (label, end, value) in [
        ("S1 2026", "2026-06-30", "540"),
        ("T3 2026", "2026-09-30", "502,5"),
    ] {
        let page = post_form(
            &mut editor,
            &values,
            &values,
            &[
                ("period_label", label),
                ("period_end", end),
                ("value", value),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let page = editor.get(&values).await;
    assert_eq!(page.texts("#values [data-field=value]"), ["540", "502,5"]);

    // On the plan page: the latest value and its progress, lower being better:
    // (600 - 502.5) / (600 - 450) = 65 %.
    let plan_page = editor.get(&format!("/plans/{plan}")).await;
    let row = "tr[data-indicator='IND-9']";
    assert!(
        plan_page.text(row).contains("502,5"),
        "{}",
        plan_page.text(row)
    );
    assert!(
        plan_page.text(row).contains("65 %"),
        "{}",
        plan_page.text(row)
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_log WHERE action IN ('indicator.create', 'indicator.value')").await,
        3
    );
}

#[sqlx::test]
async fn only_the_agency_editors_and_admins_edit_the_structure(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let uri = format!("/plans/{plan}/nodes/new");
    let audits = count(&pool, "SELECT count(*) FROM audit_log").await;
    for login in ["anaser.ca", "crss.lecteur"] {
        let mut client = signed_in(&app, login).await;
        assert_eq!(
            client.get(&format!("/plans/{plan}/structure")).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(client.get(&uri).await.status, StatusCode::FORBIDDEN);
        let csrf = csrf_of(&client.get("/account/password").await);
        let page = client
            .post(
                &uri,
                &[("csrf", csrf.as_str()), ("code", "X1"), ("title", "Intrus")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{login}");
    }
    let mut admin = signed_in(&app, "admin").await;
    let page = post_form(
        &mut admin,
        &uri,
        &uri,
        &[("code", "X1"), ("title", "Par l’admin")],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_log").await,
        audits + 1
    );
}

/// The yearly report follows the same rule: an indicator retired today is
/// in the report as of yesterday, not as of today.
#[sqlx::test]
async fn a_retired_indicator_leaves_the_report_from_its_retirement_on(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let (indicator, code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM indicators WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = csrf_of(&editor.get(&format!("/plans/{plan}/structure")).await);
    let retired = editor
        .post(
            &format!("/indicators/{indicator}/retire"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let report = |as_of: &'static str| {
        format!("/agencies/ANASER/report/2026.csv?table=indicators&as_of={as_of}")
    };
    let yesterday = editor.get(&report("2026-11-24")).await;
    assert_eq!(yesterday.status, StatusCode::OK);
    let listed = |body: &str| {
        body.lines()
            .any(|line| line.split(';').any(|cell| cell == code))
    };
    assert!(listed(&yesterday.body), "{}", yesterday.body);
    let today = editor.get(&report("2026-11-25")).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(!listed(&today.body), "{}", today.body);
}

/// A node added straight into the plan's tree, for the tree tests.
async fn add_node(pool: &PgPool, plan: i64, parent: Option<i64>, depth: i32, code: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, parent_id, depth, position, code, title) \
         VALUES ($1, $2, $3, 100, $4, $4) RETURNING id",
    )
    .bind(plan)
    .bind(parent)
    .bind(depth)
    .bind(code)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A chain of nodes, each under the one before, from a new root down.
async fn add_chain(pool: &PgPool, plan: i64, prefix: &str, levels: i32) -> Vec<i64> {
    let mut chain: Vec<i64> = Vec::new();
    for depth in 0..levels {
        let id = add_node(
            pool,
            plan,
            chain.last().copied(),
            depth,
            &format!("{prefix}{depth}"),
        )
        .await;
        chain.push(id);
    }
    chain
}

/// Every node of the plan: where it hangs and how deep it is.
async fn tree_of(pool: &PgPool, plan: i64) -> Vec<(i64, Option<i64>, i32)> {
    sqlx::query_as("SELECT id, parent_id, depth FROM plan_nodes WHERE plan_id = $1 ORDER BY id")
        .bind(plan)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The node's own depth would be fine, but its grandchild would end on a
/// seventh level: the move is refused on the parent field, in the reader's
/// language, and nothing is written (before, the database's CHECK refused
/// it with an error page).
#[sqlx::test]
async fn a_move_that_would_push_a_grandchild_past_the_last_level_is_refused_on_the_parent_field(
    pool: PgPool,
) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    // Z0 > Z1 > Z2 > Z3 > Z4 and W0 > W1 > W2 > W3.
    let z = add_chain(&pool, plan, "Z", 5).await;
    let w = add_chain(&pool, plan, "W", 4).await;
    let tree = tree_of(&pool, plan).await;
    let audits = count(&pool, "SELECT count(*) FROM audit_log").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;

    // Z2 under W3: Z2 at depth 4, Z4 at depth 6.
    let edit = format!("/nodes/{}/edit", z[2]);
    let under_w3 = w[3].to_string();
    let fields = [
        ("parent", under_w3.as_str()),
        ("code", "Z2"),
        ("title", "Z2"),
    ];
    let refused = post_form(&mut editor, &edit, &edit, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text(".field-error[data-field=parent]"),
        "Un plan a au plus six niveaux."
    );
    assert_eq!(
        refused.attrs("#node-form input[name=title]", "value"),
        ["Z2"]
    );
    assert_eq!(tree_of(&pool, plan).await, tree, "nothing moved");
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, audits);

    editor.get("/lang/en?next=/").await;
    let refused = post_form(&mut editor, &edit, &edit, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text(".field-error[data-field=parent]"),
        "A plan has at most six levels."
    );

    // One level less deep, the whole branch fits and moves along.
    let under_w2 = w[2].to_string();
    let moved = post_form(
        &mut editor,
        &edit,
        &edit,
        &[
            ("parent", under_w2.as_str()),
            ("code", "Z2"),
            ("title", "Z2"),
        ],
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let depths: Vec<i32> = tree_of(&pool, plan)
        .await
        .into_iter()
        .filter(|(id, _, _)| z[2..].contains(id))
        .map(|(_, _, depth)| depth)
        .collect();
    assert_eq!(depths, [3, 4, 5]);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_log").await,
        audits + 1
    );

    // A branch becomes a tree of its own, and a tree goes under a node:
    // the node's parent and depth change in the same statement.
    let to_root = post_form(
        &mut editor,
        &edit,
        &edit,
        &[("parent", ""), ("code", "Z2"), ("title", "Z2")],
    )
    .await;
    assert_eq!(to_root.status, StatusCode::SEE_OTHER);
    let w_edit = format!("/nodes/{}/edit", w[0]);
    let under_z1 = z[1].to_string();
    let root_moved = post_form(
        &mut editor,
        &w_edit,
        &w_edit,
        &[
            ("parent", under_z1.as_str()),
            ("code", "W0"),
            ("title", "W0"),
        ],
    )
    .await;
    assert_eq!(root_moved.status, StatusCode::SEE_OTHER);
    let tree = tree_of(&pool, plan).await;
    let depth_of = |id: i64| tree.iter().find(|(n, _, _)| *n == id).unwrap().2;
    assert_eq!(
        [z[2], z[4], w[0], w[3]].map(depth_of),
        [0, 2, 2, 5],
        "{tree:?}"
    );
}

fn node_fields(code: &str) -> suivi::store::structure::NodeFields {
    suivi::store::structure::NodeFields {
        code: code.to_owned(),
        title: code.to_owned(),
    }
}

async fn editor_change(
    pool: &PgPool,
    action: &'static str,
) -> suivi::store::structure::Change<'static> {
    let user_id = sqlx::query_scalar("SELECT id FROM users WHERE login = 'anaser.editeur'")
        .fetch_one(pool)
        .await
        .unwrap();
    suivi::store::structure::Change {
        user_id,
        agency_id: agency_id(pool, "ANASER").await,
        action,
    }
}

/// Two editors each move a node under the other at the same moment: each
/// move alone is fine, both together would make a cycle. The check runs in
/// the writing transaction under the plan's lock, so exactly one of them
/// passes; and a move that skips the form's own check is refused all the
/// same.
#[sqlx::test]
async fn two_moves_that_together_would_make_a_cycle_never_both_pass(pool: PgPool) {
    use suivi::store::structure::{self, Outcome, Refusal};
    suivi::demo::load(&pool).await.unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let change = editor_change(&pool, "node.update").await;
    for round in 0..4 {
        let a = add_node(&pool, plan, None, 0, &format!("CA{round}")).await;
        let b = add_node(&pool, plan, None, 0, &format!("CB{round}")).await;
        let (fields_a, fields_b) = (
            node_fields(&format!("CA{round}")),
            node_fields(&format!("CB{round}")),
        );
        let (a_under_b, b_under_a) = tokio::join!(
            structure::update_node(&pool, plan, a, Some(b), &fields_a, change),
            structure::update_node(&pool, plan, b, Some(a), &fields_b, change),
        );
        let mut outcomes = [a_under_b.unwrap(), b_under_a.unwrap()];
        outcomes.sort_by_key(|o| matches!(o, Outcome::Refused(_)));
        assert!(matches!(outcomes[0], Outcome::Saved(_)), "{outcomes:?}");
        assert_eq!(outcomes[1], Outcome::Refused(Refusal::UnderItself));
        let roots = tree_of(&pool, plan)
            .await
            .into_iter()
            .filter(|(id, parent, _)| [a, b].contains(id) && parent.is_none())
            .count();
        assert_eq!(roots, 1, "one of the two is still a root");
    }

    // Under its own grandchild, whatever the caller checked before.
    let chain = add_chain(&pool, plan, "K", 3).await;
    let outcome = structure::update_node(
        &pool,
        plan,
        chain[0],
        Some(chain[2]),
        &node_fields("K0"),
        change,
    )
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Refused(Refusal::UnderItself));
    assert_eq!(Refusal::UnderItself.field(), "parent");
}

/// Retiring a node and adding an activity into it at the same moment: one
/// of the two is refused, so no node is ever retired with an activity in
/// force in it; and a node that holds an activity is not retired.
#[sqlx::test]
async fn a_node_that_holds_items_is_never_retired(pool: PgPool) {
    use suivi::store::structure::{self, ActivityFields, Outcome, Refusal, Retirable};
    suivi::demo::load(&pool).await.unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let retire = editor_change(&pool, "node.retire").await;
    let create = editor_change(&pool, "activity.create").await;
    let activity = |code: &str| ActivityFields {
        code: code.to_owned(),
        title: code.to_owned(),
        unit: None,
        target: None,
        budget: 0,
        responsible_unit: None,
        associated_units: None,
        region_code: "NAT".to_owned(),
        planned_start: None,
        planned_end: None,
        funding_source: None,
    };
    for round in 0..4 {
        let node = add_node(&pool, plan, None, 0, &format!("R{round}")).await;
        let fields = activity(&format!("R{round}.01"));
        let (retired, added) = tokio::join!(
            structure::retire(&pool, Retirable::Node, node, today(), retire),
            structure::save_activity(&pool, plan, today(), None, node, &fields, create),
        );
        match (retired.unwrap(), added.unwrap()) {
            (Outcome::Saved(_), Outcome::Refused(Refusal::UnknownNode))
            | (Outcome::Refused(Refusal::NotEmpty), Outcome::Saved(_)) => {}
            outcomes => panic!("both or neither went through: {outcomes:?}"),
        }
        let in_retired_node = count(
            &pool,
            "SELECT count(*) FROM activities a JOIN plan_nodes n ON n.id = a.node_id \
             WHERE n.retired_on IS NOT NULL AND a.retired_on IS NULL",
        )
        .await;
        assert_eq!(in_retired_node, 0);
    }

    let node = add_node(&pool, plan, None, 0, "FULL").await;
    let added = structure::save_activity(
        &pool,
        plan,
        today(),
        None,
        node,
        &activity("FULL.01"),
        create,
    )
    .await
    .unwrap();
    assert!(matches!(added, Outcome::Saved(_)));
    let audits = count(&pool, "SELECT count(*) FROM audit_log").await;
    let refused = structure::retire(&pool, Retirable::Node, node, today(), retire)
        .await
        .unwrap();
    assert_eq!(refused, Outcome::Refused(Refusal::NotEmpty));
    let retired_on: Option<chrono::NaiveDate> =
        sqlx::query_scalar("SELECT retired_on FROM plan_nodes WHERE id = $1")
            .bind(node)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(retired_on, None);
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, audits);
}

/// "Retirer" is a link to a confirmation page (a GET that changes nothing)
/// whose POST form retires; the structure page holds no form inside a `<p>`.
#[sqlx::test]
async fn retiring_asks_first_and_only_the_confirmed_post_retires(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let structure = format!("/plans/{plan}/structure");
    let page = editor.get(&structure).await;
    assert!(
        page.html()
            .select(&scraper::Selector::parse("p form, p > form").unwrap())
            .next()
            .is_none(),
        "no form inside a paragraph"
    );
    assert!(page.attrs("form[action$='/retire']", "action").is_empty());
    let (activity, code): (i64, String) = sqlx::query_as(
        "SELECT id, code FROM activities WHERE plan_id = $1 ORDER BY position, id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let link = format!("/activities/{activity}/retire");
    assert!(page.attrs("a.retire", "href").contains(&link));
    let retired_count = || {
        let pool = pool.clone();
        async move {
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM activities WHERE retired_on IS NOT NULL")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            n
        }
    };
    let audits = || {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM audit_log WHERE action = 'activity.retire'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    let (before, audits_before) = (retired_count().await, audits().await);

    let confirm = editor.get(&link).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text("#confirm-item").contains(&code));
    assert_eq!(
        confirm.attrs("form#confirm-form", "action"),
        std::slice::from_ref(&link)
    );
    assert_eq!(confirm.attrs("form#confirm-form", "method"), ["post"]);
    assert_eq!(
        confirm.attrs("#confirm-cancel", "href"),
        std::slice::from_ref(&structure)
    );
    assert_eq!(retired_count().await, before, "showing it retires nothing");
    assert_eq!(audits().await, audits_before);

    let done = editor.post(&link, &[("csrf", &csrf_of(&confirm))]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location.as_deref(), Some(structure.as_str()));
    assert_eq!(retired_count().await, before + 1);
    assert_eq!(audits().await, audits_before + 1);

    // The node and indicator links lead to their own confirmation pages.
    let node_link = page.attrs("section[data-node] a.retire", "href")[0].clone();
    let node_confirm = editor.get(&node_link).await;
    assert_eq!(node_confirm.status, StatusCode::OK);
    assert_eq!(
        node_confirm.attrs("form#confirm-form", "action"),
        [node_link]
    );
    let indicator: i64 = sqlx::query_scalar("SELECT id FROM indicators WHERE plan_id = $1 LIMIT 1")
        .bind(plan)
        .fetch_one(&pool)
        .await
        .unwrap();
    let indicator_confirm = editor.get(&format!("/indicators/{indicator}/retire")).await;
    assert_eq!(indicator_confirm.status, StatusCode::OK);
    assert_eq!(
        indicator_confirm.attrs("form#confirm-form", "action"),
        [format!("/indicators/{indicator}/retire")]
    );
    // A viewer gets no confirmation page either.
    let mut viewer = signed_in(&app, "anaser.ca").await;
    assert_eq!(viewer.get(&link).await.status, StatusCode::FORBIDDEN);
}
