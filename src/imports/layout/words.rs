//! The words of agencies' own files, and what they mean to Suivi: column
//! headers in French and English with their variants, the level words that
//! open a section row ("Action prioritaire 1 : …"), total and note rows,
//! funding sources, statuses and directions as people write them. Pure
//! matching on folded text ([`fold`]: lowercase, no accents, single spaces);
//! nothing here reads a file.

use super::amount;
use super::folding::fold;
use crate::domain::{Direction, FundingSourceKind, Status};

/// What a column holds, as the preview names it and a saved mapping keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Meaning {
    /// Shown as "not imported": Suivi has no place for it.
    NotImported,
    Code,
    Title,
    /// One level of the tree in its own column (as in Suivi's template).
    Level,
    Indicator,
    Target,
    Unit,
    Responsible,
    Associated,
    Budget,
    Funding,
    Comment,
    Start,
    End,
    Region,
    /// A quarter of the schedule, 1 to 4: `x` or a quantity.
    Quarter(u8),
    /// A year of the schedule: its cost, `PM`, `x` or `-`.
    Year(i32),
    Status,
    Achieved,
    Rate,
    AsOf,
    Spent,
    Baseline,
    BaselineYear,
    TargetYear,
    Direction,
}

/// The meanings a user may choose in the preview, besides quarters and the
/// years the file has.
pub const CHOICES: [Meaning; 24] = [
    Meaning::NotImported,
    Meaning::Code,
    Meaning::Title,
    Meaning::Level,
    Meaning::Indicator,
    Meaning::Target,
    Meaning::Unit,
    Meaning::Responsible,
    Meaning::Associated,
    Meaning::Budget,
    Meaning::Funding,
    Meaning::Comment,
    Meaning::Start,
    Meaning::End,
    Meaning::Region,
    Meaning::Status,
    Meaning::Achieved,
    Meaning::Rate,
    Meaning::AsOf,
    Meaning::Spent,
    Meaning::Baseline,
    Meaning::BaselineYear,
    Meaning::TargetYear,
    Meaning::Direction,
];

impl Meaning {
    /// The meaning's key, in forms, saved mappings and the JSON output:
    /// `budget`, `quarter:2`, `year:2023`.
    pub fn key(self) -> String {
        let plain = match self {
            Meaning::Quarter(q) => return format!("quarter:{q}"),
            Meaning::Year(y) => return format!("year:{y}"),
            Meaning::NotImported => "not_imported",
            Meaning::Code => "code",
            Meaning::Title => "title",
            Meaning::Level => "level",
            Meaning::Indicator => "indicator",
            Meaning::Target => "target",
            Meaning::Unit => "unit",
            Meaning::Responsible => "responsible",
            Meaning::Associated => "associated",
            Meaning::Budget => "budget",
            Meaning::Funding => "funding",
            Meaning::Comment => "comment",
            Meaning::Start => "start",
            Meaning::End => "end",
            Meaning::Region => "region",
            Meaning::Status => "status",
            Meaning::Achieved => "achieved",
            Meaning::Rate => "rate",
            Meaning::AsOf => "as_of",
            Meaning::Spent => "spent",
            Meaning::Baseline => "baseline",
            Meaning::BaselineYear => "baseline_year",
            Meaning::TargetYear => "target_year",
            Meaning::Direction => "direction",
        };
        plain.to_owned()
    }

    /// The meaning of a key; `None` for anything else (a hand-made form).
    pub fn parse(key: &str) -> Option<Meaning> {
        if let Some(q) = key.strip_prefix("quarter:") {
            return q
                .parse()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .map(Meaning::Quarter);
        }
        if let Some(y) = key.strip_prefix("year:") {
            return y
                .parse()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .map(Meaning::Year);
        }
        CHOICES.iter().copied().find(|m| m.key() == key)
    }

