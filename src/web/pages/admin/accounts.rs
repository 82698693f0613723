//! Accounts on the admin pages: the list, a new account with its first
//! password (hashed with argon2id like every password), an account's name and
//! admin flag, disabling and enabling it (after a confirmation page, as for
//! revoking a role), and its roles per agency. The list comes a page at a
//! time, filtered by words of the login or name. An admin
//! cannot take away their own admin flag nor disable their own account, so
//! that Suivi never loses its last admin by mistake.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{checked, required_text, FieldErrors};
use crate::domain::Role;
use crate::passwords;
use crate::store::admin::{self, Account};
use crate::store::agencies::{self, Agency};
use crate::store::users::{self, AgencyRole};
use crate::web::auth::{Admin, CurrentUser};
use crate::web::context::percent_encode;
use crate::web::csrf::CsrfForm;
use crate::web::extract::Managed;
use crate::web::pages::confirm::ConfirmPage;
use crate::web::pages::paging::{page_param, Paging};
use crate::web::pages::render;
use crate::web::{AppError, AppState, Ctx};

/// Longest display name, as in the schema.
const NAME_MAX: usize = 200;
/// Longest login, as in the schema.
const LOGIN_MAX: usize = 64;

// ---- The list ----

pub struct AccountRow {
    pub account: Account,
    pub roles: Vec<AgencyRole>,
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct ListPage {
    ctx: Ctx,
    accounts: Vec<AccountRow>,
    /// The filter as typed.
    words: String,
    paging: Paging,
}

/// Accounts a page at a time: a national instance has thousands.
const PER_PAGE: u32 = 50;
/// Longest filter: a login or a name, not a text.
const FILTER_MAX: usize = 200;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let words = query.q.as_deref().unwrap_or("").trim().to_owned();
    if words.chars().count() > FILTER_MAX {
        return Err(AppError::bad_request("error.search_too_long"));
    }
    let page = page_param(query.page.as_deref())?;
    let total = admin::count_accounts(&state.db, &words).await?;
    let base = if words.is_empty() {
        "/admin/users".to_owned()
    } else {
        format!("/admin/users?q={}", percent_encode(&words))
    };
    let paging = Paging::new(page, PER_PAGE, u64::try_from(total).unwrap_or(0), base)?;
    let shown = admin::accounts_page(
        &state.db,
        &words,
        i64::from(PER_PAGE),
        i64::try_from(paging.offset()).unwrap_or(i64::MAX),
    )
    .await?;
    let ids: Vec<i64> = shown.iter().map(|a| a.id).collect();
    let mut roles: HashMap<i64, Vec<AgencyRole>> = HashMap::new();
    for (user_id, role) in admin::roles_of(&state.db, &ids).await? {
        roles.entry(user_id).or_default().push(role);
    }
    let accounts = shown
        .into_iter()
        .map(|account| AccountRow {
            roles: roles.remove(&account.id).unwrap_or_default(),
            account,
        })
        .collect();
    Ok(render(&ListPage {
        ctx,
        accounts,
        words,
        paging,
    })?
    .into_response())
}

// ---- A new account ----

/// The new-account form as typed (the passwords are never shown again).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewAccountInput {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
    pub is_admin: Option<String>,
}

/// A login as the schema allows it: lowercase letters, digits, then also
/// `.`, `_`, `-`; 64 characters at most.
fn is_valid_login(login: &str) -> bool {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut chars = login.chars();
    chars.next().is_some_and(allowed)
        && chars.all(|c| allowed(c) || matches!(c, '.' | '_' | '-'))
        && login.len() <= LOGIN_MAX
}

struct NewAccount {
    login: String,
    display_name: String,
    password: String,
    is_admin: bool,
}

fn validate_new(input: &NewAccountInput) -> Result<NewAccount, FieldErrors> {
    let mut errors = FieldErrors::default();
    // Logins are matched in lowercase at sign-in: store them so.
    let login = input.login.trim().to_lowercase();
    if login.is_empty() {
        errors.set("login", "error.value.empty");
    } else if !is_valid_login(&login) {
        errors.set("login", "admin.error.login");
    }
    let display_name = required_text(&mut errors, "display_name", &input.display_name, NAME_MAX);
    if let Err(key) = passwords::check_new(&input.password) {
        errors.set("password", key);
    }
    if input.password != input.confirm {
        errors.set("confirm", "error.password.mismatch");
    }
    match display_name {
        Some(display_name) if errors.is_empty() => Ok(NewAccount {
            login,
            display_name,
            password: input.password.clone(),
            is_admin: checked(&input.is_admin),
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "admin/account_new.html")]
struct NewPage {
    ctx: Ctx,
    form: NewAccountInput,
    errors: FieldErrors,
}

fn new_page(
    ctx: Ctx,
    mut form: NewAccountInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let status = errors.status();
    form.password.clear();
    form.confirm.clear();
    Ok((status, render(&NewPage { ctx, form, errors })?).into_response())
}

pub async fn new(ctx: Ctx, Admin(_): Admin) -> Result<Response, AppError> {
    new_page(ctx, NewAccountInput::default(), FieldErrors::default())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(admin): Admin,
    CsrfForm(input): CsrfForm<NewAccountInput>,
) -> Result<Response, AppError> {
    let account = match validate_new(&input) {
        Ok(account) => account,
        Err(errors) => return new_page(ctx, input, errors),
    };
    // Hashing is slow on purpose: check the login first, off the runtime after.
    if users::find_by_login(&state.db, &account.login)
        .await?
        .is_some()
    {
        let mut errors = FieldErrors::default();
        errors.set("login", "admin.error.login_taken");
        return new_page(ctx, input, errors);
    }
    let password = account.password;
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&password))
        .await
        .map_err(|error| AppError::Internal(error.into()))??;
    let created = admin::create_account(
        &state.db,
        &account.login,
        &account.display_name,
        &hash,
        account.is_admin,
        admin.user.id,
    )
    .await?;
    match created {
        Some(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        // Taken between the check and the insert.
        None => {
            let mut errors = FieldErrors::default();
            errors.set("login", "admin.error.login_taken");
            new_page(ctx, input, errors)
        }
    }
}

// ---- One account ----

/// The account form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileInput {
    #[serde(default)]
    pub display_name: String,
    pub is_admin: Option<String>,
}

