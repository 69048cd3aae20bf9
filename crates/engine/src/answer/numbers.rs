//! Numbers with their units, for checking that an answer's doses, durations, percentages
//! and ages appear in the passage it cites.

/// A number found in text, with the unit that follows it (normalised), if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Option<&'static str>,
    /// The words as written, for messages.
    pub text: String,
}

const NUMBER_WORDS: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("once", 1.0),
    ("twice", 2.0),
    ("thrice", 3.0),
    ("single", 1.0),
    ("half", 0.5),
];

/// Unit spellings → canonical unit.
const UNITS: &[(&str, &str)] = &[
    ("mg/kg", "mg/kg"),
    ("mcg/kg", "mcg/kg"),
    ("mg/m2", "mg/m2"),
    ("mg/m²", "mg/m2"),
    ("mg/ml", "mg/ml"),
    ("mg", "mg"),
    ("milligram", "mg"),
    ("milligrams", "mg"),
    ("mcg", "mcg"),
    ("µg", "mcg"),
    ("μg", "mcg"),
    ("microgram", "mcg"),
    ("micrograms", "mcg"),
    ("g", "g"),
    ("gram", "g"),
    ("grams", "g"),
    ("kg", "kg"),
    ("ml", "ml"),
    ("milliliter", "ml"),
    ("milliliters", "ml"),
    ("millilitre", "ml"),
    ("millilitres", "ml"),
    ("l", "l"),
    ("units", "unit"),
    ("unit", "unit"),
    ("iu", "unit"),
    ("%", "%"),
    ("percent", "%"),
    ("per cent", "%"),
    ("hour", "hour"),
    ("hours", "hour"),
    ("hr", "hour"),
    ("hrs", "hour"),
    ("h", "hour"),
    ("minute", "minute"),
    ("minutes", "minute"),
    ("min", "minute"),
    ("day", "day"),
    ("days", "day"),
    ("daily", "day"),
    ("week", "week"),
    ("weeks", "week"),
    ("weekly", "week"),
    ("month", "month"),
    ("months", "month"),
    ("year", "year"),
    ("years", "year"),
    ("times", "times"),
    ("time", "times"),
    ("tablet", "tablet"),
    ("tablets", "tablet"),
    ("capsule", "capsule"),
    ("capsules", "capsule"),
    ("puff", "puff"),
    ("puffs", "puff"),
    ("drop", "drop"),
    ("drops", "drop"),
];

pub(crate) fn unit_of(word: &str) -> Option<&'static str> {
    let w = word.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':' | ')' | '(')).to_lowercase();
    UNITS.iter().find(|(spelling, _)| *spelling == w).map(|(_, canonical)| *canonical)
}

fn parse_number(token: &str) -> Option<f64> {
    let t = token.trim_matches(|c: char| !(c.is_ascii_digit() || c == '.' || c == '/'));
    if t.is_empty() || !t.chars().next()?.is_ascii_digit() {
        return None;
    }
    if let Some((a, b)) = t.split_once('/') {
        let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
        return (b != 0.0).then_some(a / b);
    }
    t.trim_end_matches('.').replace(',', "").parse().ok()
}

/// Every quantity in the text. Ranges ("2-4 weeks", "2 to 4 weeks") give one quantity per
/// end, each with the range's unit.
pub fn quantities(text: &str) -> Vec<Quantity> {
    // Separate glued units ("10mg", "5%") and range dashes so each is a token.
    let mut spaced = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        if (c.is_alphabetic() || c == '%' || c == 'µ' || c == 'μ') && prev.is_ascii_digit() {
            spaced.push(' ');
        }
        if (c == '-' || c == '–') && prev.is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            spaced.push_str(" to ");
            continue;
        }
        if c == ',' && prev.is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            continue; // thousands separator
        }
        spaced.push(c);
    }
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut found: Vec<Quantity> = Vec::new();
    let mut pending_range: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let lower = word.to_lowercase();
        let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
        let value = parse_number(word).or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == bare).map(|(_, v)| *v));
        let Some(value) = value else {
            pending_range.clear();
            i += 1;
            continue;
        };
        // "twice" and "once" carry their own unit.
        let implicit = matches!(bare, "once" | "twice" | "thrice").then_some("times");
        let mut unit = implicit;
        let mut consumed = 1;
        if unit.is_none() {
            if let Some(next) = words.get(i + 1) {
                if let Some(u) = words.get(i + 2).and_then(|n2| unit_of(&format!("{next} {n2}"))) {
                    unit = Some(u);
                    consumed = 3;
                } else if let Some(u) = unit_of(next) {
                    unit = Some(u);
                    consumed = 2;
                }
            }
        }
        found.push(Quantity { value, unit, text: words[i..i + consumed].join(" ") });
        let index = found.len() - 1;
        // A range's first end takes the unit of the second: "2 to 4 weeks".
        if unit.is_some() {
            for &p in &pending_range {
                if found[p].unit.is_none() {
                    found[p].unit = unit;
                }
            }
            pending_range.clear();
        } else if words.get(i + 1).is_some_and(|w| matches!(w.to_lowercase().as_str(), "to" | "or" | "and")) {
            pending_range.push(index);
        }
        i += consumed.max(1);
        if consumed == 1 && words.get(i).is_some_and(|w| matches!(w.to_lowercase().as_str(), "to" | "or" | "and")) {
            i += 1;
        }
    }
    found
}

/// Whether `wanted` appears among `available`: the same value, and the same unit when both
/// have one. A bare number in the answer may match a number with a unit in the passage.
pub fn supported(wanted: &Quantity, available: &[Quantity]) -> bool {
    available.iter().any(|q| (q.value - wanted.value).abs() < 1e-9 && (wanted.unit.is_none() || q.unit == wanted.unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(f64, Option<&'static str>)> {
        quantities(text).into_iter().map(|q| (q.value, q.unit)).collect()
    }

    #[test]
    fn doses_and_durations() {
        assert_eq!(
            pairs("Take 10mg twice daily for 2-4 weeks."),
            [(10.0, Some("mg")), (2.0, Some("times")), (2.0, Some("week")), (4.0, Some("week"))]
        );
        assert_eq!(pairs("up to 1,000 mg/kg or 5%"), [(1000.0, Some("mg/kg")), (5.0, Some("%"))]);
        assert_eq!(pairs("three times per week for 16 weeks"), [(3.0, Some("times")), (16.0, Some("week"))]);
        assert_eq!(pairs("2.5 mcg, 250 µg"), [(2.5, Some("mcg")), (250.0, Some("mcg"))]);
        assert_eq!(pairs("children under 12 years"), [(12.0, Some("year"))]);
    }

    #[test]
    fn support_needs_value_and_unit() {
        let passage = quantities("Apply 5 times per week for 6 weeks.");
        assert!(supported(&quantities("5 times a week")[0], &passage));
        assert!(supported(&quantities("for 6 weeks")[0], &passage));
        assert!(!supported(&quantities("for 6 months")[0], &passage));
        assert!(!supported(&quantities("20 mg")[0], &passage));
    }
}
