//! The demo data as tables: the demo accounts, the agencies, ANASER's two PAPs
//! and board sessions, the CRSS plan and the UNDP programme. Data only; the
//! types are in the parent module and the loader reads them.

use super::{
    ActivitySpec, AgencySpec, Course, FundingSpec, IndicatorSpec, NodeSpec, PlanSpec,
    ResolutionSpec, SessionSpec, Unit,
};
use crate::domain::{Direction, FundingSourceKind, PlanKind, PlanStatus, ResolutionStatus, Role};

/// The demo accounts (listed in the README as demo-only): login, display name,
/// admin, and a role in one agency.
pub(super) type DemoAccount = (
    &'static str,
    &'static str,
    bool,
    Option<(&'static str, Role)>,
);
pub(super) const DEMO_ACCOUNTS: &[DemoAccount] = &[
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
        "anaser.se",
        "Cellule de suivi-évaluation ANASER (démo)",
        false,
        Some(("ANASER", Role::Validator)),
    ),
    (
        "crss.lecteur",
        "Lecteur CRSS (démo)",
        false,
        Some(("CRSS", Role::Viewer)),
    ),
];

use Course::{Abandoned, Done, InProgress, NotStarted, Postponed, Waiting};
use ResolutionStatus as Rs;

/// Shorthand for the tables: an activity of year `y` planned from the first of
/// month `start` to the last day of month `end`.
#[allow(clippy::too_many_arguments)]
const fn act(
    code: &'static str,
    title: &'static str,
    target: i64,
    unit: &'static str,
    budget: i64,
    responsible: &'static Unit,
    region: &'static str,
    (y, start, end): (i32, u32, u32),
    course: Course,
) -> ActivitySpec {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let last_day = match end {
        2 if leap => 29,
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

/// Quarterly values of a year: T1..T4 ending on the quarter's last day.
macro_rules! quarters {
    ($year:literal: $($q:literal => $value:expr),+ $(,)?) => {
        &[$((
            concat!("T", $q, " ", $year),
            ($year, $q * 3, if $q == 1 || $q == 4 { 31 } else { 30 }),
            $value,
        )),+]
    };
}

/// Every agency of the demo, parents first.
pub(super) static AGENCIES: &[AgencySpec] = &[
    AgencySpec {
        code: "MTI",
        name: "Ministère des Transports et des Infrastructures",
        parent: None,
        plans: &[],
        sessions: &[],
    },
    AgencySpec {
        code: "ANASER",
        name: "Agence Nationale de la Sécurité Routière",
        parent: Some("MTI"),
        plans: &[&PAP_2025, &PAP_2026],
        sessions: ANASER_SESSIONS,
    },
    AgencySpec {
        code: "CRSS",
        name: "Commissariat à la Réforme du Secteur de la Sécurité",
        parent: None,
        plans: &[&SNRSS],
        sessions: &[],
    },
    AgencySpec {
        code: "PNUD",
        name: "Programme des Nations unies pour le développement (PNUD) – Mali",
        parent: None,
        plans: &[&PGDT],
        sessions: &[],
    },
];

// ANASER ---------------------------------------------------------------------

const DPSR: Unit = Unit {
    name: "Direction de la Prévention et de la Sécurité Routière",
    short: "DPSR",
};
const DCR: Unit = Unit {
    name: "Direction du Contrôle et de la Réglementation",
    short: "DCR",
};
const DEP: Unit = Unit {
    name: "Direction des Études et de la Planification",
    short: "DEP",
};
const DAF: Unit = Unit {
    name: "Direction Administrative et Financière",
    short: "DAF",
};
const CCOM: Unit = Unit {
    name: "Cellule de Communication",
    short: "CCOM",
};
const CSID: Unit = Unit {
    name: "Cellule du Système d’Information et de la Digitalisation",
    short: "CSID",
};

const LEVELS_PAP: &[&str] = &[
    "Objectif stratégique",
    "Objectif opérationnel",
    "Action prioritaire",
];
const Y25: i32 = 2025;
const Y26: i32 = 2026;

const MINISTER: &str = "Madina SISSOKO DEMBELE, Ministre des Transports et des Infrastructures";

/// The 29th session (invented) and the 30th (date, cutoff, chair, plans from
/// the article; resolutions invented).
static ANASER_SESSIONS: &[SessionSpec] = &[
    SessionSpec {
        number: 29,
        held_on: (2025, 6, 27),
        cutoff: (2025, 5, 31),
        place: "Bamako",
        chair: MINISTER,
        reviewed: "PAP-2025",
        adopted: None,
        resolutions: &[
            ResolutionSpec {
                text: "Accélérer l’opérationnalisation du Comité interministériel de sécurité routière (CISR).",
                responsible: "Direction générale",
                due: (2025, 9, 30),
                status: Rs::Done,
            },
            ResolutionSpec {
                text: "Présenter au prochain conseil la situation de la mobilisation des ressources propres.",
                responsible: "DAF",
                due: (2025, 12, 31),
                status: Rs::Done,
            },
            ResolutionSpec {
                text: "Finaliser le recrutement des contrôleurs routiers prévu au plan de développement des ressources humaines.",
                responsible: "DAF",
                due: (2025, 12, 31),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Actualiser le manuel de procédures administratives, financières et comptables de l’Agence.",
                responsible: "DAF",
                due: (2025, 10, 31),
                status: Rs::Pending,
            },
        ],
    },
    SessionSpec {
        number: 30,
        held_on: (2025, 12, 26),
        cutoff: (2025, 11, 30),
        place: "Bamako",
        chair: MINISTER,
        reviewed: "PAP-2025",
        adopted: Some("PAP-2026"),
        resolutions: &[
            ResolutionSpec {
                text: "Engager l’élaboration du plan d’actions quinquennal 2026-2030 de la Stratégie nationale de sécurité routière (SNSR).",
                responsible: "DEP",
                due: (2026, 6, 30),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Poursuivre la digitalisation des services de l’Agence.",
                responsible: "Direction générale",
                due: (2026, 12, 31),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Relever le taux de mobilisation des financements des partenaires techniques et financiers.",
                responsible: "DAF",
                due: (2026, 9, 30),
                status: Rs::Pending,
            },
            ResolutionSpec {
                text: "Transmettre aux administrateurs le rapport d’exécution du PAP 2025 avant fin janvier 2026.",
                responsible: "DEP",
                due: (2026, 1, 31),
                status: Rs::Done,
            },
        ],
    },
];

/// The PAP 2025: 49 activities in five priority actions. As of 30 November 2025:
/// 32 done (10 above target, 2 below), 10 in progress, 3 not started,
/// 3 postponed, 1 abandoned; as of 31 May 2025 (29th session), 16 done; three
/// more are done in December 2025, after the 30th session's cutoff.
static PAP_2025: PlanSpec = PlanSpec {
    code: "PAP-2025",
    title: "Projet Annuel de Performance 2025",
    kind: PlanKind::Annual,
    years: (2025, 2025),
    status: PlanStatus::Closed,
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
                            act("A1.01", "Tenue de la session inaugurale du Comité interministériel de sécurité routière (CISR)", 1, "session", 8_500_000, &DEP, "BKO", (Y25, 1, 3), Done((Y25, 2, 28), 1)),
                            act("A1.02", "Élaboration des textes d’application du Code de la route", 6, "textes", 15_000_000, &DCR, "NAT", (Y25, 1, 6), Done((Y25, 5, 30), 7)),
                            act("A1.03", "Ateliers de vulgarisation du Code de la route dans les capitales régionales", 8, "ateliers", 32_000_000, &CCOM, "NAT", (Y25, 3, 10), Done((Y25, 9, 30), 10)),
                            act("A1.04", "Traduction du Code de la route en langues nationales", 4, "langues", 12_000_000, &CCOM, "NAT", (Y25, 4, 12), InProgress((Y25, 11, 14), 2)),
                            act("A1.05", "Formation des agents de contrôle routier aux nouvelles dispositions", 300, "agents", 24_500_000, &DCR, "BKO", (Y25, 2, 4), Done((Y25, 4, 30), 286)),
                            act("A1.06", "Réunions trimestrielles du secrétariat technique du CISR", 4, "réunions", 6_000_000, &DEP, "BKO", (Y25, 1, 11), Done((Y25, 11, 28), 4)),
                            act("A1.07", "Mise à jour du plan de développement des ressources humaines", 1, "document", 5_000_000, &DAF, "BKO", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A1.08", "Recrutement de contrôleurs routiers", 40, "agents", 45_000_000, &DAF, "NAT", (Y25, 2, 6), InProgress((Y25, 10, 31), 25)),
                            act("A1.09", "Élaboration du plan de mobilisation des fonds 2025", 1, "document", 3_500_000, &DAF, "BKO", (Y25, 1, 2), Done((Y25, 2, 14), 1)),
                            act("A1.10", "Étude sur le financement durable de la sécurité routière", 1, "étude", 18_000_000, &DEP, "NAT", (Y25, 3, 10), Postponed((Y25, 7, 31), "Reportée faute de financement mobilisé.")),
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
                            act("A2.01", "Audit de sécurité routière du corridor Bamako–Ségou", 1, "audit", 22_000_000, &DCR, "SEG", (Y25, 3, 6), Done((Y25, 6, 30), 1)),
                            act("A2.02", "Inspections de sécurité des routes nationales RN1 et RN3", 600, "km", 28_000_000, &DCR, "KAY", (Y25, 4, 10), Done((Y25, 10, 31), 720)),
                            act("A2.03", "Contrôles inopinés des centres de contrôle technique", 12, "centres", 7_500_000, &DCR, "BKO", (Y25, 2, 5), Done((Y25, 5, 15), 15)),
                            act("A2.04", "Contrôles de surcharge des poids lourds sur les axes frontaliers", 24, "opérations", 19_000_000, &DCR, "SIK", (Y25, 1, 11), Done((Y25, 11, 20), 22)),
                            act("A2.05", "Traitement des points noirs identifiés à Bamako", 10, "points noirs", 85_000_000, &DEP, "BKO", (Y25, 3, 12), InProgress((Y25, 10, 15), 6)),
                            act("A2.06", "Signalisation aux abords des écoles", 150, "panneaux", 36_000_000, &DPSR, "KOU", (Y25, 4, 8), Done((Y25, 8, 29), 150)),
                            act("A2.07", "Acquisition de matériel de contrôle (éthylotests, cinémomètres)", 1, "lot", 42_000_000, &DAF, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 1)),
                            act("A2.08", "Contrôle de l’état des véhicules de transport en commun", 2000, "véhicules", 16_000_000, &DCR, "BKO", (Y25, 2, 10), Done((Y25, 9, 30), 2350)),
                            act("A2.09", "Étude de faisabilité d’un centre de contrôle technique à Gao", 1, "étude", 14_000_000, &DEP, "GAO", (Y25, 3, 6), Waiting((Y25, 9, 30), "Financement non encore mobilisé auprès des partenaires.")),
                            act("A2.10", "Recensement des passages à niveau non gardés", 1, "rapport", 6_500_000, &DEP, "KOU", (Y25, 4, 7), Done((Y25, 7, 31), 1)),
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
                                act("A3.01", "Séances de sensibilisation dans les gares routières", 20, "séances", 9_000_000, &CCOM, "BKO", (Y25, 2, 6), Done((Y25, 6, 30), 26)),
                                act("A3.02", "Campagne radio et télévision sur le port du casque", 1, "campagne", 27_000_000, &CCOM, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                                act("A3.03", "Sensibilisation des conducteurs de motos-taxis à Mopti", 12, "séances", 7_000_000, &DPSR, "MOP", (Y25, 2, 5), Done((Y25, 5, 30), 12)),
                                act("A3.04", "Éducation routière dans les écoles fondamentales", 100, "écoles", 21_000_000, &DPSR, "SEG", (Y25, 1, 11), Done((Y25, 11, 14), 118)),
                                act("A3.05", "Semaine nationale de la sécurité routière", 1, "édition", 35_000_000, &CCOM, "NAT", (Y25, 8, 10), Done((Y25, 10, 17), 1)),
                                act("A3.06", "Caravane de sensibilisation sur l’axe Kayes–Diboli", 1, "caravane", 18_500_000, &CCOM, "KAY", (Y25, 9, 12), Done((Y25, 12, 12), 1)),
                                act("A3.07", "Spots de sensibilisation en langues nationales", 8, "spots", 11_000_000, &CCOM, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 8)),
                                act("A3.08", "Sensibilisation des conducteurs de poids lourds à Sikasso", 10, "séances", 6_000_000, &DPSR, "SIK", (Y25, 3, 10), InProgress((Y25, 10, 31), 6)),
                                act("A3.09", "Production de supports pédagogiques pour les écoles", 5000, "supports", 12_500_000, &DPSR, "NAT", (Y25, 1, 2), Done((Y25, 2, 28), 5000)),
                                act("A3.10", "Journées portes ouvertes de l’ANASER", 1, "édition", 9_500_000, &CCOM, "BKO", (Y25, 5, 6), Abandoned((Y25, 6, 30), "Abandonnée : reprise dans le programme de l’année suivante.")),
                            ],
                        },
                        NodeSpec {
                            code: "AP4",
                            title: "Formation et contrôle des conducteurs",
                            children: &[],
                            activities: &[
                                act("A4.01", "Formation des conducteurs de transport public de voyageurs", 500, "conducteurs", 30_000_000, &DPSR, "BKO", (Y25, 1, 5), Done((Y25, 5, 30), 640)),
                                act("A4.02", "Contrôle des auto-écoles", 60, "auto-écoles", 8_000_000, &DCR, "BKO", (Y25, 3, 9), Done((Y25, 9, 30), 60)),
                                act("A4.03", "Révision du programme de formation des auto-écoles", 1, "programme", 13_000_000, &DPSR, "NAT", (Y25, 6, 12), Done((Y25, 12, 18), 1)),
                                act("A4.04", "Formation des formateurs d’auto-écoles", 80, "formateurs", 10_500_000, &DPSR, "KOU", (Y25, 1, 3), Done((Y25, 3, 31), 80)),
                                act("A4.05", "Opérations de contrôle d’alcoolémie et de vitesse", 48, "opérations", 14_000_000, &DCR, "BKO", (Y25, 1, 11), Done((Y25, 11, 21), 55)),
                                act("A4.06", "Contrôle du permis de conduire des conducteurs de motos-taxis", 3000, "contrôles", 9_000_000, &DCR, "SEG", (Y25, 2, 12), InProgress((Y25, 10, 31), 1800)),
                                act("A4.07", "Formation des conducteurs de poids lourds à la conduite sûre", 200, "conducteurs", 20_000_000, &DPSR, "SIK", (Y25, 5, 10), Postponed((Y25, 8, 29), "Reportée à 2026 à la demande des organisations de transporteurs.")),
                                act("A4.08", "Sessions de recyclage des moniteurs d’auto-écoles", 4, "sessions", 5_500_000, &DPSR, "BKO", (Y25, 1, 4), Done((Y25, 4, 25), 4)),
                                act("A4.09", "Campagne de contrôle des équipements des motos", 20, "opérations", 7_000_000, &DCR, "MOP", (Y25, 3, 9), InProgress((Y25, 9, 30), 9)),
                                act("A4.10", "Formation des agents de la police routière de Tombouctou", 60, "agents", 11_000_000, &DCR, "TOM", (Y25, 4, 10), NotStarted),
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
                            act("A5.01", "Mise en place de la base de données nationale des accidents", 1, "base", 40_000_000, &DEP, "NAT", (Y25, 2, 12), InProgress((Y25, 11, 14), 0)),
                            act("A5.02", "Formation de secouristes bénévoles le long des axes routiers", 150, "secouristes", 15_000_000, &DPSR, "KOU", (Y25, 2, 6), Done((Y25, 6, 27), 180)),
                            act("A5.03", "Dotation des postes de secours en kits de premiers soins", 30, "kits", 12_000_000, &DAF, "SEG", (Y25, 2, 5), Done((Y25, 5, 16), 30)),
                            act("A5.04", "Rapport annuel 2024 sur les accidents de la circulation", 1, "rapport", 4_500_000, &DEP, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A5.05", "Collecte des données d’accidents dans les régions", 10, "régions", 9_000_000, &DEP, "NAT", (Y25, 1, 10), Done((Y25, 10, 31), 10)),
                            act("A5.06", "Étude sur le coût socio-économique des accidents", 1, "étude", 25_000_000, &DEP, "NAT", (Y25, 4, 11), Postponed((Y25, 9, 30), "Reportée : termes de référence à revoir avec le partenaire financier.")),
                            act("A5.07", "Exercice de simulation de secours sur accident de masse", 1, "exercice", 8_000_000, &DPSR, "BKO", (Y25, 9, 12), Done((Y25, 12, 5), 1)),
                            act("A5.08", "Formation des agents de saisie des constats d’accidents", 40, "agents", 6_000_000, &DEP, "MOP", (Y25, 3, 7), Done((Y25, 7, 25), 40)),
                            act("A5.09", "Bornes d’appel d’urgence sur la RN6", 10, "bornes", 30_000_000, &DAF, "SEG", (Y25, 5, 10), Waiting((Y25, 10, 31), "Dossier d’appel d’offres en cours de préparation.")),
                        ],
                    }],
                },
            ],
        },
    ],
    indicators: &[
        IndicatorSpec {
            node: "OS2",
            code: "IND1",
            title: "Nombre de personnes tuées sur les routes (12 mois glissants)",
            unit: "personnes",
            baseline: (780, 2024),
            target: (700, 2025),
            direction: Direction::Decrease,
            values: quarters!(2025: 1 => 770, 2 => 752, 3 => 731, 4 => 716),
        },
        IndicatorSpec {
            node: "OS2",
            code: "IND2",
            title: "Nombre de blessés graves (12 mois glissants)",
            unit: "personnes",
            baseline: (5400, 2024),
            target: (5000, 2025),
            direction: Direction::Decrease,
            values: quarters!(2025: 1 => 5350, 2 => 5270, 3 => 5160, 4 => 5090),
        },
        IndicatorSpec {
            node: "OO2.1",
            code: "IND3",
            title: "Nombre d’usagers sensibilisés (cumul annuel)",
            unit: "personnes",
            baseline: (0, 2024),
            target: (250_000, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 40_000, 2 => 105_000, 3 => 180_000, 4 => 262_000),
        },
        IndicatorSpec {
            node: "OO2.1",
            code: "IND4",
            title: "Taux de port du casque chez les usagers de deux-roues (%)",
            unit: "%",
            baseline: (22, 2024),
            target: (35, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 23, 2 => 26, 3 => 29, 4 => 31),
        },
        IndicatorSpec {
            node: "OO1.2",
            code: "IND5",
            title: "Part des véhicules contrôlés trouvés conformes (%)",
            unit: "%",
            baseline: (61, 2024),
            target: (75, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 63, 2 => 66, 3 => 70, 4 => 73),
        },
    ],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 1_450_000_000,
            mobilised: 1_310_000_000,
            activities: &["A1.01", "A1.02", "A1.05", "A1.08", "A2.05"],
        },
        FundingSpec {
            source: "Ressources propres (redevances et contrôles)",
            kind: FundingSourceKind::Own,
            planned: 620_000_000,
            mobilised: 540_000_000,
            activities: &["A2.03", "A2.07", "A2.08"],
        },
        FundingSpec {
            source: "Partenaires techniques et financiers",
            kind: FundingSourceKind::Partner,
            planned: 280_000_000,
            mobilised: 150_000_000,
            activities: &["A1.10", "A2.09"],
        },
    ],
};

