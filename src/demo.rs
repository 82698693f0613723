//! The demo data: ANASER's PAP 2025 and 2026 with its 29th and 30th board
//! sessions, the CRSS security-sector-reform action plan 2022-2024 and the UNDP
//! democratic-governance programme, from the articles in `shared/seeds`.
//!
//! What the sources say is reproduced exactly: the 30th ordinary session of the
//! ANASER board on 26 December 2025, figures as of 30 November 2025, 32 of the 49
//! activities of the PAP 2025 done (65 %), 10 of them above target; a 2026
//! programme of 50 activities in five priority actions; the four objectives of
//! the UNDP programme and their sub-objectives. Everything else (activity
//! titles, budgets, targets, dates, indicator values, resolutions) is invented
//! to be plausible, and the plans and sessions are marked `illustrative`.
//!
//! The data is written as tables below; `load` inserts it in one transaction,
//! once: a second run finds ANASER and changes nothing.

use std::fmt;

use anyhow::Context;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::Role;
use crate::passwords;
use crate::store::users;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    AlreadyPresent,
}

impl fmt::Display for DemoOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DemoOutcome::Loaded => "demo data loaded",
            DemoOutcome::AlreadyPresent => "demo data already present",
        })
    }
}

/// Serialises concurrent loads (two instances starting together).
const DEMO_LOCK: i64 = 0x5375_6976_6944_656d; // "SuivDem"

pub async fn load(pool: &PgPool) -> anyhow::Result<DemoOutcome> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(DEMO_LOCK)
        .execute(&mut *tx)
        .await?;
    let present: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = 'ANASER')")
            .fetch_one(&mut *tx)
            .await?;
    let mut writer = Writer { tx };
    let outcome = if present {
        DemoOutcome::AlreadyPresent
    } else {
        writer.anaser().await.context("ANASER demo data")?;
        writer.crss().await.context("CRSS demo data")?;
        writer.pnud().await.context("PNUD demo data")?;
        DemoOutcome::Loaded
    };
    // Also on a database loaded before accounts existed; existing logins are
    // left alone (their passwords may have been changed).
    writer.accounts().await.context("demo accounts")?;
    writer.tx.commit().await?;
    Ok(outcome)
}

/// The demo accounts (listed in the README as demo-only): login, display name,
/// admin, and a role in one agency.
type DemoAccount = (
    &'static str,
    &'static str,
    bool,
    Option<(&'static str, Role)>,
);
const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("admin", "Administrateur (démo)", true, None),
    (
        "anaser.editeur",
        "Point focal ANASER (démo)",
        false,
        Some(("ANASER", Role::Editor)),
    ),
    (
        "anaser.ca",
        "Administrateur ANASER (démo)",
        false,
        Some(("ANASER", Role::Board)),
    ),
    (
        "crss.lecteur",
        "Lecteur CRSS (démo)",
        false,
        Some(("CRSS", Role::Viewer)),
    ),
];

/// The password of every demo account; public, hence demo-only.
pub const DEMO_PASSWORD: &str = "suivi-demo";

/// A calendar date written as (year, month, day) in the tables.
type Ymd = (i32, u32, u32);

/// How an activity went: the progress updates the demo records for it.
#[derive(Clone, Copy)]
enum Course {
    /// In progress two months before `on`, done on `on` with `achieved`.
    Done(Ymd, i64),
    /// In progress since `since`, `achieved` so far.
    InProgress(Ymd, i64),
    NotStarted,
    /// Started, then postponed on the date.
    Postponed(Ymd),
    Abandoned(Ymd),
}

struct ActivitySpec {
    code: &'static str,
    title: &'static str,
    target: i64,
    unit: &'static str,
    budget: i64,
    responsible: &'static str,
    region: &'static str,
    /// Planned start and end.
    planned: (Ymd, Ymd),
    course: Course,
}

struct NodeSpec {
    code: &'static str,
    title: &'static str,
    children: &'static [NodeSpec],
    activities: &'static [ActivitySpec],
}

struct IndicatorSpec {
    node: &'static str,
    code: &'static str,
    title: &'static str,
    unit: &'static str,
    baseline: (i64, i32),
    target: (i64, i32),
    decreasing: bool,
    values: &'static [(&'static str, Ymd, i64)],
}

struct PlanSpec {
    code: &'static str,
    title: &'static str,
    kind: &'static str,
    years: (i32, i32),
    status: &'static str,
    levels: &'static [&'static str],
    tree: &'static [NodeSpec],
    indicators: &'static [IndicatorSpec],
    /// (source, kind, planned, mobilised) in FCFA.
    funding: &'static [(&'static str, &'static str, i64, i64)],
}

/// A progress update to record: (as of, status, achieved, spent, comment).
type UpdateRow = (
    NaiveDate,
    &'static str,
    Option<i64>,
    i64,
    Option<&'static str>,
);

struct Writer {
    tx: Transaction<'static, Postgres>,
}

fn date((y, m, d): Ymd) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("bad demo date {y}-{m}-{d}"))
}

impl Writer {
    async fn accounts(&mut self) -> anyhow::Result<()> {
        let logins: Vec<&str> = DEMO_ACCOUNTS.iter().map(|a| a.0).collect();
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE login = ANY($1)")
            .bind(&logins)
            .fetch_one(&mut *self.tx)
            .await?;
        if usize::try_from(existing).is_ok_and(|n| n == DEMO_ACCOUNTS.len()) {
            return Ok(());
        }
        // One hash for all: the password is public anyway, and argon2 is slow
        // on purpose.
        let hash = tokio::task::spawn_blocking(|| passwords::hash(DEMO_PASSWORD)).await??;
        for (login, name, is_admin, role) in DEMO_ACCOUNTS {
            let Some(user) = users::create(&mut *self.tx, login, name, &hash, *is_admin).await?
            else {
                continue;
            };
            if let Some((agency, role)) = role {
                let agency: i64 = sqlx::query_scalar("SELECT id FROM agencies WHERE code = $1")
                    .bind(agency)
                    .fetch_one(&mut *self.tx)
                    .await?;
                users::set_role(&mut *self.tx, user, agency, *role).await?;
            }
        }
        Ok(())
    }

