//! A unit set read from a PostGIS table through GDAL (`source = "PG:…"`), as docs/reporting.md describes.

mod common;
#[path = "common/postgres.rs"]
mod postgres_cluster;

#[test]
fn a_unit_set_loads_from_a_postgis_table_through_gdal() {
    let pg = postgres_cluster::Pg::start();
    let mut c = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
    c.batch_execute("CREATE EXTENSION postgis; CREATE SCHEMA catastro;")
        .unwrap();
    let conn = format!(
        "PG:host=127.0.0.1 port={} dbname=postgres user=ssepot",
        pg.port
    );
    let geojson =
        common::layers_dir().join("data/medellin/limite_catastral_comunas_corregimientos.geojson");
    common::run(
        std::process::Command::new("ogr2ogr")
            .args(["-f", "PostgreSQL", &conn])
            .arg(&geojson)
            .args(["-nln", "catastro.comunas", "-lco", "GEOMETRY_NAME=geom"]),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("comunas.toml"),
        format!(
            "[[unit_set]]\nid = \"comunas\"\ntitle = \"Comunas desde PostGIS\"\nsource = \"{conn}\"\n\
             layer = \"catastro.comunas\"\nkey_field = \"comuna\"\nname_field = \"nombre\"\n"
        ),
    )
    .unwrap();
    let snapshot = ssepot::ingest::load(dir.path(), None).unwrap();
    assert_eq!(snapshot.report.error_count(), 0, "{}", snapshot.report);
    let set = snapshot.unit_set("comunas").unwrap();
    assert_eq!(set.units.len(), 21);
    assert!(set.find("16").is_some(), "Belén, by its code");
}
