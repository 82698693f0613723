//! How every word of an agency's file is compared: folded text. Both the
//! header and status words ([`super::words`]) and the amounts and units
//! ([`super::amount`]) read cells this way; it depends on neither.

/// Lowercase, accents removed, apostrophes straightened, single spaces: how
/// every word of a file is compared.
pub fn fold(text: &str) -> String {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            '’' | '`' | '´' => '\'',
            '\u{a0}' | '\u{202f}' | '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_extra_spaces() {
        assert_eq!(fold("  Réalisée\u{a0}au  30/09 "), "realisee au 30/09");
        assert_eq!(fold("Budget d’État"), "budget d'etat");
        assert_eq!(fold("Coût\n(FCFA)"), "cout (fcfa)");
    }
}