    async fn agency(&mut self, code: &str, name: &str, parent: Option<i64>) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO agencies (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(code)
        .bind(name)
        .bind(parent)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    async fn plan(&mut self, agency: i64, spec: &PlanSpec) -> anyhow::Result<i64> {
        let plan: i64 = sqlx::query_scalar(
            "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, status, level_names, illustrative) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING id",
        )
        .bind(agency)
        .bind(spec.code)
        .bind(spec.title)
        .bind(spec.kind)
        .bind(spec.years.0)
        .bind(spec.years.1)
        .bind(spec.status)
        .bind(spec.levels)
        .fetch_one(&mut *self.tx)
        .await?;
        let mut position = 0;
        for node in spec.tree {
            self.node(plan, None, 0, node, &mut position).await?;
        }
        for (position, indicator) in spec.indicators.iter().enumerate() {
            self.indicator(plan, position, indicator).await?;
        }
        for (position, (source, kind, planned, mobilised)) in spec.funding.iter().enumerate() {
            sqlx::query(
                "INSERT INTO funding_lines (plan_id, position, source, source_kind, planned, mobilised) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan)
            .bind(position as i32)
            .bind(source)
            .bind(kind)
            .bind(planned)
            .bind(mobilised)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(plan)
    }

    async fn node(
        &mut self,
        plan: i64,
        parent: Option<i64>,
        depth: i32,
        spec: &NodeSpec,
        position: &mut i32,
    ) -> anyhow::Result<()> {
        *position += 1;
        let node: i64 = sqlx::query_scalar(
            "INSERT INTO plan_nodes (plan_id, parent_id, depth, position, code, title) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(plan)
        .bind(parent)
        .bind(depth)
        .bind(*position)
        .bind(spec.code)
        .bind(spec.title)
        .fetch_one(&mut *self.tx)
        .await?;
        for activity in spec.activities {
            *position += 1;
            self.activity(plan, node, *position, activity).await?;
        }
        for child in spec.children {
            Box::pin(self.node(plan, Some(node), depth + 1, child, position)).await?;
        }
        Ok(())
    }

    async fn activity(
        &mut self,
        plan: i64,
        node: i64,
        position: i32,
        spec: &ActivitySpec,
    ) -> anyhow::Result<()> {
        let activity: i64 = sqlx::query_scalar(
            "INSERT INTO activities (plan_id, node_id, position, code, title, target, unit, budget, \
             responsible_unit, region_code, planned_start, planned_end) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(plan)
        .bind(node)
        .bind(position)
        .bind(spec.code)
        .bind(spec.title)
        .bind(Decimal::from(spec.target))
        .bind(spec.unit)
        .bind(spec.budget)
        .bind(spec.responsible)
        .bind(spec.region)
        .bind(date(spec.planned.0)?)
        .bind(date(spec.planned.1)?)
        .fetch_one(&mut *self.tx)
        .await?;
        let author = format!("Point focal {}", spec.responsible);
        let budget = spec.budget;
        let updates: Vec<UpdateRow> = match spec.course {
            Course::Done(on, achieved) => {
                let done = date(on)?;
                vec![
                    (
                        done - chrono::Days::new(60),
                        "in_progress",
                        Some(achieved / 2),
                        budget * 2 / 5,
                        None,
                    ),
                    (done, "done", Some(achieved), budget * 9 / 10, None),
                ]
            }
            Course::InProgress(since, achieved) => {
                vec![(
                    date(since)?,
                    "in_progress",
                    Some(achieved),
                    budget / 2,
                    None,
                )]
            }
            Course::NotStarted => Vec::new(),
            Course::Postponed(on) => {
                let postponed = date(on)?;
                vec![
                    (
                        postponed - chrono::Days::new(90),
                        "in_progress",
                        Some(0),
                        budget / 10,
                        None,
                    ),
                    (
                        postponed,
                        "postponed",
                        Some(0),
                        budget / 10,
                        Some("Reportée faute de financement mobilisé."),
                    ),
                ]
            }
            Course::Abandoned(on) => vec![(
                date(on)?,
                "abandoned",
                None,
                0,
                Some("Abandonnée : reprise dans le programme de l’année suivante."),
            )],
        };
        for (as_of, status, achieved, spent, comment) in updates {
            sqlx::query(
                "INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, comment, author, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, ($2::date + time '17:00') AT TIME ZONE 'UTC')",
            )
            .bind(activity)
            .bind(as_of)
            .bind(status)
            .bind(achieved.map(Decimal::from))
            .bind(spent)
            .bind(comment)
            .bind(&author)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn indicator(
        &mut self,
        plan: i64,
        position: usize,
        spec: &IndicatorSpec,
    ) -> anyhow::Result<()> {
        let indicator: i64 = sqlx::query_scalar(
            "INSERT INTO indicators (plan_id, node_id, position, code, title, unit, baseline, baseline_year, \
             target, target_year, direction) \
             VALUES ($1, (SELECT id FROM plan_nodes WHERE plan_id = $1 AND code = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
        )
        .bind(plan)
        .bind(spec.node)
        .bind(position as i32)
        .bind(spec.code)
        .bind(spec.title)
        .bind(spec.unit)
        .bind(Decimal::from(spec.baseline.0))
        .bind(spec.baseline.1)
        .bind(Decimal::from(spec.target.0))
        .bind(spec.target.1)
        .bind(if spec.decreasing { "decrease" } else { "increase" })
        .fetch_one(&mut *self.tx)
        .await?;
        for (label, end, value) in spec.values {
            sqlx::query(
                "INSERT INTO indicator_values (indicator_id, period_label, period_end, value) VALUES ($1, $2, $3, $4)",
            )
            .bind(indicator)
            .bind(label)
            .bind(date(*end)?)
            .bind(Decimal::from(*value))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn session(
        &mut self,
        agency: i64,
        number: i32,
        held_on: Ymd,
        cutoff: Ymd,
        chair: &str,
        reviewed: i64,
        adopted: Option<i64>,
        resolutions: &[(&str, &str, Ymd, &str)],
    ) -> anyhow::Result<()> {
        let session: i64 = sqlx::query_scalar(
            "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, place, chair, \
             reviewed_plan_id, adopted_plan_id, status, illustrative) \
             VALUES ($1, $2, 'ordinary', $3, $4, 'Bamako', $5, $6, $7, 'held', true) RETURNING id",
        )
        .bind(agency)
        .bind(number)
        .bind(date(held_on)?)
        .bind(date(cutoff)?)
        .bind(chair)
        .bind(reviewed)
        .bind(adopted)
        .fetch_one(&mut *self.tx)
        .await?;
        for (position, (text, responsible, due, status)) in resolutions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO resolutions (session_id, position, text, responsible_unit, due_on, status) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(session)
            .bind(position as i32)
            .bind(text)
            .bind(responsible)
            .bind(date(*due)?)
            .bind(status)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn anaser(&mut self) -> anyhow::Result<()> {
        let ministry = self
            .agency(
                "MTI",
                "Ministère des Transports et des Infrastructures",
                None,
            )
            .await?;
        let anaser = self
            .agency(
                "ANASER",
                "Agence Nationale de la Sécurité Routière",
                Some(ministry),
            )
            .await?;
        let pap_2025 = self.plan(anaser, &PAP_2025).await?;
        let pap_2026 = self.plan(anaser, &pap_2026::PLAN).await?;
        let chair = "Madina SISSOKO DEMBELE, Ministre des Transports et des Infrastructures";
        self.session(
            anaser,
            29,
            (2025, 6, 27),
            (2025, 5, 31),
            chair,
            pap_2025,
            None,
            &[
                ("Accélérer l’opérationnalisation du Comité interministériel de sécurité routière (CISR).", "Direction générale", (2025, 9, 30), "done"),
                ("Présenter au prochain conseil la situation de la mobilisation des ressources propres.", "DAF", (2025, 12, 31), "done"),
                ("Finaliser le recrutement des contrôleurs routiers prévu au plan de développement des ressources humaines.", "DAF", (2025, 12, 31), "in_progress"),
            ],
        )
        .await?;
        self.session(
            anaser,
            30,
            (2025, 12, 26),
            (2025, 11, 30),
            chair,
            pap_2025,
            Some(pap_2026),
            &[
                ("Engager l’élaboration du plan d’actions quinquennal 2026-2030 de la Stratégie nationale de sécurité routière (SNSR).", "DEP", (2026, 6, 30), "in_progress"),
                ("Poursuivre la digitalisation des services de l’Agence.", "Direction générale", (2026, 12, 31), "in_progress"),
                ("Relever le taux de mobilisation des financements des partenaires techniques et financiers.", "DAF", (2026, 9, 30), "pending"),
                ("Transmettre aux administrateurs le rapport d’exécution du PAP 2025 avant fin janvier 2026.", "DEP", (2026, 1, 31), "done"),
            ],
        )
        .await?;
        Ok(())
    }

    async fn crss(&mut self) -> anyhow::Result<()> {
        let crss = self
            .agency(
                "CRSS",
                "Commissariat à la Réforme du Secteur de la Sécurité",
                None,
            )
            .await?;
        self.plan(crss, &SNRSS).await?;
        Ok(())
    }

    async fn pnud(&mut self) -> anyhow::Result<()> {
        let pnud = self
            .agency(
                "PNUD",
                "Programme des Nations unies pour le développement (PNUD) – Mali",
                None,
            )
            .await?;
        self.plan(pnud, &PGDT).await?;
        Ok(())
    }
}

use Course::{Abandoned, Done, InProgress, NotStarted, Postponed};

/// Shorthand for the tables: an activity of year `y` planned from month `start`
/// to month `end`.
#[allow(clippy::too_many_arguments)]
const fn act(
    code: &'static str,
    title: &'static str,
    target: i64,
    unit: &'static str,
    budget: i64,
    responsible: &'static str,
    region: &'static str,
    (y, start, end): (i32, u32, u32),
    course: Course,
) -> ActivitySpec {
    let last_day = match end {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    ActivitySpec {
        code,
        title,
        target,
        unit,
        budget,
        responsible,
        region,
        planned: ((y, start, 1), (y, end, last_day)),
        course,
    }
}

const LEVELS_PAP: &[&str] = &[
    "Objectif stratégique",
    "Objectif opérationnel",
    "Action prioritaire",
];
const PREV: &str = "Direction de la prévention";
const CTRL: &str = "Direction du contrôle";
const COM: &str = "Cellule communication";
const DEP: &str = "Direction des études et de la planification";
const DAF: &str = "Direction administrative et financière";
const Y25: i32 = 2025;

/// The PAP 2025: 49 activities; as of 30 November 2025, 32 done of which 10 above
/// target, 10 in progress, 3 not started, 3 postponed, 1 abandoned; three more
/// are done in December 2025.
static PAP_2025: PlanSpec = PlanSpec {
    code: "PAP-2025",
    title: "Projet Annuel de Performance 2025",
    kind: "annual",
    years: (2025, 2025),
    status: "closed",
    levels: LEVELS_PAP,
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Améliorer la sécurité du transport routier",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OO1.1",
                    title: "Renforcer le cadre institutionnel et réglementaire de la sécurité routière",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP1",
                        title: "Opérationnalisation du CISR et vulgarisation du Code de la route",
                        children: &[],
                        activities: &[
                            act("A1.01", "Tenue de la session inaugurale du Comité interministériel de sécurité routière (CISR)", 1, "session", 8_500_000, DEP, "BKO", (Y25, 1, 3), Done((Y25, 2, 28), 1)),
                            act("A1.02", "Élaboration des textes d’application du Code de la route", 6, "textes", 15_000_000, CTRL, "NAT", (Y25, 1, 6), Done((Y25, 5, 30), 7)),
                            act("A1.03", "Ateliers de vulgarisation du Code de la route dans les capitales régionales", 8, "ateliers", 32_000_000, COM, "NAT", (Y25, 3, 10), Done((Y25, 9, 30), 10)),
                            act("A1.04", "Traduction du Code de la route en langues nationales", 4, "langues", 12_000_000, COM, "NAT", (Y25, 4, 12), InProgress((Y25, 9, 15), 2)),
                            act("A1.05", "Formation des agents de contrôle routier aux nouvelles dispositions", 300, "agents", 24_500_000, CTRL, "BKO", (Y25, 2, 4), Done((Y25, 4, 30), 300)),
                            act("A1.06", "Réunions trimestrielles du secrétariat technique du CISR", 4, "réunions", 6_000_000, DEP, "BKO", (Y25, 1, 11), Done((Y25, 11, 28), 4)),
                            act("A1.07", "Mise à jour du plan de développement des ressources humaines", 1, "document", 5_000_000, DAF, "BKO", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A1.08", "Recrutement de contrôleurs routiers", 40, "agents", 45_000_000, DAF, "NAT", (Y25, 2, 6), InProgress((Y25, 8, 29), 25)),
                            act("A1.09", "Élaboration du plan de mobilisation des fonds 2025", 1, "document", 3_500_000, DAF, "BKO", (Y25, 1, 2), Done((Y25, 2, 14), 1)),
                            act("A1.10", "Étude sur le financement durable de la sécurité routière", 1, "étude", 18_000_000, DEP, "NAT", (Y25, 3, 10), Postponed((Y25, 7, 31))),
                        ],
                    }],
                },
                NodeSpec {
                    code: "OO1.2",
                    title: "Améliorer la sécurité des véhicules et des infrastructures routières",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP2",
                        title: "Contrôle technique, inspection des véhicules et audits de sécurité routière",
                        children: &[],
                        activities: &[
                            act("A2.01", "Audit de sécurité routière du corridor Bamako–Ségou", 1, "audit", 22_000_000, CTRL, "SEG", (Y25, 3, 6), Done((Y25, 6, 30), 1)),
                            act("A2.02", "Inspections de sécurité des routes nationales RN1 et RN3", 600, "km", 28_000_000, CTRL, "KAY", (Y25, 4, 10), Done((Y25, 10, 31), 720)),
                            act("A2.03", "Contrôles inopinés des centres de contrôle technique", 12, "centres", 7_500_000, CTRL, "BKO", (Y25, 2, 5), Done((Y25, 5, 15), 15)),
                            act("A2.04", "Contrôles de surcharge des poids lourds sur les axes frontaliers", 24, "opérations", 19_000_000, CTRL, "SIK", (Y25, 1, 11), Done((Y25, 11, 20), 24)),
                            act("A2.05", "Traitement des points noirs identifiés à Bamako", 10, "points noirs", 85_000_000, DEP, "BKO", (Y25, 3, 12), InProgress((Y25, 10, 15), 6)),
                            act("A2.06", "Signalisation aux abords des écoles", 150, "panneaux", 36_000_000, PREV, "KOU", (Y25, 4, 8), Done((Y25, 8, 29), 150)),
                            act("A2.07", "Acquisition de matériel de contrôle (éthylotests, cinémomètres)", 1, "lot", 42_000_000, DAF, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 1)),
                            act("A2.08", "Contrôle de l’état des véhicules de transport en commun", 2000, "véhicules", 16_000_000, CTRL, "BKO", (Y25, 2, 10), Done((Y25, 9, 30), 2350)),
                            act("A2.09", "Étude de faisabilité d’un centre de contrôle technique à Gao", 1, "étude", 14_000_000, DEP, "GAO", (Y25, 3, 6), NotStarted),
                            act("A2.10", "Recensement des passages à niveau non gardés", 1, "rapport", 6_500_000, DEP, "KOU", (Y25, 4, 7), Done((Y25, 7, 31), 1)),
                        ],
                    }],
                },
            ],
        },
        NodeSpec {
            code: "OS2",
            title: "Réduire le nombre de tués et de blessés graves sur les routes",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OO2.1",
                    title: "Changer les comportements des usagers de la route",
                    activities: &[],
                    children: &[
                        NodeSpec {
                            code: "AP3",
                            title: "Information, éducation et sensibilisation des usagers",
                            children: &[],
                            activities: &[
                                act("A3.01", "Séances de sensibilisation dans les gares routières", 20, "séances", 9_000_000, COM, "BKO", (Y25, 2, 6), Done((Y25, 6, 30), 26)),
                                act("A3.02", "Campagne radio et télévision sur le port du casque", 1, "campagne", 27_000_000, COM, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                                act("A3.03", "Sensibilisation des conducteurs de motos-taxis à Mopti", 12, "séances", 7_000_000, PREV, "MOP", (Y25, 2, 5), Done((Y25, 5, 30), 12)),
                                act("A3.04", "Éducation routière dans les écoles fondamentales", 100, "écoles", 21_000_000, PREV, "SEG", (Y25, 1, 11), Done((Y25, 11, 14), 118)),
                                act("A3.05", "Semaine nationale de la sécurité routière", 1, "édition", 35_000_000, COM, "NAT", (Y25, 8, 10), Done((Y25, 10, 17), 1)),
                                act("A3.06", "Caravane de sensibilisation sur l’axe Kayes–Diboli", 1, "caravane", 18_500_000, COM, "KAY", (Y25, 9, 12), Done((Y25, 12, 12), 1)),
                                act("A3.07", "Spots de sensibilisation en langues nationales", 8, "spots", 11_000_000, COM, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 8)),
                                act("A3.08", "Sensibilisation des conducteurs de poids lourds à Sikasso", 10, "séances", 6_000_000, PREV, "SIK", (Y25, 3, 12), InProgress((Y25, 10, 31), 6)),
                                act("A3.09", "Production de supports pédagogiques pour les écoles", 5000, "supports", 12_500_000, PREV, "NAT", (Y25, 1, 2), Done((Y25, 2, 28), 5000)),
                                act("A3.10", "Journées portes ouvertes de l’ANASER", 1, "édition", 9_500_000, COM, "BKO", (Y25, 5, 6), Abandoned((Y25, 6, 30))),
                            ],
                        },
                        NodeSpec {
                            code: "AP4",
                            title: "Formation et contrôle des conducteurs",
                            children: &[],
                            activities: &[
                                act("A4.01", "Formation des conducteurs de transport public de voyageurs", 500, "conducteurs", 30_000_000, PREV, "BKO", (Y25, 1, 5), Done((Y25, 5, 30), 640)),
                                act("A4.02", "Contrôle des auto-écoles", 60, "auto-écoles", 8_000_000, CTRL, "BKO", (Y25, 3, 9), Done((Y25, 9, 30), 60)),
                                act("A4.03", "Révision du programme de formation des auto-écoles", 1, "programme", 13_000_000, PREV, "NAT", (Y25, 6, 12), Done((Y25, 12, 18), 1)),
                                act("A4.04", "Formation des formateurs d’auto-écoles", 80, "formateurs", 10_500_000, PREV, "KOU", (Y25, 1, 3), Done((Y25, 3, 31), 80)),
                                act("A4.05", "Opérations de contrôle d’alcoolémie et de vitesse", 48, "opérations", 14_000_000, CTRL, "BKO", (Y25, 1, 11), Done((Y25, 11, 21), 55)),
                                act("A4.06", "Contrôle du permis de conduire des conducteurs de motos-taxis", 3000, "contrôles", 9_000_000, CTRL, "SEG", (Y25, 2, 12), InProgress((Y25, 10, 31), 1800)),
                                act("A4.07", "Formation des conducteurs de poids lourds à la conduite sûre", 200, "conducteurs", 20_000_000, PREV, "SIK", (Y25, 5, 10), Postponed((Y25, 8, 29))),
                                act("A4.08", "Sessions de recyclage des moniteurs d’auto-écoles", 4, "sessions", 5_500_000, PREV, "BKO", (Y25, 1, 4), Done((Y25, 4, 25), 4)),
                                act("A4.09", "Campagne de contrôle des équipements des motos", 20, "opérations", 7_000_000, CTRL, "MOP", (Y25, 3, 9), InProgress((Y25, 9, 30), 9)),
                                act("A4.10", "Formation des agents de la police routière de Tombouctou", 60, "agents", 11_000_000, CTRL, "TOM", (Y25, 4, 10), NotStarted),
                            ],
                        },
                    ],
                },
                NodeSpec {
                    code: "OO2.2",
                    title: "Améliorer la prise en charge des victimes et la connaissance des accidents",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP5",
                        title: "Secours aux victimes et système d’information sur les accidents",
                        children: &[],
                        activities: &[
                            act("A5.01", "Mise en place de la base de données nationale des accidents", 1, "base", 40_000_000, DEP, "NAT", (Y25, 2, 12), InProgress((Y25, 11, 14), 0)),
                            act("A5.02", "Formation de secouristes bénévoles le long des axes routiers", 150, "secouristes", 15_000_000, PREV, "KOU", (Y25, 2, 6), Done((Y25, 6, 27), 180)),
                            act("A5.03", "Dotation des postes de secours en kits de premiers soins", 30, "kits", 12_000_000, DAF, "SEG", (Y25, 2, 5), Done((Y25, 5, 16), 30)),
                            act("A5.04", "Rapport annuel 2024 sur les accidents de la circulation", 1, "rapport", 4_500_000, DEP, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A5.05", "Collecte des données d’accidents dans les régions", 10, "régions", 9_000_000, DEP, "NAT", (Y25, 1, 10), Done((Y25, 10, 31), 10)),
                            act("A5.06", "Étude sur le coût socio-économique des accidents", 1, "étude", 25_000_000, DEP, "NAT", (Y25, 4, 11), Postponed((Y25, 9, 30))),
                            act("A5.07", "Exercice de simulation de secours sur accident de masse", 1, "exercice", 8_000_000, PREV, "BKO", (Y25, 9, 12), Done((Y25, 12, 5), 1)),
                            act("A5.08", "Formation des agents de saisie des constats d’accidents", 40, "agents", 6_000_000, DEP, "MOP", (Y25, 3, 7), Done((Y25, 7, 25), 40)),
                            act("A5.09", "Bornes d’appel d’urgence sur la RN6", 10, "bornes", 30_000_000, DAF, "SEG", (Y25, 5, 10), NotStarted),
                        ],
                    }],
                },
            ],
        },
    ],
    indicators: &[
        IndicatorSpec {
            node: "OS2", code: "IND1", title: "Nombre de personnes tuées dans les accidents de la route (12 mois glissants)",
            unit: "personnes", baseline: (780, 2024), target: (700, 2025), decreasing: true,
            values: &[("T1 2025", (2025, 3, 31), 770), ("T2 2025", (2025, 6, 30), 752), ("T3 2025", (2025, 9, 30), 731), ("T4 2025", (2025, 12, 31), 716)],
        },
        IndicatorSpec {
            node: "OS2", code: "IND2", title: "Nombre de blessés graves (12 mois glissants)",
            unit: "personnes", baseline: (5400, 2024), target: (5000, 2025), decreasing: true,
            values: &[("T1 2025", (2025, 3, 31), 5350), ("T2 2025", (2025, 6, 30), 5270), ("T3 2025", (2025, 9, 30), 5160), ("T4 2025", (2025, 12, 31), 5090)],
        },
        IndicatorSpec {
            node: "OO2.1", code: "IND3", title: "Nombre d’usagers sensibilisés (cumul annuel)",
            unit: "personnes", baseline: (0, 2024), target: (250_000, 2025), decreasing: false,
            values: &[("T1 2025", (2025, 3, 31), 40_000), ("T2 2025", (2025, 6, 30), 105_000), ("T3 2025", (2025, 9, 30), 180_000), ("T4 2025", (2025, 12, 31), 262_000)],
        },
        IndicatorSpec {
            node: "OO2.1", code: "IND4", title: "Taux de port du casque chez les usagers de deux-roues",
            unit: "%", baseline: (22, 2024), target: (35, 2025), decreasing: false,
            values: &[("T1 2025", (2025, 3, 31), 23), ("T2 2025", (2025, 6, 30), 26), ("T3 2025", (2025, 9, 30), 29), ("T4 2025", (2025, 12, 31), 31)],
        },
        IndicatorSpec {
            node: "OO1.2", code: "IND5", title: "Part des véhicules contrôlés trouvés conformes",
            unit: "%", baseline: (61, 2024), target: (75, 2025), decreasing: false,
            values: &[("T1 2025", (2025, 3, 31), 63), ("T2 2025", (2025, 6, 30), 66), ("T3 2025", (2025, 9, 30), 70), ("T4 2025", (2025, 12, 31), 73)],
        },
    ],
    funding: &[
        ("Budget national", "state", 1_450_000_000, 1_310_000_000),
        ("Ressources propres (redevances et contrôles)", "own", 620_000_000, 540_000_000),
        ("Partenaires techniques et financiers", "partner", 280_000_000, 150_000_000),
    ],
};

