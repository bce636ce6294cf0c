use super::*;
use crate::catalogue::duty_post::{DutyPostKind, Fence};
use crate::catalogue::facility::{FacilityKind, ServiceProduct};
use crate::catalogue::{ApplySummary, Catalogue};
use crate::geo::coord::Datum;

const AREAS: &str = "\u{feff}code,name,level,parent_code,lat,lng,datum,population
330303,龙湾区,district,,27.93,120.81,wgs84,739000
330303001,永中街道,street,330303,27.92,120.82,wgs84,
330303001001,示例社区,village,330303001,27.921,120.821,gcj02,3200
";

const FACILITIES: &str = "id,kind,name,address,lat,lng,datum,phone,products,opening_hours,exceptions,area_code,retired,photos
F1,service_center,永中公共法律服务站,永中街道,27.92,120.82,wgs84,0577-86666666,,Mo-Fr 08:30-17:00,2024-10-01 off,330303001,false,
F2,law_firm,示例律师事务所,,27.93,120.83,gcj02,,lawyer|mediation,Mo-Sa 09:00-18:00,,330303001001,,
";

fn opts() -> ImportOptions {
    ImportOptions::new("test.csv")
}

fn csv(kind: RecordKind, text: &str) -> Result<ImportBatch, ImportError> {
    parse(text.as_bytes(), Format::Csv, kind, &opts(), &mut NoPhotos)
}

fn geojson(kind: RecordKind, text: &str) -> Result<ImportBatch, ImportError> {
    let mut o = opts();
    o.file = "test.geojson".into();
    parse(text.as_bytes(), Format::GeoJson, kind, &o, &mut NoPhotos)
}

/// The single row problem a refused file reports.
fn only_problem(r: Result<ImportBatch, ImportError>) -> RowProblem {
    match r {
        Err(ImportError::BadRows(p)) => {
            assert_eq!(p.len(), 1, "{p:?}");
            p.into_iter().next().unwrap()
        }
        other => panic!("expected bad rows, got {other:?}"),
    }
}

fn facility_row(fields: &str) -> String {
    format!("id,kind,name,lat,lng,datum,opening_hours,area_code,products,phone\n{fields}\n")
}

#[test]
fn good_csv_with_bom_imports_areas_and_facilities() {
    let areas = csv(RecordKind::Areas, AREAS).unwrap();
    assert_eq!(areas.areas.len(), 3);
    assert_eq!(areas.areas[2].centroid.datum, Datum::Gcj02);
    assert_eq!(areas.areas[0].population, Some(739_000));
    let f = csv(RecordKind::Facilities, FACILITIES).unwrap();
    assert_eq!(f.facilities.len(), 2);
    assert_eq!(f.facilities[0].products.len(), 8, "default products");
    assert!(
        f.facilities[1]
            .products
            .contains(&ServiceProduct::Mediation)
    );
    assert_eq!(f.facilities[0].phone.as_deref(), Some("0577-86666666"));
    assert_eq!(f.facilities[0].opening_hours.exceptions.len(), 1);
}

#[test]
fn good_geojson_with_polygons_and_gcj02_datum() {
    let text = r#"{"type":"FeatureCollection","datum":"gcj02","features":[
      {"type":"Feature","id":"P1","geometry":{"type":"Polygon","coordinates":[[[120.8,27.9],[120.81,27.9],[120.81,27.91],[120.8,27.91],[120.8,27.9]]]},
       "properties":{"name":"永中司法所岗","type":"station","street_code":"330303001","shifts":"Mo-Fr 09:00-17:00"}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[120.82,27.92]},
       "properties":{"id":"P2","name":"圆形岗","type":"station","street_code":"330303001","radius_m":80,"shifts":"Sa 09:00-12:00"}},
      {"type":"Feature","geometry":null,
       "properties":{"id":"P3","name":"12348热线","type":"hotline_desk","hotline":"12348","street_code":"330303001","shifts":"24/7"}}
    ]}"#;
    let b = geojson(RecordKind::DutyPosts, text).unwrap();
    assert_eq!(b.duty_posts.len(), 3);
    match &b.duty_posts[0].kind {
        DutyPostKind::Station {
            fence: Fence::Polygon { boundary },
        } => assert_eq!(boundary.datum, Datum::Gcj02),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        b.duty_posts[1].kind,
        DutyPostKind::Station {
            fence: Fence::Circle { radius_m, .. }
        } if radius_m == 80.0
    ));
    assert!(matches!(
        b.duty_posts[2].kind,
        DutyPostKind::HotlineDesk { .. }
    ));
}

