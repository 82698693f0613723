//! Destructive one-click actions ask first: revoking an API token, revoking
//! a role, disabling an account. The list links to a confirmation page (a
//! GET that changes nothing) whose POST form alone acts, with the fields the
//! one-click form used to post. (Retiring plan items: `structure.rs`.)

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

async fn user_id(pool: &PgPool, login: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn count(pool: &PgPool, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn audits(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn revoking_a_token_asks_first(pool: PgPool) {
    let app = demo_app(&pool).await;
    api_token(
        &pool,
        "anaser.editeur",
        suivi::store::api_tokens::Scope::Read,
    )
    .await;
    let owner = user_id(&pool, "anaser.editeur").await;
    let live = "SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL";
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let list = editor.get("/account/tokens").await;
    assert!(
        list.attrs("form[action$='/revoke']", "action").is_empty(),
        "no one-click revoke form on the list"
    );
    let links = list.attrs("a[data-action=revoke]", "href");
    assert_eq!(links.len(), 1);
    let link = links[0].clone();
    let before = audits(&pool).await;

    let confirm = editor.get(&link).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text("#confirm-item").contains("test"));
    assert_eq!(
        confirm.attrs("form#confirm-form", "action"),
        std::slice::from_ref(&link)
    );
    assert_eq!(confirm.attrs("form#confirm-form", "method"), ["post"]);
    assert_eq!(
        confirm.attrs("#confirm-cancel", "href"),
        ["/account/tokens"]
    );
    assert_eq!(
        count(&pool, live, owner).await,
        1,
        "showing it revokes nothing"
    );
    assert_eq!(audits(&pool).await, before);

    // Someone else's token: no confirmation page for them.
    let mut other = signed_in(&app, "crss.lecteur").await;
    assert_eq!(other.get(&link).await.status, StatusCode::FORBIDDEN);

    let done = editor.post(&link, &[("csrf", &csrf_of(&confirm))]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location.as_deref(), Some("/account/tokens"));
    assert_eq!(count(&pool, live, owner).await, 0);
    assert_eq!(audits(&pool).await, before + 1);
}

#[sqlx::test]
async fn revoking_a_role_and_disabling_an_account_ask_first(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = admin(&app, &pool).await;
    let editor = user_id(&pool, "anaser.editeur").await;
    let anaser = agency_id(&pool, "ANASER").await;
    let account = format!("/admin/users/{editor}");
    let roles = "SELECT count(*) FROM user_roles WHERE user_id = $1";
    let disabled = "SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NOT NULL";

    let page = admin.get(&account).await;
    assert!(
        page.attrs("#role-list form", "action").is_empty(),
        "no one-click revoke form on the account page"
    );
    let link = page.attrs("#role-list a[data-action=revoke]", "href");
    assert_eq!(link, [format!("{account}/roles/revoke?agency={anaser}")]);
    let held = count(&pool, roles, editor).await;
    assert!(held >= 1);
    let before = audits(&pool).await;

    let confirm = admin.get(&link[0]).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let item = confirm.text("#confirm-item");
    assert!(
        item.contains("anaser.editeur") && item.contains("ANASER"),
        "{item}"
    );
    assert_eq!(
        confirm.attrs("form#confirm-form", "action"),
        [format!("{account}/roles/revoke")]
    );
    assert_eq!(
        confirm.attrs("form#confirm-form input[name=agency]", "value"),
        [anaser.to_string()]
    );
    assert_eq!(
        confirm.attrs("#confirm-cancel", "href"),
        std::slice::from_ref(&account)
    );
    assert_eq!(count(&pool, roles, editor).await, held);
    assert_eq!(audits(&pool).await, before);
    // A role the account does not hold, or no agency at all.
    let crss = agency_id(&pool, "CRSS").await;
    assert_eq!(
        admin
            .get(&format!("{account}/roles/revoke?agency={crss}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin
            .get(&format!("{account}/roles/revoke?agency=x"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let done = admin
        .post_values(
            &format!("{account}/roles/revoke"),
            &confirm.form_values(&["csrf", "agency"], &[]),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&pool, roles, editor).await, held - 1);
    assert_eq!(audits(&pool).await, before + 1);

    // Disabling: the account page links to its confirmation page.
    let page = admin.get(&account).await;
    assert_eq!(
        page.attrs("#disable", "href"),
        [format!("{account}/status")]
    );
    let confirm = admin.get(&format!("{account}/status")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text("#confirm-item").contains("anaser.editeur"));
    assert_eq!(
        confirm.attrs("form#confirm-form input[name=disabled]", "value"),
        ["true"]
    );
    assert_eq!(count(&pool, disabled, editor).await, 0, "not yet");
    let done = admin
        .post_values(
            &format!("{account}/status"),
            &confirm.form_values(&["csrf", "disabled"], &[]),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&pool, disabled, editor).await, 1);
    // One's own account cannot be disabled: no page for that.
    let own = user_id(&pool, "test.admin").await;
    assert_eq!(
        admin
            .get(&format!("/admin/users/{own}/status"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A board member gets none of these pages.
    let mut viewer = signed_in(&app, "anaser.ca").await;
    assert_eq!(
        viewer.get(&format!("{account}/status")).await.status,
        StatusCode::FORBIDDEN
    );
}