/// The PAP 2026, adopted at the 30th session: 50 activities in five priority
/// actions (the goals and the context of the article), recorded up to October
/// 2026, a year still under way: 22 done, 19 in progress, 7 not started,
/// 2 postponed.
static PAP_2026: PlanSpec = PlanSpec {
    code: "PAP-2026",
    title: "Projet Annuel de Performance 2026",
    kind: PlanKind::Annual,
    years: (2026, 2026),
    status: PlanStatus::InProgress,
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
                            activities: &[
                                act("B1.01", "Plateforme en ligne de déclaration des accidents", 1, "plateforme", 45_000_000, &CSID, "NAT", (Y26, 2, 9), InProgress((Y26, 10, 16), 0)),
                                act("B1.02", "Numérisation des dossiers de contrôle technique", 20_000, "dossiers", 18_000_000, &CSID, "BKO", (Y26, 1, 10), Done((Y26, 9, 25), 22_450)),
                                act("B1.03", "Paiement mobile des redevances de contrôle technique", 1, "service", 25_000_000, &DAF, "NAT", (Y26, 3, 8), Done((Y26, 8, 28), 1)),
                                act("B1.04", "Formation des agents aux outils numériques", 120, "agents", 9_000_000, &CSID, "BKO", (Y26, 2, 6), Done((Y26, 6, 19), 120)),
                                act("B1.05", "Tableau de bord national de la sécurité routière", 1, "tableau de bord", 15_000_000, &DEP, "NAT", (Y26, 4, 10), InProgress((Y26, 10, 30), 0)),
                                act("B1.06", "Géolocalisation des accidents sur les routes nationales", 5, "axes", 20_000_000, &CSID, "KOU", (Y26, 3, 11), InProgress((Y26, 10, 9), 3)),
                                act("B1.07", "Équipement des postes de contrôle en tablettes", 60, "tablettes", 21_000_000, &DAF, "NAT", (Y26, 2, 5), Done((Y26, 5, 29), 60)),
                                act("B1.08", "Interconnexion avec le fichier national des permis de conduire", 1, "interconnexion", 30_000_000, &CSID, "BKO", (Y26, 5, 12), Waiting((Y26, 9, 30), "En attente de la convention d’échange de données avec la direction chargée des transports terrestres.")),
                                act("B1.09", "Sécurisation et sauvegarde des données de l’Agence", 1, "dispositif", 12_000_000, &CSID, "BKO", (Y26, 4, 9), InProgress((Y26, 9, 30), 0)),
                                act("B1.10", "Refonte du site web et des services en ligne de l’ANASER", 1, "site", 8_000_000, &CCOM, "NAT", (Y26, 6, 10), Postponed((Y26, 7, 31), "Reportée à 2027 : priorité donnée à la plateforme de déclaration des accidents.")),
                            ],
                        },
                        NodeSpec {
                            code: "AP2",
                            title: "Élaboration du plan d’actions quinquennal 2026-2030 de la SNSR",
                            children: &[],
                            activities: &[
                                act("B2.01", "Bilan de la mise en œuvre du précédent plan d’actions de la SNSR", 1, "rapport", 12_000_000, &DEP, "NAT", (Y26, 1, 3), Done((Y26, 3, 27), 1)),
                                act("B2.02", "Ateliers régionaux de consultation sur le plan d’actions 2026-2030", 8, "ateliers", 40_000_000, &DEP, "NAT", (Y26, 3, 6), Done((Y26, 7, 10), 8)),
                                act("B2.03", "Consultation des transporteurs et des syndicats de conducteurs", 4, "rencontres", 6_000_000, &DEP, "BKO", (Y26, 3, 5), Done((Y26, 5, 22), 5)),
                                act("B2.04", "Rédaction du plan d’actions quinquennal 2026-2030", 1, "document", 18_000_000, &DEP, "NAT", (Y26, 6, 9), InProgress((Y26, 10, 23), 0)),
                                act("B2.05", "Validation technique du plan d’actions par le CISR", 1, "session", 5_000_000, &DEP, "BKO", (Y26, 10, 10), NotStarted),
                                act("B2.06", "Chiffrage et plan de financement du plan d’actions", 1, "document", 10_000_000, &DAF, "NAT", (Y26, 7, 10), InProgress((Y26, 10, 23), 0)),
                                act("B2.07", "Cadre de suivi-évaluation du plan d’actions", 1, "cadre", 7_000_000, &DEP, "NAT", (Y26, 7, 10), InProgress((Y26, 9, 30), 0)),
                                act("B2.08", "Table ronde des partenaires techniques et financiers", 1, "table ronde", 20_000_000, &DAF, "BKO", (Y26, 11, 12), NotStarted),
                                act("B2.09", "Adoption du plan d’actions en Conseil des ministres", 1, "décret", 2_000_000, &DEP, "BKO", (Y26, 12, 12), NotStarted),
                                act("B2.10", "Diffusion du plan d’actions auprès des acteurs régionaux", 10, "régions", 15_000_000, &CCOM, "NAT", (Y26, 12, 12), NotStarted),
                            ],
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
                        activities: &[
                            act("B3.01", "Opérations de contrôle de vitesse", 60, "opérations", 14_000_000, &DCR, "BKO", (Y26, 1, 12), InProgress((Y26, 10, 30), 52)),
                            act("B3.02", "Contrôles d’alcoolémie de nuit", 30, "opérations", 9_000_000, &DCR, "BKO", (Y26, 1, 12), Done((Y26, 10, 16), 34)),
                            act("B3.03", "Contrôle du port du casque", 40, "opérations", 8_000_000, &DCR, "SEG", (Y26, 1, 12), InProgress((Y26, 10, 30), 31)),
                            act("B3.04", "Contrôle de surcharge des poids lourds", 24, "opérations", 16_000_000, &DCR, "SIK", (Y26, 1, 12), InProgress((Y26, 10, 30), 20)),
                            act("B3.05", "Contrôle des véhicules de transport scolaire", 300, "véhicules", 7_000_000, &DCR, "KOU", (Y26, 1, 4), Done((Y26, 4, 24), 312)),
                            act("B3.06", "Contrôle des auto-écoles", 70, "auto-écoles", 8_000_000, &DCR, "NAT", (Y26, 2, 9), Done((Y26, 9, 18), 70)),
                            act("B3.07", "Installation de radars pédagogiques", 10, "radars", 35_000_000, &DAF, "BKO", (Y26, 3, 8), InProgress((Y26, 9, 11), 4)),
                            act("B3.08", "Contrôle des centres de contrôle technique", 15, "centres", 6_000_000, &DCR, "NAT", (Y26, 2, 6), Done((Y26, 6, 26), 15)),
                            act("B3.09", "Contrôles conjoints avec la police routière à Kayes", 12, "opérations", 10_000_000, &DCR, "KAY", (Y26, 1, 12), InProgress((Y26, 10, 30), 9)),
                            act("B3.10", "Contrôles conjoints avec la gendarmerie à Mopti", 12, "opérations", 10_000_000, &DCR, "MOP", (Y26, 1, 6), Done((Y26, 7, 3), 12)),
                        ],
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
                        activities: &[
                            act("B4.01", "Campagne nationale sur le port du casque", 1, "campagne", 30_000_000, &CCOM, "NAT", (Y26, 2, 4), Done((Y26, 4, 30), 1)),
                            act("B4.02", "Sensibilisation dans les gares routières", 24, "séances", 10_000_000, &DPSR, "BKO", (Y26, 1, 12), Done((Y26, 10, 2), 28)),
                            act("B4.03", "Éducation routière dans les écoles fondamentales", 120, "écoles", 22_000_000, &DPSR, "SEG", (Y26, 1, 6), Done((Y26, 6, 12), 131)),
                            act("B4.04", "Semaine nationale de la sécurité routière", 1, "édition", 38_000_000, &CCOM, "NAT", (Y26, 9, 10), Done((Y26, 10, 23), 1)),
                            act("B4.05", "Spots radio en langues nationales", 10, "spots", 12_000_000, &CCOM, "NAT", (Y26, 1, 3), Done((Y26, 3, 20), 10)),
                            act("B4.06", "Sensibilisation des conducteurs de motos-taxis à Mopti", 15, "séances", 7_000_000, &DPSR, "MOP", (Y26, 2, 7), Done((Y26, 7, 24), 15)),
                            act("B4.07", "Caravane de sensibilisation sur l’axe Ségou–Mopti", 1, "caravane", 19_000_000, &CCOM, "SEG", (Y26, 10, 12), InProgress((Y26, 10, 30), 0)),
                            act("B4.08", "Sensibilisation des transporteurs à Gao", 8, "séances", 6_000_000, &DPSR, "GAO", (Y26, 3, 9), Postponed((Y26, 6, 30), "Reportée : mission de l’équipe différée pour raisons de sécurité.")),
                            act("B4.09", "Sensibilisation des usagers de la route à Tombouctou", 6, "séances", 6_000_000, &DPSR, "TOM", (Y26, 3, 11), InProgress((Y26, 10, 9), 3)),
                            act("B4.10", "Concours scolaire de la sécurité routière", 1, "concours", 9_000_000, &DPSR, "BKO", (Y26, 9, 12), InProgress((Y26, 10, 30), 0)),
                        ],
                    },
                    NodeSpec {
                        code: "AP5",
                        title: "Prise en charge des victimes et connaissance des accidents",
                        children: &[],
                        activities: &[
                            act("B5.01", "Formation de secouristes bénévoles le long des axes routiers", 200, "secouristes", 18_000_000, &DPSR, "KOU", (Y26, 2, 9), Done((Y26, 9, 25), 200)),
                            act("B5.02", "Kits de premiers secours pour les postes de secours", 40, "kits", 14_000_000, &DAF, "NAT", (Y26, 3, 6), Done((Y26, 6, 30), 40)),
                            act("B5.03", "Rapport annuel 2025 sur les accidents de la circulation", 1, "rapport", 5_000_000, &DEP, "NAT", (Y26, 1, 3), Done((Y26, 4, 17), 1)),
                            act("B5.04", "Exercices de simulation de secours sur accident de masse", 2, "exercices", 9_000_000, &DPSR, "BKO", (Y26, 5, 11), InProgress((Y26, 9, 18), 1)),
                            act("B5.05", "Collecte des données d’accidents dans les régions", 10, "régions", 9_000_000, &DEP, "NAT", (Y26, 1, 12), InProgress((Y26, 10, 30), 7)),
                            act("B5.06", "Étude sur les accidents impliquant des deux-roues", 1, "étude", 22_000_000, &DEP, "BKO", (Y26, 3, 10), InProgress((Y26, 10, 23), 0)),
                            act("B5.07", "Numéro vert d’urgence routière", 1, "service", 16_000_000, &CSID, "NAT", (Y26, 6, 12), Waiting((Y26, 9, 30), "En attente de l’attribution du numéro court par le régulateur des télécommunications.")),
                            act("B5.08", "Bornes d’appel d’urgence sur la RN6", 10, "bornes", 30_000_000, &DAF, "SEG", (Y26, 4, 12), NotStarted),
                            act("B5.09", "Convention d’appui aux services d’urgence de Sikasso", 1, "convention", 6_000_000, &DPSR, "SIK", (Y26, 2, 5), Done((Y26, 5, 15), 1)),
                            act("B5.10", "Registre des victimes de la route", 1, "registre", 11_000_000, &DEP, "NAT", (Y26, 4, 11), InProgress((Y26, 10, 16), 0)),
                        ],
                    },
                ],
            }],
        },
    ],
    indicators: &[
        IndicatorSpec {
            node: "OS2",
            code: "IND1",
            title: "Nombre de personnes tuées sur les routes (12 mois glissants)",
            unit: "personnes",
            baseline: (716, 2025),
            target: (650, 2026),
            direction: Direction::Decrease,
            values: quarters!(2026: 1 => 709, 2 => 694, 3 => 681),
        },
        IndicatorSpec {
            node: "OS1",
            code: "IND6",
            title: "Part des services de l’Agence accessibles en ligne (%)",
            unit: "%",
            baseline: (10, 2025),
            target: (50, 2026),
            direction: Direction::Increase,
            values: quarters!(2026: 1 => 15, 2 => 25, 3 => 35),
        },
    ],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 1_600_000_000,
            mobilised: 1_380_000_000,
            activities: &[],
        },
        FundingSpec {
            source: "Ressources propres (redevances et contrôles)",
            kind: FundingSourceKind::Own,
            planned: 650_000_000,
            mobilised: 590_000_000,
            activities: &[],
        },
        FundingSpec {
            source: "Partenaires techniques et financiers",
            kind: FundingSourceKind::Partner,
            planned: 300_000_000,
            mobilised: 120_000_000,
            activities: &[],
        },
    ],
};

