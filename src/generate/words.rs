//! The word lists and data tables `generate` draws from: kinds of activity and
//! indicator with their units and ranges, titles, units, authors, partners,
//! resolutions. Data only.

use crate::domain::Direction;

pub(super) struct ActivityKind {
    pub(super) title: &'static str,
    pub(super) unit: &'static str,
    /// Target range in whole units.
    pub(super) min: i64,
    pub(super) max: i64,
    /// Granularity of quantities in thousandths: 1000 for counts, 100 for km.
    pub(super) step: i64,
}

const fn kind(
    title: &'static str,
    unit: &'static str,
    min: i64,
    max: i64,
    step: i64,
) -> ActivityKind {
    ActivityKind {
        title,
        unit,
        min,
        max,
        step,
    }
}

pub(super) const ACTIVITY_KINDS: &[ActivityKind] = &[
    kind(
        "Organiser des séances de sensibilisation sur la sécurité routière",
        "séances",
        5,
        60,
        1000,
    ),
    kind(
        "Former les agents des services techniques",
        "agents formés",
        10,
        200,
        1000,
    ),
    kind(
        "Réaliser des missions de supervision",
        "missions",
        2,
        24,
        1000,
    ),
    kind(
        "Élaborer le rapport annuel de performance",
        "rapport",
        1,
        1,
        1000,
    ),
    kind(
        "Tenir les réunions du comité de pilotage",
        "réunions",
        2,
        12,
        1000,
    ),
    kind(
        "Acquérir du matériel informatique",
        "ordinateurs",
        5,
        80,
        1000,
    ),
    kind("Réhabiliter des pistes et voiries", "km", 3, 120, 100),
    kind(
        "Conduire des campagnes de contrôle routier",
        "contrôles",
        50,
        2000,
        1000,
    ),
    kind(
        "Organiser des ateliers régionaux de validation",
        "ateliers",
        1,
        8,
        1000,
    ),
    kind(
        "Produire et diffuser des spots radio en langues nationales",
        "spots",
        10,
        300,
        1000,
    ),
    kind(
        "Mettre à jour la base de données statistique",
        "mises à jour",
        1,
        12,
        1000,
    ),
    kind(
        "Recruter du personnel technique",
        "agents recrutés",
        1,
        20,
        1000,
    ),
    kind(
        "Faire auditer les comptes de l'exercice",
        "audit",
        1,
        1,
        1000,
    ),
    kind(
        "Installer des panneaux de signalisation",
        "panneaux",
        20,
        500,
        1000,
    ),
    kind(
        "Numériser les archives administratives",
        "%",
        100,
        100,
        1000,
    ),
    kind(
        "Interconnecter les plateformes numériques de l'administration",
        "plateformes",
        1,
        20,
        1000,
    ),
];

pub(super) const OBJECTIVE_TITLES: &[&str] = &[
    "Améliorer la sécurité du transport routier",
    "Réduire le nombre de personnes tuées ou gravement blessées",
    "Renforcer la gouvernance et la redevabilité",
    "Renforcer les capacités institutionnelles",
    "Moderniser l'administration par le numérique",
    "Améliorer la qualité des services rendus aux usagers",
];

pub(super) const ACTION_TITLES: &[&str] = &[
    "Sensibilisation et communication",
    "Contrôle et sanction",
    "Formation et renforcement des capacités",
    "Infrastructures et équipements",
    "Suivi-évaluation et statistiques",
    "Gestion des ressources humaines",
    "Mobilisation des ressources financières",
    "Transformation numérique",
    "Partenariats et coopération",
    "Décentralisation et ancrage régional",
];

pub(super) const UNITS: &[&str] = &[
    "Direction administrative et financière",
    "Cellule de suivi-évaluation",
    "Département des études et de la planification",
    "Département de la communication",
    "Direction des opérations",
    "Services régionaux",
];

pub(super) const AUTHORS: &[&str] = &[
    "Point focal DAF",
    "Point focal DEP",
    "Point focal communication",
    "Point focal opérations",
    "Cellule de suivi-évaluation",
];

pub(super) const PARTNERS: &[&str] = &[
    "PNUD",
    "Banque mondiale",
    "Union européenne",
    "Banque africaine de développement",
    "Coopération suisse",
    "Agence française de développement",
];

pub(super) const RESOLUTIONS: &[&str] = &[
    "Accélérer l'exécution des activités en retard",
    "Renforcer la mobilisation des ressources auprès des partenaires",
    "Transmettre le rapport d'exécution au ministère de tutelle",
    "Mettre en place un dispositif de suivi des recommandations",
    "Améliorer la qualité des données de suivi-évaluation",
    "Finaliser le plan de développement des ressources humaines",
    "Présenter un point sur la situation des régions à la prochaine session",
    "Sécuriser les données et assurer la traçabilité des opérations",
];

pub(super) struct IndicatorKind {
    pub(super) title: &'static str,
    pub(super) unit: &'static str,
    pub(super) direction: Direction,
    /// Baseline range in whole units.
    pub(super) baseline: (i64, i64),
    /// Planned change, in thousandths of the baseline.
    pub(super) change: (i64, i64),
    /// Largest meaningful value in whole units (100 for percentages).
    pub(super) ceiling: i64,
    pub(super) step: i64,
}

pub(super) const INDICATOR_KINDS: &[IndicatorKind] = &[
    IndicatorKind {
        title: "Nombre de personnes tuées dans les accidents de la route",
        unit: "personnes",
        direction: Direction::Decrease,
        baseline: (300, 900),
        change: (50, 150),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Nombre de blessés graves",
        unit: "personnes",
        direction: Direction::Decrease,
        baseline: (1000, 5000),
        change: (50, 150),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Taux d'exécution physique du programme",
        unit: "%",
        direction: Direction::Increase,
        baseline: (45, 75),
        change: (100, 300),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Taux d'exécution financière",
        unit: "%",
        direction: Direction::Increase,
        baseline: (40, 75),
        change: (100, 300),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Taux de mobilisation des ressources",
        unit: "%",
        direction: Direction::Increase,
        baseline: (50, 80),
        change: (50, 200),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre d'agents formés",
        unit: "agents",
        direction: Direction::Increase,
        baseline: (50, 400),
        change: (100, 500),
        ceiling: 1_000_000,
        step: 1000,
    },
    IndicatorKind {
        title: "Délai moyen de traitement des dossiers",
        unit: "jours",
        direction: Direction::Decrease,
        baseline: (10, 60),
        change: (100, 400),
        ceiling: 1000,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre de plateformes numériques interconnectées",
        unit: "plateformes",
        direction: Direction::Increase,
        baseline: (2, 20),
        change: (200, 1000),
        ceiling: 1000,
        step: 1000,
    },
    IndicatorKind {
        title: "Taux de satisfaction des usagers",
        unit: "%",
        direction: Direction::Increase,
        baseline: (40, 80),
        change: (50, 200),
        ceiling: 100,
        step: 100,
    },
    IndicatorKind {
        title: "Nombre de contrôles routiers effectués",
        unit: "contrôles",
        direction: Direction::Increase,
        baseline: (1000, 20000),
        change: (50, 300),
        ceiling: 10_000_000,
        step: 1000,
    },
];