#[test]
fn export_imports_back_to_the_same_records() {
    let f = csv(RecordKind::Facilities, FACILITIES).unwrap().facilities;
    let json = crate::catalogue::export::facilities_geojson(&f).to_string();
    let back = geojson(RecordKind::Facilities, &json).unwrap().facilities;
    assert_eq!(back.len(), f.len());
    for (a, b) in f.iter().zip(&back) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.products, b.products);
        assert_eq!(a.opening_hours, b.opening_hours);
        // Exported in WGS-84; the same place within a centimetre.
        assert_eq!(b.point.datum, Datum::Wgs84);
        assert!(a.point.distance_m(b.point) < 0.01);
    }
}

#[test]
fn reimport_updates_and_never_duplicates() {
    let mut cat = Catalogue::default();
    cat.apply(csv(RecordKind::Areas, AREAS).unwrap()).unwrap();
    let first = cat
        .apply(csv(RecordKind::Facilities, FACILITIES).unwrap())
        .unwrap();
    assert_eq!(
        first,
        ApplySummary {
            created: 2,
            updated: 0,
            unchanged: 0
        }
    );
    let version = cat.version;
    let again = cat
        .apply(csv(RecordKind::Facilities, FACILITIES).unwrap())
        .unwrap();
    assert_eq!(again.unchanged, 2);
    assert_eq!(cat.facilities.len(), 2);
    assert_eq!(cat.version, version, "unchanged rows keep their version");
    let renamed = FACILITIES.replace("示例律师事务所", "示例律师事务所（新址）");
    let changed = cat
        .apply(csv(RecordKind::Facilities, &renamed).unwrap())
        .unwrap();
    assert_eq!((changed.updated, changed.unchanged), (1, 1));
    assert_eq!(cat.facilities.len(), 2);
    assert_eq!(cat.facilities["F2"].version, version + 1);
}

#[test]
fn unknown_area_reference_applies_nothing() {
    let mut cat = Catalogue::default();
    let err = cat
        .apply(csv(RecordKind::Facilities, FACILITIES).unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("area_code"), "{err}");
    assert!(cat.facilities.is_empty());
}

#[test]
fn skip_bad_rows_imports_the_rest_and_lists_what_was_skipped() {
    let text = format!(
        "{}F3,no_such_kind,坏行,,27.9,120.8,,,,Mo-Fr 08:00-17:00,,330303001,,\n",
        FACILITIES
    );
    let mut o = opts();
    o.skip_bad_rows = true;
    let b = parse(
        text.as_bytes(),
        Format::Csv,
        RecordKind::Facilities,
        &o,
        &mut NoPhotos,
    )
    .unwrap();
    assert_eq!(b.facilities.len(), 2);
    assert_eq!(b.skipped.len(), 1);
    assert_eq!(b.skipped[0].location, Location::Line(4));
    assert_eq!(b.skipped[0].field.as_deref(), Some("kind"));
    // Without the option, the same file imports nothing.
    assert!(matches!(
        csv(RecordKind::Facilities, &text),
        Err(ImportError::BadRows(_))
    ));
}

// ---- Bad inputs: each gives its precise error and imports nothing. ----

#[test]
fn bad_missing_column() {
    let e = csv(
        RecordKind::Facilities,
        "id,kind,name,lat,lng\nF1,law_firm,x,27.9,120.8\n",
    );
    assert!(
        matches!(&e, Err(ImportError::MissingColumn { column, .. }) if column == "opening_hours"),
        "{e:?}"
    );
}

#[test]
fn bad_non_numeric_coordinate() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,北纬27.9,120.8,,Mo 09:00-17:00,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("lat"));
    assert_eq!(p.location, Location::Line(2));
    assert!(p.reason.contains("not a number"), "{}", p.reason);
}

#[test]
fn bad_swapped_latitude_and_longitude() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,120.8,27.9,,Mo 09:00-17:00,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("lat"));
    assert!(p.reason.contains("swapped"), "{}", p.reason);
}

#[test]
fn bad_swapped_geojson_position() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[27.9,120.8]},"properties":{"id":"F1","kind":"law_firm","name":"x","opening_hours":"24/7","area_code":"A1"}}]}"#;
    let p = only_problem(geojson(RecordKind::Facilities, text));
    assert_eq!(p.location, Location::Feature(0));
    assert_eq!(p.field.as_deref(), Some("geometry"));
    assert!(p.reason.contains("swapped"));
}

#[test]
fn bad_out_of_range_longitude() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,190.5,,Mo 09:00-17:00,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("lng"));
}

#[test]
fn bad_unknown_kind() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,casino,x,27.9,120.8,,Mo 09:00-17:00,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("kind"));
    assert!(p.reason.contains("casino"));
}