    /// The catalog key of its name in the preview.
    pub fn label_key(self) -> &'static str {
        match self {
            Meaning::Quarter(_) => "imports.meaning.quarter",
            Meaning::Year(_) => "imports.meaning.year",
            Meaning::NotImported => "imports.meaning.not_imported",
            Meaning::Code => "imports.meaning.code",
            Meaning::Title => "imports.meaning.title",
            Meaning::Level => "imports.meaning.level",
            Meaning::Indicator => "imports.meaning.indicator",
            Meaning::Target => "imports.meaning.target",
            Meaning::Unit => "imports.meaning.unit",
            Meaning::Responsible => "imports.meaning.responsible",
            Meaning::Associated => "imports.meaning.associated",
            Meaning::Budget => "imports.meaning.budget",
            Meaning::Funding => "imports.meaning.funding",
            Meaning::Comment => "imports.meaning.comment",
            Meaning::Start => "imports.meaning.start",
            Meaning::End => "imports.meaning.end",
            Meaning::Region => "imports.meaning.region",
            Meaning::Status => "imports.meaning.status",
            Meaning::Achieved => "imports.meaning.achieved",
            Meaning::Rate => "imports.meaning.rate",
            Meaning::AsOf => "imports.meaning.as_of",
            Meaning::Spent => "imports.meaning.spent",
            Meaning::Baseline => "imports.meaning.baseline",
            Meaning::BaselineYear => "imports.meaning.baseline_year",
            Meaning::TargetYear => "imports.meaning.target_year",
            Meaning::Direction => "imports.meaning.direction",
        }
    }
}

/// Whether folded text holds one of the needles: a needle of several words
/// anywhere, a single word at the start of one of the text's words (so that
/// "activ" finds "activités" but "rate" does not find "stratégique").
fn has(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|needle| {
        if needle.chars().any(|c| !c.is_alphanumeric()) {
            text.contains(needle)
        } else {
            text.split(|c: char| !c.is_alphanumeric())
                .any(|word| word.starts_with(needle))
        }
    })
}

/// A year of 1990..=2100 standing alone in a header, or after a cost word
/// ("Coût 2023", "Budget 2024 (FCFA)"): a year column.
fn year_column(text: &str) -> Option<i32> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let year = words
        .iter()
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))?;
    let rest: Vec<&&str> = words
        .iter()
        .filter(|w| w.parse::<i32>().is_err())
        .filter(|w| {
            !matches!(
                **w,
                "fcfa" | "xof" | "usd" | "f" | "cfa" | "en" | "annee" | "year"
            )
        })
        .collect();
    let costly = rest.iter().all(|w| {
        matches!(
            **w,
            "cout" | "couts" | "budget" | "montant" | "cost" | "amount"
        )
    });
    costly.then_some(year)
}

/// A quarter header: T1, Trim 1, Trimestre 1, 1er trimestre, Q1, Quarter 1.
fn quarter(text: &str) -> Option<u8> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for q in 1..=4u8 {
        let n = q.to_string();
        let forms = [
            format!("t{n}"),
            format!("trim{n}"),
            format!("trim.{n}"),
            format!("trimestre{n}"),
            format!("q{n}"),
            format!("quarter{n}"),
            format!("{n}trimestre"),
            format!("{n}etrimestre"),
            format!("{n}emetrimestre"),
            format!("{n}ertrimestre"),
            format!("{n}ertrim"),
            format!("{n}etrim"),
        ];
        if forms.contains(&compact) {
            return Some(q);
        }
    }
    None
}

