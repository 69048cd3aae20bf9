//! A claim cut at its clauses, for the rules that check each part on its own (numbers
//! together, added clauses).

/// A sentence cut at its clauses: the first part, then each of [`clauses`].
pub fn parts(sentence: &str) -> Vec<&str> {
    let rest = clauses(sentence);
    let first_end = rest.first().map_or(sentence.len(), |c| c.as_ptr() as usize - sentence.as_ptr() as usize - 1);
    std::iter::once(&sentence[..first_end]).chain(rest).collect()
}

/// The parts of a sentence after its first: split at semicolons and at a comma followed
/// by a word that adds a clause ("…sulfide, which can cause heartburn").
pub fn clauses(sentence: &str) -> Vec<&str> {
    const JOINERS: &[&str] =
        &["which", "but", "and", "so", "because", "while", "although", "whereas", "or", "especially", "particularly"];
    let mut cuts: Vec<usize> = Vec::new();
    for (i, c) in sentence.char_indices() {
        let rest = &sentence[i + c.len_utf8()..];
        let joins = c == ',' && {
            let next = rest.trim_start().split(|ch: char| !ch.is_alphabetic()).next().unwrap_or("");
            JOINERS.contains(&next.to_lowercase().as_str())
        };
        if c == ';' || joins {
            cuts.push(i);
        }
    }
    cuts.iter()
        .enumerate()
        .map(|(k, &start)| &sentence[start + 1..cuts.get(k + 1).copied().unwrap_or(sentence.len())])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_clauses_are_found() {
        assert_eq!(
            clauses("It forms bismuth sulfide, which can cause heartburn; it is harmless."),
            [" which can cause heartburn", " it is harmless."]
        );
        assert!(clauses("Keep calcium, iron and zinc away from your dose.").is_empty());
        assert_eq!(clauses("Do not drive, especially with sleep apnoea."), [" especially with sleep apnoea."]);
    }

    #[test]
    fn sentences_are_cut_into_parts() {
        assert_eq!(
            parts("Take it daily, but not with milk; store it cold."),
            ["Take it daily", " but not with milk", " store it cold."]
        );
        assert_eq!(parts("No cuts here."), ["No cuts here."]);
        // Multi-byte characters before a cut.
        assert_eq!(parts("Dosage › Adults, which vary"), ["Dosage › Adults", " which vary"]);
    }
}