#[test]
fn bad_unknown_product() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,120.8,,Mo 09:00-17:00,A1,lawyer|fortune_telling,"),
    ));
    assert_eq!(p.field.as_deref(), Some("products"));
}

#[test]
fn bad_duplicate_id() {
    let text = facility_row("F1,law_firm,x,27.9,120.8,,Mo 09:00-17:00,A1,,")
        + "F1,law_firm,y,27.91,120.81,,Mo 09:00-17:00,A1,,\n";
    let p = only_problem(csv(RecordKind::Facilities, &text));
    assert_eq!(p.location, Location::Line(3));
    assert_eq!(p.field.as_deref(), Some("id"));
    assert!(p.reason.contains("duplicate"));
}

#[test]
fn bad_invalid_utf8() {
    let mut bytes = facility_row("F1,law_firm,x,27.9,120.8,,Mo 09:00-17:00,A1,,").into_bytes();
    bytes.extend_from_slice(b"F2,law_firm,\xC0\xC1,27.9,120.8,,Mo 09:00-17:00,A1,,\n");
    let e = parse(
        &bytes,
        Format::Csv,
        RecordKind::Facilities,
        &opts(),
        &mut NoPhotos,
    );
    assert!(
        matches!(e, Err(ImportError::InvalidUtf8 { line: 3, .. })),
        "{e:?}"
    );
}

#[test]
fn bad_empty_file_and_header_only() {
    assert!(matches!(
        csv(RecordKind::Facilities, ""),
        Err(ImportError::Empty { .. })
    ));
    assert!(matches!(
        csv(RecordKind::Facilities, "\u{feff}  \n"),
        Err(ImportError::Empty { .. })
    ));
    assert!(matches!(
        csv(
            RecordKind::Facilities,
            "id,kind,name,lat,lng,opening_hours,area_code\n"
        ),
        Err(ImportError::NoRecords { .. })
    ));
}

#[test]
fn bad_100_mb_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let e = read_file(&path);
    assert!(
        matches!(
            e,
            Err(ImportFileError::Import(ImportError::TooLarge { size, .. })) if size == 100 * 1024 * 1024
        ),
        "{e:?}"
    );
    // And from bytes (an upload) too.
    let big = vec![b'a'; (MAX_IMPORT_BYTES + 1) as usize];
    assert!(matches!(
        parse(&big, Format::Csv, RecordKind::Areas, &opts(), &mut NoPhotos),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn bad_unclosed_polygon() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.8,27.9],[120.81,27.9],[120.81,27.91],[120.8,27.91]]]},"properties":{"code":"V1","name":"x","level":"village","parent_code":"S1"}}]}"#;
    let p = only_problem(geojson(RecordKind::Areas, text));
    assert_eq!(p.field.as_deref(), Some("geometry"));
    assert!(p.reason.contains("not closed"), "{}", p.reason);
}

#[test]
fn bad_self_intersecting_polygon() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.8,27.9],[120.81,27.91],[120.81,27.9],[120.8,27.91],[120.8,27.9]]]},"properties":{"code":"V1","name":"x","level":"village","parent_code":"S1"}}]}"#;
    let p = only_problem(geojson(RecordKind::Areas, text));
    assert_eq!(p.field.as_deref(), Some("geometry"));
    assert!(p.reason.contains("invalid"), "{}", p.reason);
}

#[test]
fn bad_wrong_geojson_type() {
    let feature = r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[120.8,27.9]},"properties":{}}"#;
    assert!(matches!(
        geojson(RecordKind::Facilities, feature),
        Err(ImportError::NotAFeatureCollection { .. })
    ));
    let point = r#"{"type":"Point","coordinates":[120.8,27.9]}"#;
    assert!(matches!(
        geojson(RecordKind::Facilities, point),
        Err(ImportError::NotAFeatureCollection { .. })
    ));
}

#[test]
fn bad_wrong_geometry_type_for_a_facility() {
    let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120.8,27.9],[120.9,27.9]]},"properties":{"id":"F1","kind":"law_firm","name":"x","opening_hours":"24/7","area_code":"A1"}}]}"#;
    let p = only_problem(geojson(RecordKind::Facilities, text));
    assert_eq!(p.field.as_deref(), Some("geometry"));
    assert!(p.reason.contains("LineString"));
}

#[test]
fn bad_truncated_geojson() {
    let e = geojson(
        RecordKind::Facilities,
        r#"{"type":"FeatureCollection","features":[{"type":"Fea"#,
    );
    assert!(matches!(e, Err(ImportError::GeoJson { .. })), "{e:?}");
}

#[test]
fn bad_opening_hours() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,120.8,,Mon to Fri 9-5,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("opening_hours"));
}