/// What a header says its column holds, from its folded text and, under a
/// two-row header, the folded text of the group above it ("Chronogramme"
/// over "T1"); `NotImported` when nothing matches.
pub fn meaning_of(header: &str, group: &str) -> Meaning {
    let t = header;
    if t.is_empty() {
        return Meaning::NotImported;
    }
    if let Some(q) = quarter(t) {
        return Meaning::Quarter(q);
    }
    if let Some(y) = year_column(t) {
        // A year under "Cible" is the target of that year, not a cost.
        if !has(group, &["cible", "target", "quantite"]) {
            return Meaning::Year(y);
        }
        return Meaning::Target;
    }
    if has(
        t,
        &[
            "source de financement",
            "financement",
            "bailleur",
            "funding",
            "source of fund",
            "sources de fin",
        ],
    ) {
        return Meaning::Funding;
    }
    if has(t, &["annee de reference", "annee de base", "baseline year"]) {
        return Meaning::BaselineYear;
    }
    if has(t, &["annee cible", "target year", "echeance de la cible"]) {
        return Meaning::TargetYear;
    }
    if has(t, &["taux", "rate", "pourcentage"]) || t == "%" || t == "(%)" {
        return Meaning::Rate;
    }
    if has(
        t,
        &[
            "statut",
            "status",
            "etat d'avancement",
            "etat d'execution",
            "appreciation",
        ],
    ) || t == "etat"
    {
        return Meaning::Status;
    }
    if has(
        t,
        &[
            "depense",
            "decaiss",
            "spent",
            "expenditure",
            "engage",
            "execution financiere",
            "montant execute",
        ],
    ) {
        return Meaning::Spent;
    }
    if has(t, &["date de debut", "debut", "start"]) {
        return Meaning::Start;
    }
    if has(
        t,
        &[
            "date de fin",
            "echeance",
            "end date",
            "delai",
            "date butoir",
        ],
    ) || t == "fin"
        || t == "end"
    {
        return Meaning::End;
    }
    if has(
        t,
        &[
            "realis",
            "achieved",
            "achievement",
            "niveau d'execution",
            "resultats obtenus",
            "resultat atteint",
        ],
    ) {
        return Meaning::Achieved;
    }
    if has(
        t,
        &[
            "a la date",
            "date de mise a jour",
            "as of",
            "date du point",
            "date de la situation",
        ],
    ) || t == "date"
    {
        return Meaning::AsOf;
    }
    let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).collect();
    if words.contains(&"sens")
        || has(
            t,
            &[
                "tendance",
                "evolution souhaitee",
                "polarite",
                "direction souhaitee",
            ],
        )
    {
        return Meaning::Direction;
    }
    if has(
        t,
        &[
            "associe",
            "autres structures",
            "partenaires associes",
            "other partners",
            "implique",
        ],
    ) {
        return Meaning::Associated;
    }
    if has(
        t,
        &[
            "responsable",
            "structure",
            "responsible",
            "porteur",
            "lead",
            "acteur",
            "executant",
            "entite",
            "direction",
            "service",
            "partenaire de mise",
            "implementing",
        ],
    ) || t == "partenaire"
    {
        return Meaning::Responsible;
    }
    if has(
        t,
        &[
            "valeur de reference",
            "baseline",
            "situation de reference",
            "reference (",
        ],
    ) || t.starts_with("reference ")
        || t == "reference" && !group.is_empty()
    {
        return Meaning::Baseline;
    }
    if has(t, &["indicateur", "indicator"]) {
        return Meaning::Indicator;
    }
    if has(
        t,
        &[
            "cible",
            "target",
            "quantite",
            "prevision",
            "valeur cible",
            "objectif quantitatif",
        ],
    ) {
        return Meaning::Target;
    }
    if has(t, &["unite", "unit"]) {
        return Meaning::Unit;
    }
    if has(
        t,
        &[
            "cout",
            "budget",
            "montant",
            "cost",
            "amount",
            "total",
            "financier",
        ],
    ) {
        return Meaning::Budget;
    }
    if has(
        t,
        &[
            "observation",
            "commentaire",
            "remarque",
            "comment",
            "remark",
            "note",
            "justification",
            "difficultes",
        ],
    ) {
        return Meaning::Comment;
    }
    if has(
        t,
        &["region", "localite", "zone", "lieu", "location", "site"],
    ) {
        return Meaning::Region;
    }
    if has(
        t,
        &[
            "activ",
            "intitule",
            "libelle",
            "designation",
            "description",
            "actions",
            "taches",
            "tache",
        ],
    ) || t == "action"
    {
        return Meaning::Title;
    }
    if level_word(t).is_some() {
        return Meaning::Level;
    }
    let code_words = [
        "n°",
        "n",
        "no",
        "n o",
        "num",
        "numero",
        "code",
        "codes",
        "ref",
        "ref.",
        "#",
        "n° d'ordre",
        "nº",
        "n°/code",
        "item",
    ];
    if code_words.contains(&t) || t.starts_with("n°") || t.starts_with("code") {
        return Meaning::Code;
    }
    Meaning::NotImported
}

/// The level words that open a section row, folded, with whether the word
/// names an activity (in a results framework all levels share one column:
/// "Effet 1", "Produit 1.1", "Activité 1.1.1").
const LEVEL_WORDS: [(&str, bool); 26] = [
    ("actions prioritaires", false),
    ("action prioritaire", false),
    ("axe strategique", false),
    ("axe", false),
    ("objectif strategique", false),
    ("objectif specifique", false),
    ("objectif operationnel", false),
    ("objectif general", false),
    ("objectif", false),
    ("sous-programme", false),
    ("programme", false),
    ("composante", false),
    ("effet", false),
    ("produit", false),
    ("resultat", false),
    ("outcome", false),
    ("output", false),
    ("priority action", false),
    ("strategic axis", false),
    ("os", false),
    ("oo", false),
    ("ap", false),
    ("activites", true),
    ("activite", true),
    ("activity", true),
    ("action", false),
];

