//! `[web_map]`: what the citizen web map calls itself. A new city declares its title here; the server serves it
//! (`/map/territorios.json`) and the page shows it, so no city is written into the page.

use serde::{Deserialize, Serialize};

/// The web map's settings a layer file declares (one file of the folder).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebMapConfig {
    /// Title in Spanish, in the page header and the browser tab (`Indicadores del POT de Medellín`). When
    /// omitted: `Indicadores de {city_name}` of the first unit set.
    #[serde(default)]
    pub title: Option<String>,
    /// Title in English. When omitted: `Indicators of {city_name}` if `title` is omitted too, else `title`.
    #[serde(default)]
    pub title_en: Option<String>,
}

/// The titles the page shows, per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Titles {
    pub es: String,
    pub en: String,
}

impl WebMapConfig {
    /// A declared title must say something; returns the field and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (field, title) in [("title", &self.title), ("title_en", &self.title_en)] {
            if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
                return Err((field, "is empty; omit it for the default title".into()));
            }
        }
        Ok(())
    }

    /// The titles: the declared ones, else ones naming `city` (the first unit set's municipality), else generic.
    pub fn titles(&self, city: Option<&str>) -> Titles {
        let (es, en) = match city {
            Some(city) => (
                format!("Indicadores de {city}"),
                format!("Indicators of {city}"),
            ),
            None => (
                "Indicadores territoriales".to_string(),
                "Territorial indicators".to_string(),
            ),
        };
        match (&self.title, &self.title_en) {
            (Some(es), Some(en)) => Titles {
                es: es.clone(),
                en: en.clone(),
            },
            (Some(es), None) => Titles {
                es: es.clone(),
                en: es.clone(),
            },
            (None, Some(en)) => Titles { es, en: en.clone() },
            (None, None) => Titles { es, en },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_titles_win_and_the_default_names_the_city() {
        let declared = WebMapConfig {
            title: Some("Indicadores del POT de Medellín".into()),
            title_en: None,
        };
        assert_eq!(
            declared.titles(Some("X")).es,
            "Indicadores del POT de Medellín"
        );
        assert_eq!(
            declared.titles(Some("X")).en,
            "Indicadores del POT de Medellín"
        );
        let none = WebMapConfig::default();
        assert_eq!(none.titles(Some("Pasto")).es, "Indicadores de Pasto");
        assert_eq!(none.titles(Some("Pasto")).en, "Indicators of Pasto");
        assert_eq!(none.titles(None).es, "Indicadores territoriales");
    }
}