/// The PAP 2026, adopted at the 30th session: 50 activities in five priority
/// actions, partly carried out as of November 2026.
mod pap_2026 {
    use super::*;

    const Y26: i32 = 2026;

    /// Ten activities of a priority action with a typical course over 2026:
    /// five done (one above target), three in progress, two not started.
    macro_rules! ten {
        ($prefix:literal, $resp:expr, [$($title:literal, $target:literal, $unit:literal, $region:literal);+ $(;)?]) => {{
            const TITLES: &[(&str, i64, &str, &str)] = &[$(($title, $target, $unit, $region)),+];
            const N: usize = TITLES.len();
            const fn build(i: usize) -> ActivitySpec {
                let (title, target, unit, region) = TITLES[i];
                let month = 3 + (i as u32 % 8);
                let course = match i {
                    0 => Done((Y26, 4, 30), target + target / 5 + 1),
                    1..=4 => Done((Y26, month + 1, 28), target),
                    5..=7 => InProgress((Y26, 9, 30), target / 2),
                    _ => NotStarted,
                };
                act(CODES[i], title, target, unit, 5_000_000 + 2_500_000 * (i as i64 % 7) , $resp, region, (Y26, 1 + (i as u32 % 3), 11), course)
            }
            const CODES: [&str; 10] = [
                concat!($prefix, ".01"), concat!($prefix, ".02"), concat!($prefix, ".03"), concat!($prefix, ".04"), concat!($prefix, ".05"),
                concat!($prefix, ".06"), concat!($prefix, ".07"), concat!($prefix, ".08"), concat!($prefix, ".09"), concat!($prefix, ".10"),
            ];
            const _: () = assert!(N == 10);
            &[build(0), build(1), build(2), build(3), build(4), build(5), build(6), build(7), build(8), build(9)]
        }};
    }