/// A level word at the start of folded text, as (the word's length in the
/// folded text, whether it names an activity).
pub fn level_word(folded: &str) -> Option<(usize, bool)> {
    LEVEL_WORDS.iter().find_map(|(word, activity)| {
        let rest = folded.strip_prefix(word)?;
        // A whole word: "Axe 1", "OS1.1", not "Axes de travail" or "Osez".
        let next = rest.chars().next();
        match next {
            None => Some((word.len(), *activity)),
            Some(c) if !c.is_alphabetic() => Some((word.len(), *activity)),
            _ => None,
        }
    })
}

/// A row that sums others: "Sous-total AP1", "TOTAL GÉNÉRAL", "Total".
pub fn is_total(folded: &str) -> bool {
    let starts = [
        "total",
        "sous-total",
        "sous total",
        "s/total",
        "s/t ",
        "grand total",
        "subtotal",
        "sub-total",
        "montant total",
        "cout total",
        "budget total",
        "totaux",
    ];
    starts.iter().any(|s| {
        folded.starts_with(s)
            && folded[s.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphabetic())
    })
}

/// A note or a signature around the table: "NB :", "Source :", "Fait à
/// Bamako", "Le Directeur Général".
pub fn is_note(folded: &str) -> bool {
    let starts = [
        "nb",
        "n.b",
        "note",
        "source :",
        "source:",
        "sources :",
        "fait a ",
        "le directeur",
        "la directrice",
        "le president",
        "le coordinateur",
        "le chef",
        "le ministre",
        "le secretaire",
        "visa",
        "signature",
        "approuve",
        "arrete",
        "legende",
        "prepare par",
        "elabore par",
        "valide par",
        "*",
    ];
    starts.iter().any(|s| {
        folded.starts_with(s)
            && folded[s.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() || s.ends_with(' '))
    })
}

/// A funding source as written ("Budget d'État", "BE", "Etat", "PTF",
/// "Ressources propres") and the kind it belongs to; `None` for a source
/// Suivi cannot group (kept as written).
pub fn funding_kind(folded: &str) -> Option<FundingSourceKind> {
    let t = folded.trim_matches(|c: char| !c.is_alphanumeric());
    let state = [
        "be",
        "bn",
        "bsi",
        "etat",
        "budget d'etat",
        "budget de l'etat",
        "budget national",
        "tresor",
        "state budget",
        "government",
        "gouvernement",
        "budget etat",
    ];
    let partner = [
        "ptf",
        "partenaires",
        "partenaire",
        "partenaires techniques et financiers",
        "bailleurs",
        "bailleur",
        "pnud",
        "undp",
        "ue",
        "union europeenne",
        "banque mondiale",
        "usaid",
        "partners",
        "donor",
        "donors",
        "cooperation",
    ];
    let own = [
        "rp",
        "ressources propres",
        "fonds propres",
        "own resources",
        "recettes propres",
        "autofinancement",
    ];
    if state.contains(&t) || t.starts_with("budget d'etat") || t.starts_with("etat ") {
        Some(FundingSourceKind::State)
    } else if partner.contains(&t) || t.starts_with("ptf") || t.starts_with("partenaire") {
        Some(FundingSourceKind::Partner)
    } else if own.contains(&t) || t.starts_with("ressources propres") {
        Some(FundingSourceKind::Own)
    } else {
        None
    }
}

