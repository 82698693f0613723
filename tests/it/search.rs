//! Search through the router: French words found with or without their
//! accents, only in the plans the reader may read, a page at a time, each
//! result linking to its activity, plan and agency; a query no search box
//! sends (10 000 characters, a NUL byte, a page that does not exist) is a
//! 400 with its message, never a 500.

use std::collections::BTreeSet;

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

/// The activity codes a search shows on one page.
fn codes(page: &Page) -> Vec<String> {
    page.texts("#results li > a .level")
}

fn total(page: &Page) -> u64 {
    page.attrs("#search-count", "data-total")[0]
        .parse()
        .unwrap()
}

fn search_uri(words: &str) -> String {
    format!("/search?q={}", urlencode(words))
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test]
async fn french_words_are_found_with_or_without_accents(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let accented = editor.get(&search_uri("sécurité routière")).await;
    assert_eq!(accented.status, StatusCode::OK);
    let plain = editor.get(&search_uri("securite routiere")).await;
    let shouting = editor.get(&search_uri("SECURITE ROUTIERE")).await;
    assert!(total(&accented) > 0, "{}", accented.body);
    assert_eq!(total(&plain), total(&accented));
    assert_eq!(codes(&plain), codes(&accented));
    assert_eq!(codes(&shouting), codes(&accented));
    assert!(
        codes(&plain).contains(&"A1.01".to_owned()),
        "the CISR session is about road safety: {:?}",
        codes(&plain)
    );
    // A plural and another form of the word (the French stemmer).
    let sessions = editor.get(&search_uri("seance sensibilisation")).await;
    assert!(codes(&sessions).contains(&"A3.01".to_owned()));
    // An activity's own code finds it too.
    let by_code = editor.get(&search_uri("A2.02")).await;
    assert_eq!(codes(&by_code).first().map(String::as_str), Some("A2.02"));
    // Nothing is found for a word no title holds.
    let none = editor.get(&search_uri("hippopotame")).await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(total(&none), 0);
    assert!(codes(&none).is_empty());
}

#[sqlx::test]
async fn a_reader_finds_only_what_they_may_read(pool: PgPool) {
    let app = demo_app(&pool).await;
    let crss = agency_id(&pool, "CRSS").await;
    let anaser = agency_id(&pool, "ANASER").await;
    // The activities that hold "sécurité", by agency, from the database.
    let of_agency = |agency: i64| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM activities a JOIN plans p ON p.id = a.plan_id \
                 WHERE p.agency_id = $1 AND unaccent(a.title) ILIKE '%securite%'",
            )
            .bind(agency)
            .fetch_one(&pool)
            .await
            .unwrap();
            n as u64
        }
    };
    let (in_crss, in_anaser) = (of_agency(crss).await, of_agency(anaser).await);
    assert!(in_crss > 0 && in_anaser > 0);

    let mut viewer = signed_in(&app, "crss.lecteur").await;
    let page = viewer.get(&search_uri("securite")).await;
    assert_eq!(total(&page), in_crss, "{:?}", codes(&page));
    assert!(codes(&page).iter().all(|c| c.starts_with('C')));
    assert!(page
        .attrs("#results [data-field=agency]", "href")
        .iter()
        .all(|href| href == "/agencies/CRSS"));
    // ANASER's road-safety activities never show, not even counted.
    let theirs = viewer.get(&search_uri("sécurité routière")).await;
    assert!(codes(&theirs).iter().all(|c| !c.starts_with('A')));
    assert!(!theirs.body.contains("CISR"));

    let mut editor = signed_in(&app, "anaser.editeur").await;
    let workshops = editor.get(&search_uri("atelier regional Kayes")).await;
    assert_eq!(total(&workshops), 0, "{:?}", codes(&workshops));
    let mine = viewer.get(&search_uri("atelier regional Kayes")).await;
    assert_eq!(codes(&mine), ["C1.02"]);

    // An admin reads every agency.
    let mut admin = admin(&app, &pool).await;
    let all = admin.get(&search_uri("securite")).await;
    assert!(total(&all) >= in_crss + in_anaser);

    // Anonymous readers are sent to sign in first.
    let anonymous = Client::new(&app).get(&search_uri("securite")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous
        .location
        .is_some_and(|to| to.starts_with("/login?next=")));
}