    pub(super) static PLAN: PlanSpec = PlanSpec {
        code: "PAP-2026",
        title: "Projet Annuel de Performance 2026",
        kind: "annual",
        years: (2026, 2026),
        status: "in_progress",
        levels: LEVELS_PAP,
        tree: &[
            NodeSpec {
                code: "OS1",
                title: "Améliorer la sécurité du transport routier",
                activities: &[],
                children: &[
                    NodeSpec {
                        code: "OO1.1",
                        title: "Moderniser la gouvernance de la sécurité routière",
                        activities: &[],
                        children: &[
                            NodeSpec {
                                code: "AP1",
                                title: "Digitalisation des services et du système d’information de sécurité routière",
                                children: &[],
                                activities: ten!("B1", DEP, [
                                    "Plateforme en ligne de déclaration des accidents", 1, "plateforme", "NAT";
                                    "Numérisation des dossiers de contrôle technique", 20000, "dossiers", "BKO";
                                    "Paiement mobile des redevances de contrôle", 1, "service", "NAT";
                                    "Formation des agents aux outils numériques", 120, "agents", "BKO";
                                    "Tableau de bord national de la sécurité routière", 1, "tableau de bord", "NAT";
                                    "Géolocalisation des accidents sur les routes nationales", 5, "axes", "KOU";
                                    "Équipement des postes de contrôle en tablettes", 60, "tablettes", "NAT";
                                    "Interconnexion avec le fichier national des permis", 1, "interconnexion", "BKO";
                                    "Sécurisation et sauvegarde des données de l’Agence", 1, "dispositif", "BKO";
                                    "Site web et services en ligne de l’ANASER", 1, "site", "NAT";
                                ]),
                            },
                            NodeSpec {
                                code: "AP2",
                                title: "Élaboration du plan d’actions quinquennal 2026-2030 de la SNSR",
                                children: &[],
                                activities: ten!("B2", DEP, [
                                    "Bilan de la mise en œuvre de la SNSR", 1, "rapport", "NAT";
                                    "Ateliers régionaux de consultation", 8, "ateliers", "NAT";
                                    "Consultation des transporteurs et syndicats", 4, "rencontres", "BKO";
                                    "Rédaction du plan d’actions 2026-2030", 1, "document", "NAT";
                                    "Validation technique par le CISR", 1, "session", "BKO";
                                    "Chiffrage et plan de financement du plan d’actions", 1, "document", "NAT";
                                    "Cadre de suivi-évaluation du plan d’actions", 1, "cadre", "NAT";
                                    "Table ronde des partenaires techniques et financiers", 1, "table ronde", "BKO";
                                    "Adoption du plan d’actions en Conseil des ministres", 1, "décret", "BKO";
                                    "Diffusion du plan d’actions auprès des acteurs régionaux", 10, "régions", "NAT";
                                ]),
                            },
                        ],
                    },
                    NodeSpec {
                        code: "OO1.2",
                        title: "Faire respecter les règles de circulation",
                        activities: &[],
                        children: &[NodeSpec {
                            code: "AP3",
                            title: "Contrôle et sanction des comportements à risque",
                            children: &[],
                            activities: ten!("B3", CTRL, [
                                "Opérations de contrôle de vitesse", 60, "opérations", "BKO";
                                "Contrôles d’alcoolémie de nuit", 30, "opérations", "BKO";
                                "Contrôle du port du casque", 40, "opérations", "SEG";
                                "Contrôle de surcharge des poids lourds", 24, "opérations", "SIK";
                                "Contrôle des véhicules de transport scolaire", 300, "véhicules", "KOU";
                                "Contrôle des auto-écoles", 70, "auto-écoles", "NAT";
                                "Installation de radars pédagogiques", 10, "radars", "BKO";
                                "Contrôle des centres de contrôle technique", 15, "centres", "NAT";
                                "Contrôles conjoints avec la police routière à Kayes", 12, "opérations", "KAY";
                                "Contrôles conjoints avec la gendarmerie à Mopti", 12, "opérations", "MOP";
                            ]),
                        }],
                    },
                ],
            },
            NodeSpec {
                code: "OS2",
                title: "Réduire le nombre de tués et de blessés graves sur les routes",
                activities: &[],
                children: &[NodeSpec {
                    code: "OO2.1",
                    title: "Protéger les usagers vulnérables et secourir les victimes",
                    activities: &[],
                    children: &[
                        NodeSpec {
                            code: "AP4",
                            title: "Sensibilisation et éducation des usagers",
                            children: &[],
                            activities: ten!("B4", COM, [
                                "Campagne nationale sur le port du casque", 1, "campagne", "NAT";
                                "Sensibilisation dans les gares routières", 24, "séances", "BKO";
                                "Éducation routière dans les écoles", 120, "écoles", "SEG";
                                "Semaine nationale de la sécurité routière", 1, "édition", "NAT";
                                "Spots radio en langues nationales", 10, "spots", "NAT";
                                "Sensibilisation des conducteurs de motos-taxis", 15, "séances", "MOP";
                                "Caravane de sensibilisation Ségou–Mopti", 1, "caravane", "SEG";
                                "Sensibilisation des transporteurs à Gao", 8, "séances", "GAO";
                                "Sensibilisation des usagers à Tombouctou", 6, "séances", "TOM";
                                "Concours scolaire de la sécurité routière", 1, "concours", "NAT";
                            ]),
                        },
                        NodeSpec {
                            code: "AP5",
                            title: "Prise en charge des victimes et connaissance des accidents",
                            children: &[],
                            activities: ten!("B5", PREV, [
                                "Formation de secouristes bénévoles", 200, "secouristes", "KOU";
                                "Kits de premiers secours pour les postes de secours", 40, "kits", "NAT";
                                "Rapport annuel 2025 sur les accidents", 1, "rapport", "NAT";
                                "Exercice de simulation de secours", 2, "exercices", "BKO";
                                "Collecte des données d’accidents dans les régions", 10, "régions", "NAT";
                                "Étude sur les accidents impliquant des deux-roues", 1, "étude", "BKO";
                                "Numéro vert d’urgence routière", 1, "service", "NAT";
                                "Bornes d’appel d’urgence sur la RN6", 10, "bornes", "SEG";
                                "Appui aux services d’urgence de Sikasso", 1, "convention", "SIK";
                                "Registre des victimes de la route", 1, "registre", "NAT";
                            ]),
                        },
                    ],
                }],
            },
        ],
        indicators: &[
            IndicatorSpec {
                node: "OS2", code: "IND1", title: "Nombre de personnes tuées dans les accidents de la route (12 mois glissants)",
                unit: "personnes", baseline: (716, 2025), target: (650, 2026), decreasing: true,
                values: &[("T1 2026", (2026, 3, 31), 709), ("T2 2026", (2026, 6, 30), 694), ("T3 2026", (2026, 9, 30), 681)],
            },
            IndicatorSpec {
                node: "OS1", code: "IND6", title: "Part des services de l’Agence accessibles en ligne",
                unit: "%", baseline: (10, 2025), target: (50, 2026), decreasing: false,
                values: &[("T1 2026", (2026, 3, 31), 15), ("T2 2026", (2026, 6, 30), 25), ("T3 2026", (2026, 9, 30), 35)],
            },
        ],
        funding: &[
            ("Budget national", "state", 1_600_000_000, 1_380_000_000),
            ("Ressources propres (redevances et contrôles)", "own", 650_000_000, 590_000_000),
            ("Partenaires techniques et financiers", "partner", 300_000_000, 120_000_000),
        ],
    };
}