/// What a status cell says, as people write it: a word ("Réalisée",
/// "realisée", "En cours d'exécution", "Non entamée", "Reportée",
/// "Abandonnée") or a rate in that column ("100 %", "0,5", "75%"). `None`
/// is undecidable ("NR", empty, "Suspendue") and goes to the user.
pub fn status_of(folded: &str) -> Option<Status> {
    let t = folded.trim_matches(|c: char| c == '.' || c == ' ');
    if let Some(rate) = amount::rate(t) {
        return Some(status_of_rate(rate));
    }
    let t = t.trim_end_matches('s');
    let done = [
        "realise",
        "realisee",
        "fait",
        "faite",
        "acheve",
        "achevee",
        "execute",
        "executee",
        "termine",
        "terminee",
        "done",
        "completed",
        "complete",
        "accompli",
        "accomplie",
        "totalement realise",
        "totalement realisee",
        "entierement realise",
        "entierement realisee",
    ];
    let in_progress = [
        "en cours",
        "en cours d'execution",
        "en cours de realisation",
        "en cours d'elaboration",
        "en cours de mise en oeuvre",
        "partiellement realise",
        "partiellement realisee",
        "in progress",
        "ongoing",
        "demarre",
        "demarree",
        "entame",
        "entamee",
    ];
    let not_started = [
        "non entame",
        "non entamee",
        "non demarre",
        "non demarree",
        "pas demarre",
        "pas encore demarre",
        "non realise",
        "non realisee",
        "not started",
        "non execute",
        "non executee",
        "a faire",
        "pas entame",
    ];
    let postponed = [
        "reporte",
        "reportee",
        "differe",
        "differee",
        "postponed",
        "delayed",
        "renvoye",
    ];
    let abandoned = [
        "abandonne",
        "abandonnee",
        "annule",
        "annulee",
        "abandoned",
        "cancelled",
        "canceled",
        "supprime",
        "supprimee",
    ];
    if done.contains(&t) {
        Some(Status::Done)
    } else if in_progress.contains(&t) || t.starts_with("en cours") {
        Some(Status::InProgress)
    } else if not_started.contains(&t) {
        Some(Status::NotStarted)
    } else if postponed.contains(&t) {
        Some(Status::Postponed)
    } else if abandoned.contains(&t) {
        Some(Status::Abandoned)
    } else {
        None
    }
}

/// A rate as a status: all of it done, none of it not started, else under way.
pub fn status_of_rate(rate: rust_decimal::Decimal) -> Status {
    if rate >= rust_decimal::Decimal::ONE {
        Status::Done
    } else if rate.is_zero() {
        Status::NotStarted
    } else {
        Status::InProgress
    }
}