#[sqlx::test]
async fn each_result_links_to_its_activity_plan_and_agency(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut viewer = signed_in(&app, "crss.lecteur").await;
    let page = viewer.get(&search_uri("atelier regional Kayes")).await;
    let activity: i64 = sqlx::query_scalar("SELECT id FROM activities WHERE code = 'C1.02'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        page.attrs("#results li > a", "href"),
        [format!("/activities/{activity}")]
    );
    let plan: i64 = sqlx::query_scalar("SELECT plan_id FROM activities WHERE id = $1")
        .bind(activity)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        page.attrs("#results [data-field=plan]", "href"),
        [format!("/plans/{plan}")]
    );
    let opened = viewer.get(&format!("/activities/{activity}")).await;
    assert_eq!(opened.status, StatusCode::OK);
    // The search box of the header is on every signed-in page, a plain GET form.
    let home = viewer.get("/").await;
    assert_eq!(
        home.attrs("header form[role=search]", "action"),
        ["/search"]
    );
    assert_eq!(home.attrs("header form[role=search]", "method"), ["get"]);
    assert_eq!(home.attrs("#site-search", "name"), ["q"]);
}

#[sqlx::test]
async fn pages_of_results_cover_every_match_once(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = admin(&app, &pool).await;
    // The word most titles share, so that its results fill several pages.
    let word: String = sqlx::query_scalar(
        "SELECT word FROM ts_stat('SELECT search_words FROM activities') \
         WHERE word ~ '^[a-z]{4,}$' ORDER BY ndoc DESC, word LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let uri = search_uri(&word);
    let first = admin.get(&uri).await;
    let all = total(&first);
    assert!(all > 20, "the demo has more than a page of them: {all}");
    assert_eq!(codes(&first).len(), 20);
    assert_eq!(first.attrs(".pager [rel=prev]", "href").len(), 0);
    let next = first.attrs(".pager [rel=next]", "href");
    assert_eq!(next, [format!("{uri}&page=2")]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut shown = 0;
    let pages = all.div_ceil(20);
    for n in 1..=pages {
        let page = admin.get(&format!("{uri}&page={n}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let ids = page.attrs("#results li", "data-activity");
        shown += ids.len();
        seen.extend(ids);
        assert_eq!(
            page.attrs(".pager [rel=next]", "href").is_empty(),
            n == pages,
            "only the last page has no next link"
        );
    }
    assert_eq!(shown as u64, all);
    assert_eq!(seen.len() as u64, all, "no result on two pages");
    // One past the last page is refused, not an empty page.
    let past = admin.get(&format!("{uri}&page={}", pages + 1)).await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
}

#[sqlx::test]
async fn queries_no_search_box_sends_are_a_400_with_a_message(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let long = "a".repeat(10_000);
    let cases = [
        format!("/search?q={long}"),
        "/search?q=s%00curite".to_owned(),
        "/search?q=securite&page=0".to_owned(),
        "/search?q=securite&page=-1".to_owned(),
        "/search?q=securite&page=deux".to_owned(),
        "/search?q=securite&page=99999999999999999999".to_owned(),
        "/search?q=securite&page=100000".to_owned(),
    ];
    for uri in &cases {
        let page = editor.get(uri).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{}",
            &uri[..uri.len().min(60)]
        );
        assert!(!page.text("main").is_empty(), "the 400 page says why");
    }
    let too_long = editor.get(&cases[0]).await;
    assert!(
        too_long.text("main").contains("200"),
        "{}",
        too_long.text("main")
    );
    let bad_page = editor.get(&cases[2]).await;
    assert!(bad_page.text("main").contains("page"));
    // Search syntax people may type is words, never an SQL or tsquery error.
    for words in [
        "sécurité & | !",
        "\"routière",
        "-(a:*",
        "'; DROP TABLE activities; --",
    ] {
        let page = editor.get(&search_uri(words)).await;
        assert_eq!(page.status, StatusCode::OK, "{words}");
    }
    // An empty search shows the form, and nothing found.
    let empty = editor.get("/search?q=+").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.attrs("#search-words", "name"), ["q"]);
    assert!(empty.attrs("#search-count", "data-total").is_empty());
}