/// The role form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantInput {
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub role: String,
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct AccountPage {
    ctx: Ctx,
    account: Account,
    roles: Vec<AgencyRole>,
    agencies: Vec<Agency>,
    all_roles: &'static [Role],
    /// The account is the signed-in admin's own.
    is_self: bool,
    profile: ProfileInput,
    profile_errors: FieldErrors,
    grant: GrantInput,
    grant_errors: FieldErrors,
    status_error: Option<&'static str>,
}

/// What the page shows besides the account: typed values and errors.
#[derive(Default)]
struct Typed {
    profile: Option<ProfileInput>,
    profile_errors: FieldErrors,
    grant: GrantInput,
    grant_errors: FieldErrors,
    status_error: Option<&'static str>,
}

impl Typed {
    fn is_clean(&self) -> bool {
        self.profile_errors.is_empty()
            && self.grant_errors.is_empty()
            && self.status_error.is_none()
    }
}

async fn account_page(
    state: &AppState,
    ctx: Ctx,
    admin: &CurrentUser,
    account: Account,
    typed: Typed,
) -> Result<Response, AppError> {
    let status = if typed.is_clean() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let roles = users::roles(&state.db, account.id).await?;
    let agencies = agencies::list(&state.db).await?;
    let profile = typed.profile.unwrap_or_else(|| ProfileInput {
        display_name: account.display_name.clone(),
        is_admin: account.is_admin.then(|| "on".to_owned()),
    });
    let page = AccountPage {
        ctx,
        is_self: account.id == admin.user.id,
        account,
        roles,
        agencies,
        all_roles: Role::ALL,
        profile,
        profile_errors: typed.profile_errors,
        grant: typed.grant,
        grant_errors: typed.grant_errors,
        status_error: typed.status_error,
    };
    Ok((status, render(&page)?).into_response())
}

fn back_to(account: &Account) -> Response {
    Redirect::to(&format!("/admin/users/{}", account.id)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Managed(account, admin): Managed<Account>,
) -> Result<Response, AppError> {
    account_page(&state, ctx, &admin, account, Typed::default()).await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Managed(account, admin): Managed<Account>,
    CsrfForm(input): CsrfForm<ProfileInput>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let display_name = required_text(&mut errors, "display_name", &input.display_name, NAME_MAX);
    let is_admin = checked(&input.is_admin);
    if account.id == admin.user.id && !is_admin {
        errors.set("is_admin", "admin.error.self_admin");
    }
    let Some(display_name) = display_name.filter(|_| errors.is_empty()) else {
        let typed = Typed {
            profile: Some(input),
            profile_errors: errors,
            ..Typed::default()
        };
        return account_page(&state, ctx, &admin, account, typed).await;
    };
    admin::update_account(
        &state.db,
        account.id,
        &display_name,
        is_admin,
        account.disabled,
        admin.user.id,
    )
    .await?;
    Ok(back_to(&account))
}

#[derive(Debug, Deserialize)]
pub struct StatusInput {
    #[serde(default)]
    pub disabled: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Managed(account, admin): Managed<Account>,
    CsrfForm(input): CsrfForm<StatusInput>,
) -> Result<Response, AppError> {
    let disabled = match input.disabled.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::bad_request("error.bad_request")),
    };
    if disabled && account.id == admin.user.id {
        let typed = Typed {
            status_error: Some("admin.error.self_disable"),
            ..Typed::default()
        };
        return account_page(&state, ctx, &admin, account, typed).await;
    }
    admin::update_account(
        &state.db,
        account.id,
        &account.display_name,
        account.is_admin,
        disabled,
        admin.user.id,
    )
    .await?;
    Ok(back_to(&account))
}