/// An indicator's direction: "à la baisse", "baisse", "réduire"; an empty
/// cell goes by the title (deaths and injuries go down), else up.
pub fn direction_of(folded: &str, title: &str) -> Option<Direction> {
    let down = [
        "baisse",
        "diminu",
        "reduire",
        "reduction",
        "decroi",
        "down",
        "decrease",
        "lower",
        "negati",
    ];
    let up = [
        "hausse",
        "augment",
        "croissant",
        "up",
        "increase",
        "higher",
        "positi",
        "accroi",
    ];
    if folded.is_empty() {
        let deaths = [
            "tue", "morts", "deces", "blesse", "accident", "victime", "deaths", "injur",
        ];
        return Some(if has(&fold(title), &deaths) {
            Direction::Decrease
        } else {
            Direction::Increase
        });
    }
    if has(folded, &down) {
        Some(Direction::Decrease)
    } else if has(folded, &up) {
        Some(Direction::Increase)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(header: &str) -> Meaning {
        meaning_of(&fold(header), "")
    }

    #[test]
    fn headers_are_understood_in_french_and_english_with_their_variants() {
        assert_eq!(m("N°"), Meaning::Code);
        assert_eq!(m("Code"), Meaning::Code);
        assert_eq!(m("Actions prioritaires / Activités"), Meaning::Title);
        assert_eq!(m("Activité"), Meaning::Title);
        assert_eq!(m("Activities"), Meaning::Title);
        assert_eq!(m("Indicateurs"), Meaning::Indicator);
        assert_eq!(m("Cible 2025"), Meaning::Target);
        assert_eq!(m("Quantité prévue"), Meaning::Target);
        assert_eq!(m("Unité"), Meaning::Unit);
        assert_eq!(m("Structure responsable"), Meaning::Responsible);
        assert_eq!(m("Responsable"), Meaning::Responsible);
        assert_eq!(m("Structures associées"), Meaning::Associated);
        assert_eq!(m("Coût (FCFA)"), Meaning::Budget);
        assert_eq!(m("Montant (FCFA)"), Meaning::Budget);
        assert_eq!(m("Budget (USD)"), Meaning::Budget);
        assert_eq!(m("Source de financement"), Meaning::Funding);
        assert_eq!(m("Observations"), Meaning::Comment);
        assert_eq!(m("Commentaire"), Meaning::Comment);
        assert_eq!(m("Date de début"), Meaning::Start);
        assert_eq!(m("Date de fin"), Meaning::End);
        assert_eq!(m("T1"), Meaning::Quarter(1));
        assert_eq!(m("1er trimestre"), Meaning::Quarter(1));
        assert_eq!(m("Trimestre 3"), Meaning::Quarter(3));
        assert_eq!(m("2023"), Meaning::Year(2023));
        assert_eq!(m("Coût 2024"), Meaning::Year(2024));
        assert_eq!(meaning_of("2026", "cible"), Meaning::Target);
        assert_eq!(m("Réalisation au 30/09/2025"), Meaning::Achieved);
        assert_eq!(m("Taux (%)"), Meaning::Rate);
        assert_eq!(m("Taux de réalisation"), Meaning::Rate);
        assert_eq!(m("Statut"), Meaning::Status);
        assert_eq!(m("Valeur de référence"), Meaning::Baseline);
        assert_eq!(m("Année de référence"), Meaning::BaselineYear);
        assert_eq!(m("Sens"), Meaning::Direction);
        assert_eq!(m("Axe stratégique"), Meaning::Level);
        assert_eq!(m("Périodicité"), Meaning::NotImported);
    }

    #[test]
    fn every_choice_goes_through_its_key() {
        for meaning in CHOICES
            .into_iter()
            .chain([Meaning::Quarter(2), Meaning::Year(2023)])
        {
            assert_eq!(Meaning::parse(&meaning.key()), Some(meaning));
        }
        assert_eq!(Meaning::parse("quarter:5"), None);
        assert_eq!(Meaning::parse("drop table"), None);
    }

    #[test]
    fn statuses_as_people_write_them() {
        let s = |text: &str| status_of(&fold(text));
        assert_eq!(s("Réalisée"), Some(Status::Done));
        assert_eq!(s("realisée"), Some(Status::Done));
        assert_eq!(s("Réalisé"), Some(Status::Done));
        assert_eq!(s("En cours d'exécution"), Some(Status::InProgress));
        assert_eq!(s("Non entamée"), Some(Status::NotStarted));
        assert_eq!(s("Non réalisé"), Some(Status::NotStarted));
        assert_eq!(s("Reportée"), Some(Status::Postponed));
        assert_eq!(s("Abandonnée"), Some(Status::Abandoned));
        assert_eq!(s("100 %"), Some(Status::Done));
        assert_eq!(s("0,5"), Some(Status::InProgress));
        assert_eq!(s("75%"), Some(Status::InProgress));
        assert_eq!(s("0 %"), Some(Status::NotStarted));
        assert_eq!(s("NR"), None);
        assert_eq!(s(""), None);
        assert_eq!(s("Suspendue"), None);
    }

    #[test]
    fn level_words_totals_notes_funding_and_directions() {
        assert_eq!(level_word("action prioritaire 1 : x"), Some((18, false)));
        assert_eq!(level_word("os1.1 - x"), Some((2, false)));
        assert_eq!(level_word("activite 1.1.1"), Some((8, true)));
        assert_eq!(level_word("osez"), None);
        assert!(is_total(&fold("Sous-total AP1")));
        assert!(is_total(&fold("TOTAL GÉNÉRAL")));
        assert!(!is_total(&fold("Totalisation des données")));
        assert!(is_note(&fold("Le Directeur Général")));
        assert!(is_note(&fold("NB : montants indicatifs")));
        assert!(is_note(&fold("Fait à Bamako, le 15 janvier 2025")));
        assert!(!is_note(&fold("Nbre de radars installés")));
        let k = |t: &str| funding_kind(&fold(t));
        assert_eq!(k("Budget d'État"), Some(FundingSourceKind::State));
        assert_eq!(k("BE"), Some(FundingSourceKind::State));
        assert_eq!(k("Etat"), Some(FundingSourceKind::State));
        assert_eq!(k("PTF"), Some(FundingSourceKind::Partner));
        assert_eq!(k("Ressources propres"), Some(FundingSourceKind::Own));
        assert_eq!(k("Fondation X"), None);
        assert_eq!(
            direction_of(&fold("à la baisse"), ""),
            Some(Direction::Decrease)
        );
        assert_eq!(
            direction_of("", "Nombre de tués"),
            Some(Direction::Decrease)
        );
        assert_eq!(
            direction_of("", "Taux de couverture"),
            Some(Direction::Increase)
        );
        assert_eq!(direction_of("bof", ""), None);
    }
}