// CRSS -----------------------------------------------------------------------

const CRSS_COORD: Unit = Unit {
    name: "Cellule de coordination du CRSS",
    short: "CRSS",
};
const CRSS_COM: Unit = Unit {
    name: "Cellule de communication du CRSS",
    short: "COM-CRSS",
};

/// The action plan 2022-2024 of the national security-sector-reform strategy
/// (decree n°2022-0208/PT-RM of 4 April 2022). The national workshop at the
/// CICB on 30 June 2022 (with UNDP) and the regional workshop in Kayes are in
/// the articles; the other activities and all figures are illustrative.
static SNRSS: PlanSpec = PlanSpec {
    code: "SNRSS-PA-2022-2024",
    title: "Plan d’actions 2022-2024 de la Stratégie nationale de réforme du secteur de la sécurité",
    kind: PlanKind::Multiyear,
    years: (2022, 2024),
    status: PlanStatus::Closed,
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
                        act("C1.01", "Atelier national d’appropriation de la SNRSS et de son plan d’actions 2022-2024 (CICB, Bamako)", 1, "atelier", 25_000_000, &CRSS_COORD, "BKO", (2022, 5, 6), Done((2022, 6, 30), 1)),
                        act("C1.02", "Atelier régional d’appropriation de la SNRSS à Kayes", 1, "atelier", 12_000_000, &CRSS_COORD, "KAY", (2023, 1, 6), Done((2023, 5, 26), 1)),
                        act("C1.03", "Atelier régional d’appropriation de la SNRSS à Ségou", 1, "atelier", 12_000_000, &CRSS_COORD, "SEG", (2023, 3, 9), Done((2023, 9, 29), 1)),
                        act("C1.04", "Atelier régional d’appropriation de la SNRSS à Koulikoro", 1, "atelier", 10_000_000, &CRSS_COORD, "KOU", (2023, 6, 11), Done((2023, 11, 17), 1)),
                        act("C1.05", "Atelier régional d’appropriation de la SNRSS à Mopti", 1, "atelier", 13_000_000, &CRSS_COORD, "MOP", (2023, 6, 12), Done((2024, 2, 23), 1)),
                        act("C1.06", "Atelier régional d’appropriation de la SNRSS à Sikasso", 1, "atelier", 12_000_000, &CRSS_COORD, "SIK", (2024, 1, 5), Done((2024, 4, 26), 1)),
                        act("C1.07", "Atelier régional d’appropriation de la SNRSS à Tombouctou", 1, "atelier", 15_000_000, &CRSS_COORD, "TOM", (2024, 1, 6), Postponed((2024, 6, 28), "Reportée : conditions de sécurité des déplacements non réunies.")),
                        act("C1.08", "Diffusion du décret n°2022-0208/PT-RM du 4 avril 2022 portant stratégie de réforme du secteur de la sécurité", 5000, "exemplaires", 6_000_000, &CRSS_COM, "NAT", (2022, 4, 9), Done((2022, 9, 30), 5000)),
                    ],
                },
                NodeSpec {
                    code: "OB1.2",
                    title: "Installer les comités consultatifs de sécurité",
                    children: &[],
                    activities: &[
                        act("C1.09", "Installation des comités consultatifs régionaux de sécurité", 10, "comités", 30_000_000, &CRSS_COORD, "NAT", (2022, 6, 12), Done((2023, 12, 15), 10)),
                        act("C1.10", "Formation des membres des comités consultatifs de sécurité", 300, "membres", 22_000_000, &CRSS_COORD, "NAT", (2023, 1, 12), InProgress((2024, 10, 31), 210)),
                        act("C1.11", "Installation des comités consultatifs communaux de sécurité dans la région de Kayes", 20, "comités", 9_000_000, &CRSS_COORD, "KAY", (2023, 3, 12), Done((2024, 6, 28), 24)),
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
                        act("C2.01", "Forums civilo-militaires régionaux", 6, "forums", 18_000_000, &CRSS_COORD, "NAT", (2022, 9, 12), Done((2024, 11, 29), 6)),
                        act("C2.02", "Rencontres d’échanges sécurité–justice", 4, "rencontres", 8_000_000, &CRSS_COORD, "BKO", (2023, 1, 12), Done((2023, 12, 20), 4)),
                        act("C2.03", "Étude de perception de la population sur le processus de réforme", 1, "étude", 20_000_000, &CRSS_COORD, "NAT", (2023, 4, 12), InProgress((2024, 9, 30), 0)),
                    ],
                },
                NodeSpec {
                    code: "OB2.2",
                    title: "Intégrer le genre et la jeunesse (résolutions 1325 et 2250)",
                    children: &[],
                    activities: &[
                        act("C2.04", "Formation des organisations de femmes et de jeunes sur la SNRSS", 200, "participants", 10_000_000, &CRSS_COORD, "NAT", (2022, 10, 12), Done((2023, 6, 30), 230)),
                        act("C2.05", "Dialogue genre–sécurité avec les légitimités traditionnelles", 3, "dialogues", 7_500_000, &CRSS_COORD, "SIK", (2023, 5, 12), NotStarted),
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
                    act("C3.01", "Émissions radiophoniques sur la réforme du secteur de la sécurité", 24, "émissions", 9_000_000, &CRSS_COM, "NAT", (2022, 6, 12), Done((2024, 12, 13), 24)),
                    act("C3.02", "Table ronde de mobilisation des ressources", 1, "table ronde", 16_000_000, &CRSS_COORD, "BKO", (2022, 9, 12), Done((2023, 3, 31), 1)),
                    act("C3.03", "Rapport annuel de mise en œuvre du plan d’actions", 3, "rapports", 5_000_000, &CRSS_COORD, "NAT", (2022, 12, 12), InProgress((2024, 4, 30), 2)),
                ],
            }],
        },
    ],
    indicators: &[IndicatorSpec {
        node: "AX1",
        code: "IC1",
        title: "Nombre de régions dotées d’un comité consultatif de sécurité fonctionnel",
        unit: "régions",
        baseline: (2, 2021),
        target: (10, 2024),
        direction: Direction::Increase,
        values: &[
            ("2022", (2022, 12, 31), 4),
            ("2023", (2023, 12, 31), 10),
            ("2024", (2024, 12, 31), 10),
        ],
    }],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 180_000_000,
            mobilised: 150_000_000,
            activities: &[],
        },
        FundingSpec {
            source: "PNUD",
            kind: FundingSourceKind::Partner,
            planned: 120_000_000,
            mobilised: 110_000_000,
            activities: &[],
        },
    ],
};