#[test]
fn bad_unknown_datum() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,120.8,cgcs2000x,Mo 09:00-17:00,A1,,"),
    ));
    assert_eq!(p.field.as_deref(), Some("datum"));
}

#[test]
fn bad_wrong_field_count() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,120.8"),
    ));
    assert_eq!(p.field, None);
    assert!(p.reason.contains("expected 10 fields"), "{}", p.reason);
}

#[test]
fn bad_phone_number() {
    let p = only_problem(csv(
        RecordKind::Facilities,
        &facility_row("F1,law_firm,x,27.9,120.8,,Mo 09:00-17:00,A1,,call me"),
    ));
    assert_eq!(p.field.as_deref(), Some("phone"));
}

#[test]
fn bad_area_level_and_missing_parent() {
    let p = only_problem(csv(
        RecordKind::Areas,
        "code,name,level,parent_code,lat,lng\nS1,x,province,,27.9,120.8\n",
    ));
    assert_eq!(p.field.as_deref(), Some("level"));
    let p = only_problem(csv(
        RecordKind::Areas,
        "code,name,level,parent_code,lat,lng\nS1,x,street,,27.9,120.8\n",
    ));
    assert_eq!(p.field.as_deref(), Some("parent_code"));
}

#[test]
fn bad_fence_radius_below_minimum() {
    let p = only_problem(csv(
        RecordKind::DutyPosts,
        "id,name,type,street_code,lat,lng,radius_m,shifts\nP1,x,station,S1,27.9,120.8,10,Mo 09:00-17:00\n",
    ));
    assert_eq!(p.field.as_deref(), Some("radius_m"));
}

#[test]
fn bad_photo_reference_without_photo_dir() {
    let text = "id,kind,name,lat,lng,opening_hours,area_code,photos\nF1,law_firm,x,27.9,120.8,24/7,A1,front.jpg\n";
    let p = only_problem(csv(RecordKind::Facilities, text));
    assert_eq!(p.field.as_deref(), Some("photos"));
}

#[test]
fn photos_are_stored_content_addressed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("front.jpg"),
        b"\xFF\xD8\xFF\xE0fake-jpeg-body",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.jpg"), b"plain text, not a photo").unwrap();
    let store = crate::content::ContentStore::new(dir.path().join("store"));
    let mut resolver = crate::content::PhotoDir {
        base: dir.path(),
        store: &store,
    };
    let text = "id,kind,name,lat,lng,opening_hours,area_code,photos\nF1,law_firm,x,27.9,120.8,24/7,A1,front.jpg\n";
    let b = parse(
        text.as_bytes(),
        Format::Csv,
        RecordKind::Facilities,
        &opts(),
        &mut resolver,
    )
    .unwrap();
    let photo = &b.facilities[0].photos[0];
    assert_eq!(photo.media_type, "image/jpeg");
    assert!(store.path_of(&photo.sha256).exists());
    let bad = text.replace("front.jpg", "notes.jpg");
    let p = only_problem(parse(
        bad.as_bytes(),
        Format::Csv,
        RecordKind::Facilities,
        &opts(),
        &mut resolver,
    ));
    assert!(p.reason.contains("not a JPEG"), "{}", p.reason);
    let escape = text.replace("front.jpg", "../etc/passwd");
    assert_eq!(
        only_problem(parse(
            escape.as_bytes(),
            Format::Csv,
            RecordKind::Facilities,
            &opts(),
            &mut resolver,
        ))
        .field
        .as_deref(),
        Some("photos")
    );
}

#[test]
fn domain_types_round_trip_through_serde() {
    let b = csv(RecordKind::Facilities, FACILITIES).unwrap();
    let areas = csv(RecordKind::Areas, AREAS).unwrap();
    let json = serde_json::to_string(&b.facilities).unwrap();
    let back: Vec<crate::catalogue::facility::Facility> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b.facilities);
    let json = serde_json::to_string(&areas.areas).unwrap();
    let back: Vec<crate::catalogue::area::AdminArea> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, areas.areas);
    assert_eq!(b.facilities[0].kind, FacilityKind::ServiceCenter);
}

#[test]
fn bad_nul_byte() {
    let mut bytes = facility_row("F1,law_firm,x,27.9,120.8,,Mo 09:00-17:00,A1,,").into_bytes();
    bytes.extend_from_slice(b"F2,law_firm,a\x00b,27.9,120.8,,Mo 09:00-17:00,A1,,\n");
    let e = parse(
        &bytes,
        Format::Csv,
        RecordKind::Facilities,
        &opts(),
        &mut NoPhotos,
    );
    assert!(
        matches!(e, Err(ImportError::NulByte { line: 3, .. })),
        "{e:?}"
    );
}
