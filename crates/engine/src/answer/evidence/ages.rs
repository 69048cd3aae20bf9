//! A child's age and weight, as a question gives them ("my son is 4 and weighs about 18
//! kg", "a 3-year-old", "Singulair for an 18 month old"), and whether a dose line's age
//! or weight band holds them ("2 to 5 years: 4 mg…", "15.1 to 23 kg: 45 mg").

/// Words that say the question is about a child, so a bare "is 4" is an age.
const CHILD: &[&str] =
    &["son", "daughter", "child", "kid", "baby", "toddler", "boy", "girl", "grandson", "granddaughter"];

/// A question's numbers, as words with their neighbours.
fn tokens(lower: &str) -> Vec<String> {
    lower
        .replace('-', " ")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '?' || c == '(' || c == ')')
        .map(|w| w.trim_end_matches(['.', ':', ';']).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

fn number(word: &str) -> Option<f32> {
    word.parse::<f32>().ok().filter(|n| n.is_finite() && *n >= 0.0)
}

/// The age asked about, in years: "4 year old", "18 months", "is 4 and weighs…".
pub(crate) fn age_asked(lower: &str) -> Option<f32> {
    let words = tokens(lower);
    let child = words.iter().any(|w| CHILD.iter().any(|c| w.trim_end_matches('s') == *c));
    for (i, word) in words.iter().enumerate() {
        let Some(n) = number(word) else { continue };
        match words.get(i + 1).map(String::as_str) {
            Some("year" | "years" | "yr" | "yrs" | "yo") => return Some(n),
            Some("month" | "months" | "mo") => return Some(n / 12.0),
            Some("week" | "weeks") => return Some(n / 52.0),
            _ => {}
        }
        // "My son is 4 and weighs…": a bare number after "is" in a question about a child.
        if child && i > 0 && words[i - 1] == "is" && n < 18.0 {
            return Some(n);
        }
    }
    None
}

/// The weight asked about, in kg: "weighs about 18 kg", "40 lbs".
pub(super) fn weight_asked(lower: &str) -> Option<f32> {
    let words = tokens(lower);
    words.iter().enumerate().find_map(|(i, word)| {
        let n = number(word.trim_end_matches("kg"))?;
        let unit = if word.ends_with("kg") { "kg" } else { words.get(i + 1).map(String::as_str).unwrap_or("") };
        match unit {
            "kg" | "kilos" | "kilograms" => Some(n),
            "lb" | "lbs" | "pounds" => Some(n / 2.2046),
            _ => None,
        }
    })
}

/// The age band a dose line's label states, in years, inclusive: "2 to 5 years", "12 to 23
/// months", "children 12 years and over", "infants 3 months or younger".
pub(crate) fn age_band(line: &str) -> Option<(f32, f32)> {
    let label = line.split_once(':').map_or(line, |(label, _)| label).to_lowercase();
    // "Infants 3 months (12 weeks) or younger": the aside is not the band.
    let plain = crate::text::without_asides(&label);
    // "Asthma and/or allergic rhinitis (15 years and older)": unless the band is the aside.
    let units = [("years", 1.0), ("year", 1.0), ("months", 1.0 / 12.0), ("month", 1.0 / 12.0)];
    band(&tokens(&plain), &units).or_else(|| band(&tokens(&label), &units))
}

/// Whether any weight band a dose line states holds `kg`: "15 kg or less: 30 mg; 15.1 to
/// 23 kg: 45 mg".
pub(super) fn states_weight_band_holding(line: &str, kg: f32) -> bool {
    line.to_lowercase()
        .split([';', ':'])
        .filter_map(|part| band(&tokens(part), &[("kg", 1.0)]))
        .any(|(low, high)| (low..=high).contains(&kg))
}

/// A range "a to b <unit>", "a <unit> and over / or more / or older", "over/older than a
/// <unit>", "under/younger than/less than a <unit>", "a <unit> or younger / or less".
pub(super) fn band(words: &[String], units: &[(&str, f32)]) -> Option<(f32, f32)> {
    let scale = |w: &str| units.iter().find(|(u, _)| *u == w).map(|(_, s)| *s);
    for (i, word) in words.iter().enumerate() {
        let Some(n) = number(word) else { continue };
        let after = |k: usize| words.get(i + k).map(String::as_str).unwrap_or("");
        let before = |k: usize| if i >= k { words[i - k].as_str() } else { "" };
        // "2 to 5 years"
        if after(1) == "to" {
            if let (Some(m), Some(s)) = (number(after(2)), scale(after(3))) {
                return Some((n * s, m * s));
            }
        }
        let Some(s) = scale(after(1)) else { continue };
        let upward = matches!((after(2), after(3)), ("and" | "or", "over" | "older" | "more" | "above"));
        let downward = matches!((after(2), after(3)), ("or", "younger" | "less" | "under" | "below"));
        if upward || matches!(before(1), "over" | "above") || (before(1) == "than" && before(2) == "older") {
            return Some((n * s, f32::MAX));
        }
        if downward
            || matches!(before(1), "under" | "below")
            || (before(1) == "than" && matches!(before(2), "younger" | "less"))
        {
            return Some((0.0, n * s));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_weights_as_people_give_them() {
        assert_eq!(age_asked("singulair dose for a 4 year old with asthma?"), Some(4.0));
        assert_eq!(age_asked("my son is 4 and weighs about 18 kg. how much amoxicilin"), Some(4.0));
        assert_eq!(age_asked("imodium for my 18-month-old?"), Some(1.5));
        assert_eq!(age_asked("my daughter is 7, what tamiflu dose"), Some(7.0));
        assert_eq!(age_asked("is 4 tablets too many?"), None);
        assert_eq!(weight_asked("my son is 4 and weighs about 18 kg"), Some(18.0));
        assert_eq!(weight_asked("she weighs 20kg"), Some(20.0));
        assert_eq!(weight_asked("he is 44 lbs").map(|kg| kg.round()), Some(20.0));
        assert_eq!(weight_asked("take 400 mg"), None);
    }

    #[test]
    fn a_dose_lines_age_band() {
        assert_eq!(age_band("2 to 5 years: 4 mg chewable tablet or 4 mg granules once daily."), Some((2.0, 5.0)));
        assert_eq!(age_band("12 to 23 months (asthma): 4 mg granules once daily."), Some((1.0, 23.0 * (1.0 / 12.0))));
        assert_eq!(age_band("Adults and children 12 years and over: 10 mg once daily."), Some((12.0, f32::MAX)));
        assert_eq!(age_band("Infants 3 months (12 weeks) or younger: maximum 30 mg/kg/day"), Some((0.0, 0.25)));
        assert_eq!(
            age_band("Older than 3 months and under 40 kg, mild infection: 25 mg/kg/day"),
            Some((0.25, f32::MAX))
        );
        assert_eq!(
            age_band("Asthma and/or allergic rhinitis (15 years and older): 10 mg once daily"),
            Some((15.0, f32::MAX))
        );
        assert_eq!(age_band("Hypertension: 10 mg once daily"), None);
    }

    #[test]
    fn weight_bands_inside_a_line() {
        let tamiflu = "Treatment, 1 to 12 years (twice daily for 5 days): 15 kg or less: 30 mg; 15.1 to 23 kg: 45 mg; \
                       23.1 to 40 kg: 60 mg; 40.1 kg or more: 75 mg.";
        assert!(states_weight_band_holding(tamiflu, 20.0));
        assert!(states_weight_band_holding(tamiflu, 12.0));
        assert!(!states_weight_band_holding("2 to 5 years: 4 mg once daily", 20.0));
    }
}