// PNUD -----------------------------------------------------------------------

const UGP: Unit = Unit {
    name: "Unité de gestion du programme",
    short: "UGP",
};

/// UNDP Mali's democratic-governance programme during the transition: the four
/// sectoral objectives and their sub-objectives (i), (ii), (iii) as UNDP lists
/// them; where the source does not number an aim, its node has no number
/// either. Activities and figures are illustrative.
static PGDT: PlanSpec = PlanSpec {
    code: "PGDT",
    title: "Programme de gouvernance démocratique en période de transition",
    kind: PlanKind::Multiyear,
    years: (2013, 2014),
    status: PlanStatus::Closed,
    levels: &["Objectif sectoriel", "Sous-objectif"],
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Redéploiement de l’administration dans le Nord et amélioration des prestations de service public",
            activities: &[],
            children: &[NodeSpec {
                code: "OS1.1",
                title: "Reprise des fonctions essentielles du gouvernement par le redéploiement des services de l’administration dans les régions de Mopti, Tombouctou et Gao",
                children: &[],
                activities: &[
                    act("D1.01", "Réhabilitation et équipement de bâtiments administratifs", 12, "bâtiments", 240_000_000, &UGP, "TOM", (2013, 4, 12), Done((2014, 6, 30), 12)),
                    act("D1.02", "Retour et installation des agents de l’État", 500, "agents", 90_000_000, &UGP, "GAO", (2013, 3, 12), Done((2014, 3, 31), 560)),
                    act("D1.03", "Appui à la reprise des services de l’état civil", 30, "centres", 45_000_000, &UGP, "MOP", (2013, 5, 12), InProgress((2014, 10, 31), 22)),
                    act("D1.04", "Cadre de concertation interministériel sur le redéploiement", 8, "réunions", 6_000_000, &UGP, "BKO", (2013, 3, 12), Done((2013, 12, 20), 8)),
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
                    activities: &[act("D2.01", "Formation des élus et agents des collectivités", 400, "participants", 60_000_000, &UGP, "SEG", (2013, 6, 12), Done((2014, 5, 30), 400))],
                },
                NodeSpec {
                    code: "OS2.ii",
                    title: "(ii) Implication des collectivités dans la cohésion sociale et le dialogue national",
                    children: &[],
                    activities: &[act("D2.02", "Espaces communaux de dialogue", 40, "communes", 35_000_000, &UGP, "MOP", (2013, 9, 12), InProgress((2014, 9, 30), 25))],
                },
                NodeSpec {
                    code: "OS2.iii",
                    title: "(iii) Actions de sécurité communautaire",
                    children: &[],
                    activities: &[act("D2.03", "Plans communaux de sécurité communautaire", 20, "plans", 28_000_000, &UGP, "GAO", (2014, 1, 12), NotStarted)],
                },
                NodeSpec {
                    code: "OS2.R",
                    title: "Besoins de réforme de la décentralisation et plans stratégiques pour la période post-transition",
                    children: &[],
                    activities: &[act("D2.04", "Étude diagnostique des besoins de réforme en matière de décentralisation", 1, "étude", 30_000_000, &UGP, "BKO", (2013, 9, 12), Done((2014, 9, 26), 1))],
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
                    activities: &[act("D3.01", "Séminaires de formation des députés et du personnel parlementaire", 6, "séminaires", 40_000_000, &UGP, "BKO", (2014, 1, 12), Done((2014, 11, 28), 6))],
                },
                NodeSpec {
                    code: "OS3.ii",
                    title: "(ii) Dotation en documents et outils stratégiques",
                    children: &[],
                    activities: &[
                        act("D3.02", "Manuel de procédures comptables et financières de l’Assemblée nationale", 1, "manuel", 15_000_000, &UGP, "BKO", (2014, 1, 6), Done((2014, 7, 31), 1)),
                        act("D3.03", "Stratégie et plan de communication de l’Assemblée nationale", 1, "document", 12_000_000, &UGP, "BKO", (2014, 3, 12), Postponed((2014, 10, 31), "Reportée à la demande du bureau de l’Assemblée nationale.")),
                        act("D3.04", "Projet de statut autonome du personnel parlementaire", 1, "projet de texte", 8_000_000, &UGP, "BKO", (2014, 2, 10), InProgress((2014, 10, 31), 0)),
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
                    activities: &[act("D4.01", "Formation de médiateurs communautaires", 150, "médiateurs", 25_000_000, &UGP, "TOM", (2013, 7, 12), Done((2014, 4, 30), 165))],
                },
                NodeSpec {
                    code: "OS4.ii",
                    title: "(ii) Un processus de concertation produisant un modèle de dialogue national légitime",
                    children: &[],
                    activities: &[
                        act("D4.02", "Concertations régionales sur le dialogue national", 8, "concertations", 55_000_000, &UGP, "NAT", (2013, 10, 12), Done((2014, 9, 30), 8)),
                        act("D4.03", "Appui technique à la coordination des initiatives nationales", 1, "dispositif", 20_000_000, &UGP, "BKO", (2013, 4, 12), Abandoned((2014, 2, 28), "Abandonnée : coordination reprise par le cadre conjoint d’appui à la transition.")),
                    ],
                },
            ],
        },
    ],
    indicators: &[],
    funding: &[
        FundingSpec {
            source: "PNUD (ressources propres)",
            kind: FundingSourceKind::Partner,
            planned: 450_000_000,
            mobilised: 420_000_000,
            activities: &[],
        },
        FundingSpec {
            source: "Partenaires (fonds fiduciaire)",
            kind: FundingSourceKind::Partner,
            planned: 300_000_000,
            mobilised: 210_000_000,
            activities: &[],
        },
    ],
};