pub async fn grant_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Managed(account, admin): Managed<Account>,
    CsrfForm(input): CsrfForm<GrantInput>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let agency_id = agency_choice(&state, &input.agency).await?;
    if agency_id.is_none() {
        errors.set("agency", "admin.error.agency_choice");
    }
    let role = input.role.parse::<Role>().ok();
    if role.is_none() {
        errors.set("role", "admin.error.role_choice");
    }
    let (Some(agency_id), Some(role)) = (agency_id, role) else {
        let typed = Typed {
            grant: input,
            grant_errors: errors,
            ..Typed::default()
        };
        return account_page(&state, ctx, &admin, account, typed).await;
    };
    if !admin::grant_role(&state.db, account.id, agency_id, role, admin.user.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(back_to(&account))
}

#[derive(Debug, Deserialize)]
pub struct RevokeInput {
    #[serde(default)]
    pub agency: String,
}

pub async fn revoke_role(
    State(state): State<AppState>,
    Managed(account, admin): Managed<Account>,
    CsrfForm(input): CsrfForm<RevokeInput>,
) -> Result<Response, AppError> {
    let agency_id = agency_choice(&state, &input.agency)
        .await?
        .ok_or_else(|| AppError::bad_request("admin.error.agency_choice"))?;
    // Revoking a role the account no longer holds changes nothing: done.
    admin::revoke_role(&state.db, account.id, agency_id, admin.user.id).await?;
    Ok(back_to(&account))
}

// ---- Confirmation pages (GET, they change nothing) ----

/// Confirms revoking one role: the account page links here with the
/// agency, only this page's form revokes.
pub async fn confirm_revoke_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Managed(account, _): Managed<Account>,
    Query(input): Query<RevokeInput>,
) -> Result<Response, AppError> {
    let agency_id = agency_choice(&state, &input.agency)
        .await?
        .ok_or_else(|| AppError::bad_request("admin.error.agency_choice"))?;
    let role = users::roles(&state.db, account.id)
        .await?
        .into_iter()
        .find(|r| r.agency_id == agency_id)
        .ok_or(AppError::NotFound)?;
    let page = ConfirmPage {
        heading_key: "admin.role.revoke_confirm",
        item: format!(
            "{} ({}) · {} · {}",
            account.display_name,
            account.login,
            role.agency_code,
            ctx.t(role.role.label_key())
        ),
        explain_key: "admin.role.revoke_explain",
        action: format!("/admin/users/{}/roles/revoke", account.id),
        button_key: "admin.role.revoke",
        back: format!("/admin/users/{}", account.id),
        fields: vec![("agency", agency_id.to_string())],
        ctx,
    };
    Ok(render(&page)?.into_response())
}

/// Confirms disabling an account (its sessions end at once); enabling it
/// again takes one click, from the account's page.
pub async fn confirm_disable(
    ctx: Ctx,
    Managed(account, admin): Managed<Account>,
) -> Result<Response, AppError> {
    if account.id == admin.user.id {
        return Err(AppError::bad_request("admin.error.self_disable"));
    }
    let page = ConfirmPage {
        heading_key: "admin.user.disable_confirm",
        item: format!("{} ({})", account.display_name, account.login),
        explain_key: "admin.user.disable_explain",
        action: format!("/admin/users/{}/status", account.id),
        button_key: "admin.user.disable",
        back: format!("/admin/users/{}", account.id),
        fields: vec![("disabled", "true".to_owned())],
        ctx,
    };
    Ok(render(&page)?.into_response())
}

/// An agency chosen in a form by its id; `None` when there is no such agency.
async fn agency_choice(state: &AppState, raw: &str) -> Result<Option<i64>, AppError> {
    let Some(id) = raw.trim().parse::<i64>().ok() else {
        return Ok(None);
    };
    Ok(admin::agency_exists(&state.db, id).await?.then_some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_follow_the_schema() {
        assert!(is_valid_login("anaser.editeur"));
        assert!(is_valid_login("a-b_c.9"));
        assert!(!is_valid_login(".anaser"));
        assert!(!is_valid_login("Anaser"));
        assert!(!is_valid_login("ana ser"));
        assert!(!is_valid_login(&"a".repeat(65)));
    }

    #[test]
    fn a_new_account_needs_every_field_right() {
        let input = NewAccountInput {
            login: "Bad Login".into(),
            display_name: String::new(),
            password: "short".into(),
            confirm: "other".into(),
            is_admin: None,
        };
        let errors = validate_new(&input).err().unwrap();
        assert_eq!(errors.get("login"), Some("admin.error.login"));
        assert_eq!(errors.get("display_name"), Some("error.value.empty"));
        assert_eq!(errors.get("password"), Some("error.password.too_short"));
        assert_eq!(errors.get("confirm"), Some("error.password.mismatch"));
        let good = NewAccountInput {
            login: " Awa.Traore ".into(),
            display_name: "Awa Traoré".into(),
            password: "long enough".into(),
            confirm: "long enough".into(),
            is_admin: Some("on".into()),
        };
        let account = validate_new(&good).ok().unwrap();
        assert_eq!(account.login, "awa.traore");
        assert!(account.is_admin);
    }
}