const CRSS_UNIT: &str = "Cellule de coordination du CRSS";

/// The action plan 2022-2024 of the national security-sector-reform strategy
/// (decree n°2022-0208/PT-RM of 4 April 2022).
static SNRSS: PlanSpec = PlanSpec {
    code: "SNRSS-PA-2022-2024",
    title: "Plan d’actions 2022-2024 de la Stratégie nationale de réforme du secteur de la sécurité",
    kind: "multiyear",
    years: (2022, 2024),
    status: "closed",
    levels: &["Axe stratégique", "Objectif"],
    tree: &[
        NodeSpec {
            code: "AX1",
            title: "Gouvernance et appropriation nationale de la réforme",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OB1.1",
                    title: "Promouvoir l’appropriation nationale de la stratégie et de son plan d’actions",
                    children: &[],
                    activities: &[
                        act("C1.01", "Atelier national d’appropriation de la SNRSS et de son plan d’actions (CICB, Bamako)", 1, "atelier", 25_000_000, CRSS_UNIT, "BKO", (2022, 5, 6), Done((2022, 6, 30), 1)),
                        act("C1.02", "Atelier régional d’appropriation à Kayes", 1, "atelier", 12_000_000, CRSS_UNIT, "KAY", (2023, 1, 6), Done((2023, 5, 26), 1)),
                        act("C1.03", "Atelier régional d’appropriation à Ségou", 1, "atelier", 12_000_000, CRSS_UNIT, "SEG", (2023, 3, 9), Done((2023, 9, 29), 1)),
                        act("C1.04", "Atelier régional d’appropriation à Mopti", 1, "atelier", 13_000_000, CRSS_UNIT, "MOP", (2023, 6, 12), Done((2024, 2, 23), 1)),
                        act("C1.05", "Atelier régional d’appropriation à Tombouctou", 1, "atelier", 15_000_000, CRSS_UNIT, "TOM", (2024, 1, 6), Postponed((2024, 6, 28))),
                        act("C1.06", "Diffusion du décret portant stratégie de réforme du secteur de la sécurité", 5000, "exemplaires", 6_000_000, CRSS_UNIT, "NAT", (2022, 4, 9), Done((2022, 9, 30), 5000)),
                    ],
                },
                NodeSpec {
                    code: "OB1.2",
                    title: "Installer les comités consultatifs de sécurité",
                    children: &[],
                    activities: &[
                        act("C1.07", "Installation des comités consultatifs régionaux de sécurité", 10, "comités", 30_000_000, CRSS_UNIT, "NAT", (2022, 6, 12), Done((2023, 12, 15), 10)),
                        act("C1.08", "Formation des membres des comités consultatifs", 300, "membres", 22_000_000, CRSS_UNIT, "NAT", (2023, 1, 12), InProgress((2024, 10, 31), 210)),
                        act("C1.09", "Installation des comités consultatifs communaux à Kayes", 20, "comités", 9_000_000, CRSS_UNIT, "KAY", (2023, 3, 12), Done((2024, 6, 28), 24)),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "AX2",
            title: "Confiance entre forces de défense et de sécurité, justice et populations",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OB2.1",
                    title: "Renforcer la collaboration entre les FDS et les populations",
                    children: &[],
                    activities: &[
                        act("C2.01", "Forums civilo-militaires régionaux", 6, "forums", 18_000_000, CRSS_UNIT, "NAT", (2022, 9, 12), Done((2024, 11, 29), 6)),
                        act("C2.02", "Rencontres d’échanges sécurité–justice", 4, "rencontres", 8_000_000, CRSS_UNIT, "BKO", (2023, 1, 12), Done((2023, 12, 20), 4)),
                        act("C2.03", "Étude de perception de la population sur le processus de réforme", 1, "étude", 20_000_000, CRSS_UNIT, "NAT", (2023, 4, 12), InProgress((2024, 9, 30), 0)),
                    ],
                },
                NodeSpec {
                    code: "OB2.2",
                    title: "Intégrer le genre et la jeunesse (résolutions 1325 et 2250)",
                    children: &[],
                    activities: &[
                        act("C2.04", "Formation des organisations de femmes et de jeunes sur la SNRSS", 200, "participants", 10_000_000, CRSS_UNIT, "NAT", (2022, 10, 12), Done((2023, 6, 30), 230)),
                        act("C2.05", "Dialogue genre–sécurité avec les légitimités traditionnelles", 3, "dialogues", 7_500_000, CRSS_UNIT, "SIK", (2023, 5, 12), NotStarted),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "AX3",
            title: "Communication et mobilisation des ressources",
            activities: &[],
            children: &[NodeSpec {
                code: "OB3.1",
                title: "Mettre en œuvre le schéma de communication et mobiliser les ressources",
                children: &[],
                activities: &[
                    act("C3.01", "Émissions radiophoniques sur la réforme du secteur de la sécurité", 24, "émissions", 9_000_000, CRSS_UNIT, "NAT", (2022, 6, 12), Done((2024, 12, 13), 24)),
                    act("C3.02", "Table ronde de mobilisation des ressources", 1, "table ronde", 16_000_000, CRSS_UNIT, "BKO", (2022, 9, 12), Done((2023, 3, 31), 1)),
                    act("C3.03", "Rapport annuel de mise en œuvre du plan d’actions", 3, "rapports", 5_000_000, CRSS_UNIT, "NAT", (2022, 12, 12), InProgress((2024, 4, 30), 2)),
                ],
            }],
        },
    ],
    indicators: &[IndicatorSpec {
        node: "AX1", code: "IC1", title: "Nombre de régions dotées d’un comité consultatif de sécurité fonctionnel",
        unit: "régions", baseline: (2, 2021), target: (10, 2024), decreasing: false,
        values: &[("2022", (2022, 12, 31), 4), ("2023", (2023, 12, 31), 10), ("2024", (2024, 12, 31), 10)],
    }],
    funding: &[
        ("Budget national", "state", 180_000_000, 150_000_000),
        ("PNUD", "partner", 120_000_000, 110_000_000),
    ],
};

const PNUD_UNIT: &str = "Unité de gestion du programme";

/// The UNDP democratic-governance programme during the transition: four sectoral
/// objectives and their sub-objectives (i), (ii), (iii), as UNDP Mali lists them.
static PGDT: PlanSpec = PlanSpec {
    code: "PGDT",
    title: "Programme de gouvernance démocratique en période de transition",
    kind: "multiyear",
    years: (2013, 2014),
    status: "closed",
    levels: &["Objectif sectoriel", "Sous-objectif"],
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Redéploiement de l’administration dans le Nord et amélioration des prestations de service public",
            activities: &[],
            children: &[NodeSpec {
                code: "OS1.i",
                title: "(i) Reprise des fonctions essentielles de l’État dans les régions de Mopti, Tombouctou et Gao",
                children: &[],
                activities: &[
                    act("D1.01", "Réhabilitation et équipement de bâtiments administratifs", 12, "bâtiments", 240_000_000, PNUD_UNIT, "TOM", (2013, 4, 12), Done((2014, 6, 30), 12)),
                    act("D1.02", "Retour et installation des agents de l’État", 500, "agents", 90_000_000, PNUD_UNIT, "GAO", (2013, 3, 12), Done((2014, 3, 31), 560)),
                    act("D1.03", "Appui à la reprise des services de l’état civil", 30, "centres", 45_000_000, PNUD_UNIT, "MOP", (2013, 5, 12), InProgress((2014, 10, 31), 22)),
                ],
            }],
        },
        NodeSpec {
            code: "OS2",
            title: "Renforcement des capacités de gouvernance locale",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS2.i",
                    title: "(i) Prise en charge effective des compétences essentielles des collectivités",
                    children: &[],
                    activities: &[act("D2.01", "Formation des élus et agents des collectivités", 400, "participants", 60_000_000, PNUD_UNIT, "SEG", (2013, 6, 12), Done((2014, 5, 30), 400))],
                },
                NodeSpec {
                    code: "OS2.ii",
                    title: "(ii) Implication des collectivités dans la cohésion sociale et le dialogue national",
                    children: &[],
                    activities: &[act("D2.02", "Espaces communaux de dialogue", 40, "communes", 35_000_000, PNUD_UNIT, "MOP", (2013, 9, 12), InProgress((2014, 9, 30), 25))],
                },
                NodeSpec {
                    code: "OS2.iii",
                    title: "(iii) Actions de sécurité communautaire",
                    children: &[],
                    activities: &[act("D2.03", "Plans communaux de sécurité communautaire", 20, "plans", 28_000_000, PNUD_UNIT, "GAO", (2014, 1, 12), NotStarted)],
                },
            ],
        },
        NodeSpec {
            code: "OS3",
            title: "Renforcement des capacités de l’Assemblée nationale",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS3.i",
                    title: "(i) Renforcement des capacités des députés et du personnel parlementaire",
                    children: &[],
                    activities: &[act("D3.01", "Séminaires de formation des députés et du personnel parlementaire", 6, "séminaires", 40_000_000, PNUD_UNIT, "BKO", (2014, 1, 12), Done((2014, 11, 28), 6))],
                },
                NodeSpec {
                    code: "OS3.ii",
                    title: "(ii) Documents et outils stratégiques de l’Assemblée",
                    children: &[],
                    activities: &[
                        act("D3.02", "Manuel de procédures comptables et financières", 1, "manuel", 15_000_000, PNUD_UNIT, "BKO", (2014, 1, 6), Done((2014, 7, 31), 1)),
                        act("D3.03", "Stratégie et plan de communication de l’Assemblée", 1, "document", 12_000_000, PNUD_UNIT, "BKO", (2014, 3, 12), Postponed((2014, 10, 31))),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "OS4",
            title: "Renforcement de la cohésion sociale et promotion du dialogue national",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS4.i",
                    title: "(i) Capacités nationales à mener des processus inclusifs de dialogue et de cohésion sociale",
                    children: &[],
                    activities: &[act("D4.01", "Formation de médiateurs communautaires", 150, "médiateurs", 25_000_000, PNUD_UNIT, "TOM", (2013, 7, 12), Done((2014, 4, 30), 165))],
                },
                NodeSpec {
                    code: "OS4.ii",
                    title: "(ii) Un processus de concertation produisant un modèle de dialogue national légitime",
                    children: &[],
                    activities: &[
                        act("D4.02", "Concertations régionales sur le dialogue national", 8, "concertations", 55_000_000, PNUD_UNIT, "NAT", (2013, 10, 12), Done((2014, 9, 30), 8)),
                        act("D4.03", "Appui technique à la coordination des initiatives nationales", 1, "dispositif", 20_000_000, PNUD_UNIT, "BKO", (2013, 4, 12), Abandoned((2014, 2, 28))),
                    ],
                },
            ],
        },
    ],
    indicators: &[],
    funding: &[("PNUD (ressources propres)", "partner", 450_000_000, 420_000_000), ("Partenaires (fonds fiduciaire)", "partner", 300_000_000, 210_000_000)],
};
