//! Tests against the Open311 GeoReport v2 specification's documented
//! examples and field names: <http://wiki.open311.org/GeoReport_v2>
//! (sections "GET Service List", "GET Service Definition", "POST Service
//! Request", "GET service_request_id from a token", "GET Service
//! Requests", "Errors"). The spec's JSON examples write identifiers as
//! bare numbers with leading zeros (`"service_code":001`), which is not
//! valid JSON; here they are strings, as our identifiers are.

use super::*;
use crate::applications::{AnswerValue, ServiceRegistry};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

/// Removes the indentation between tags of a spec example.
fn squash(xml: &str) -> String {
    xml.lines().map(str::trim).collect::<Vec<_>>().join("")
}

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 6, 2, 0, 0).unwrap()
}

fn spec_services() -> Vec<Service> {
    let s = |code: &str, name: &str, desc: &str, group: &str| Service {
        service_code: code.into(),
        service_name: name.into(),
        description: desc.into(),
        metadata: true,
        service_type: ServiceType::Realtime,
        keywords: "lorem, ipsum, dolor".into(),
        group: group.into(),
    };
    vec![
        s(
            "001",
            "Cans left out 24x7",
            "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
            "sanitation",
        ),
        s(
            "002",
            "Construction plate shifted",
            "Metal construction plate covering the street or sidewalk has been moved.",
            "street",
        ),
        s(
            "003",
            "Curb or curb ramp defect",
            "Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb.",
            "street",
        ),
    ]
}

/// Spec, "GET Service List", example response (XML, first service; the
/// other two list the same elements in another order).
#[test]
fn service_list_xml_matches_the_spec_example() {
    let expected = squash(
        r#"<?xml version="1.0" encoding="utf-8"?>
        <services>
            <service>
                <service_code>001</service_code>
                <service_name>Cans left out 24x7</service_name>
                <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
                <metadata>true</metadata>
                <type>realtime</type>
                <keywords>lorem, ipsum, dolor</keywords>
                <group>sanitation</group>
            </service>
        </services>"#,
    );
    let services = spec_services();
    assert_eq!(
        Payload::Services(&services[..1]).render(Format::Xml),
        expected
    );
    let all = Payload::Services(&services).render(Format::Xml);
    assert_eq!(all.matches("<service>").count(), 3);
}

/// Spec, "GET Service List", example response (JSON).
#[test]
fn service_list_json_matches_the_spec_example() {
    let expected = json!([
      {"service_code":"001","service_name":"Cans left out 24x7",
       "description":"Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
       "metadata":true,"type":"realtime","keywords":"lorem, ipsum, dolor","group":"sanitation"},
      {"service_code":"002","metadata":true,"type":"realtime","keywords":"lorem, ipsum, dolor","group":"street",
       "service_name":"Construction plate shifted",
       "description":"Metal construction plate covering the street or sidewalk has been moved."},
      {"service_code":"003","metadata":true,"type":"realtime","keywords":"lorem, ipsum, dolor","group":"street",
       "service_name":"Curb or curb ramp defect",
       "description":"Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb."}
    ]);
    let body = Payload::Services(&spec_services()).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        expected
    );
    let back: Vec<Service> = serde_json::from_value(expected).unwrap();
    assert_eq!(back, spec_services());
}

fn spec_definition() -> ServiceDefinitionDoc {
    ServiceDefinitionDoc {
        service_code: "DMV66".into(),
        attributes: vec![Attribute {
            variable: true,
            code: "WHISHETN".into(),
            datatype: crate::applications::Datatype::Singlevaluelist,
            required: true,
            datatype_description: None,
            order: 1,
            description: "What is the ticket/tag/DL number?".into(),
            values: vec![
                AttributeValue {
                    key: "123".into(),
                    name: "Ford".into(),
                },
                AttributeValue {
                    key: "124".into(),
                    name: "Chrysler".into(),
                },
            ],
        }],
    }
}

/// Spec, "GET Service Definition", example response (XML and JSON).
#[test]
fn service_definition_matches_the_spec_example() {
    let expected = squash(
        r#"<?xml version="1.0" encoding="utf-8"?>
        <service_definition>
            <service_code>DMV66</service_code>
            <attributes>
                <attribute>
                    <variable>true</variable>
                    <code>WHISHETN</code>
                    <datatype>singlevaluelist</datatype>
                    <required>true</required>
                    <datatype_description></datatype_description>
                    <order>1</order>
                    <description>What is the ticket/tag/DL number?</description>
                    <values>
                        <value>
                            <key>123</key>
                            <name>Ford</name>
                        </value>
                        <value>
                            <key>124</key>
                            <name>Chrysler</name>
                        </value>
                    </values>
                </attribute>
            </attributes>
        </service_definition>"#,
    );
    let def = spec_definition();
    assert_eq!(Payload::Definition(&def).render(Format::Xml), expected);
    let expected_json = json!({
      "service_code":"DMV66",
      "attributes":[{
          "variable":true,"code":"WHISHETN","datatype":"singlevaluelist","required":true,
          "datatype_description":null,"order":1,"description":"What is the ticket/tag/DL number?",
          "values":[{"key":"123","name":"Ford"},{"key":"124","name":"Chrysler"}]
      }]
    });
    let body = Payload::Definition(&def).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        expected_json
    );
}

/// Spec, "POST Service Request", example request body.
#[test]
fn the_spec_example_post_body_parses() {
    let body = "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001";
    let r = parse_post(body.as_bytes()).unwrap();
    assert_eq!(r.api_key.as_deref(), Some("xyz"));
    assert_eq!(r.jurisdiction_id.as_deref(), Some("city.gov"));
    assert_eq!(r.service_code, "001");
    assert_eq!((r.lat, r.long), (Some(37.76524078), Some(-122.4212043)));
    assert_eq!(r.address_string.as_deref(), Some("1234 5th street"));
    assert_eq!(r.email.as_deref(), Some("smit333@sfgov.edu"));
    assert_eq!(r.device_id.as_deref(), Some("tt222111"));
    assert_eq!(r.account_id.as_deref(), Some("123456"));
    assert_eq!(
        (r.first_name.as_deref(), r.last_name.as_deref()),
        (Some("john"), Some("smith"))
    );
    assert_eq!(r.phone.as_deref(), Some("111111111"));
    assert_eq!(
        r.description.as_deref(),
        Some("A large sinkhole is destroying the street")
    );
    assert_eq!(
        r.media_url.as_deref(),
        Some("http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg")
    );
    assert_eq!(r.attributes["WHISPAWN"], ["123456"]);
    assert_eq!(r.attributes["WHISDORN"], ["COISL001"]);
}

/// Spec, "POST Service Request", required arguments: multiple values for
/// a multivaluelist as `attribute[code1][]=value1&attribute[code1][]=value2`;
/// also percent-encoded brackets, as browsers send them.
#[test]
fn multi_value_attributes_parse() {
    let body = "service_code=enterprise_checkup&address_id=A1&attribute[areas][]=contracts&attribute%5Bareas%5D%5B%5D=employment&attribute[x]=1&attribute[x]=2";
    let r = parse_post(body.as_bytes()).unwrap();
    assert_eq!(r.attributes["areas"], ["contracts", "employment"]);
    assert_eq!(r.attributes["x"], ["1", "2"]);
}

#[test]
fn bad_post_bodies_are_answered_with_every_fault() {
    let errors = parse_post(b"lat=91&attribute[=1&attribute[a]b]=2&phone=1&phone=2").unwrap_err();
    let descriptions: Vec<&str> = errors.iter().map(|e| e.description.as_str()).collect();
    assert!(errors.iter().all(|e| e.code == 400), "{errors:?}");
    assert_eq!(errors.len(), 7, "{descriptions:#?}");
    assert!(descriptions.iter().any(|d| d.contains("attribute[")));
    assert!(descriptions.contains(&"phone was given more than once"));
    assert!(descriptions.contains(&"service_code was not provided"));
    assert!(descriptions.iter().any(|d| d.starts_with("lat must be")));
    assert!(descriptions.contains(&"lat and long must be sent together"));
    assert!(
        descriptions
            .iter()
            .any(|d| d.starts_with("a location is required"))
    );
    // Blank parameters count as absent (spec, "Optional Arguments").
    let errors = parse_post(b"service_code=x&address_string=+&lat=&long=").unwrap_err();
    assert_eq!(errors.len(), 1);
    let long = format!(
        "service_code=x&address_id=1&description={}",
        "a".repeat(4001)
    );
    assert!(
        parse_post(long.as_bytes()).unwrap_err()[0]
            .description
            .contains("4000")
    );
}

/// Spec, "POST Service Request", example response (XML and JSON).
#[test]
fn post_response_matches_the_spec_example() {
    let notice = "The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code";
    let posted = [PostResponse {
        service_request_id: Some("293944".into()),
        token: None,
        service_notice: Some(notice.into()),
        account_id: None,
    }];
    // The spec's example has the notice on its own indented line and
    // `<account_id/>`; the same content, compactly:
    let expected = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>293944</service_request_id><service_notice>{notice}</service_notice><account_id></account_id></request></service_requests>"#
    );
    assert_eq!(Payload::Posted(&posted).render(Format::Xml), expected);
    let body = Payload::Posted(&posted).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        json!([{"service_request_id":"293944","service_notice":notice,"account_id":null}])
    );
    // A batch answer carries the token and no id.
    let batch = [PostResponse {
        service_request_id: None,
        token: Some("12345".into()),
        service_notice: None,
        account_id: None,
    }];
    let xml = Payload::Posted(&batch).render(Format::Xml);
    assert!(xml.contains("<token>12345</token>") && !xml.contains("service_request_id"));
}

/// Spec, "GET service_request_id from a token", example response.
#[test]
fn token_response_matches_the_spec_example() {
    let tokens = [TokenResponse {
        service_request_id: Some("638344".into()),
        token: "12345".into(),
    }];
    let expected = squash(
        r#"<?xml version="1.0" encoding="utf-8"?>
        <service_requests>
            <request>
                <service_request_id>638344</service_request_id>
                <token>12345</token>
            </request>
        </service_requests>"#,
    );
    assert_eq!(Payload::Tokens(&tokens).render(Format::Xml), expected);
    let body = Payload::Tokens(&tokens).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        json!([{"service_request_id":"638344","token":"12345"}])
    );
}

fn spec_request(
    id: &str,
    status: Status,
    notes: Option<&str>,
    day: &str,
    expected: &str,
    media: &str,
) -> ServiceRequest {
    ServiceRequest {
        service_request_id: id.into(),
        status,
        status_notes: notes.map(str::to_string),
        service_name: "Sidewalk and Curb Issues".into(),
        service_code: "006".into(),
        description: None,
        agency_responsible: None,
        service_notice: None,
        requested_datetime: t(day),
        updated_datetime: Some(t(day)),
        expected_datetime: Some(t(expected)),
        address: Some("8TH AVE and JUDAH ST".into()),
        address_id: Some("545483".into()),
        zipcode: Some("94122".into()),
        lat: Some(37.762221815),
        long: Some(-122.4651145),
        media_url: Some(media.into()),
    }
}

/// Spec, "GET Service Requests", example response (XML; `media_url` as
/// the example writes it, with a trailing space).
#[test]
fn service_requests_xml_matches_the_spec_example() {
    let requests = [
        spec_request(
            "638344",
            Status::Closed,
            Some("Duplicate request."),
            "2010-04-14T06:37:38-08:00",
            "2010-04-15T06:37:38-08:00",
            "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg ",
        ),
        spec_request(
            "638349",
            Status::Open,
            None,
            "2010-04-19T06:37:38-08:00",
            "2010-04-19T06:37:38-08:00",
            "http://city.gov.s3.amazonaws.com/requests/media/638349.jpg ",
        ),
    ];
    let expected = squash(
        r#"<?xml version="1.0" encoding="utf-8"?>
        <service_requests>
            <request>
                <service_request_id>638344</service_request_id>
                <status>closed</status>
                <status_notes>Duplicate request.</status_notes>
                <service_name>Sidewalk and Curb Issues</service_name>
                <service_code>006</service_code>
                <description></description>
                <agency_responsible></agency_responsible>
                <service_notice></service_notice>
                <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
                <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
                <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
                <address>8TH AVE and JUDAH ST</address>
                <address_id>545483</address_id>
                <zipcode>94122</zipcode>
                <lat>37.762221815</lat>
                <long>-122.4651145</long>
                <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg </media_url>
            </request>
            <request>
                <service_request_id>638349</service_request_id>
                <status>open</status>
                <status_notes></status_notes>
                <service_name>Sidewalk and Curb Issues</service_name>
                <service_code>006</service_code>
                <description></description>
                <agency_responsible></agency_responsible>
                <service_notice></service_notice>
                <requested_datetime>2010-04-19T06:37:38-08:00</requested_datetime>
                <updated_datetime>2010-04-19T06:37:38-08:00</updated_datetime>
                <expected_datetime>2010-04-19T06:37:38-08:00</expected_datetime>
                <address>8TH AVE and JUDAH ST</address>
                <address_id>545483</address_id>
                <zipcode>94122</zipcode>
                <lat>37.762221815</lat>
                <long>-122.4651145</long>
                <media_url>http://city.gov.s3.amazonaws.com/requests/media/638349.jpg </media_url>
            </request>
        </service_requests>"#,
    );
    assert_eq!(Payload::Requests(&requests).render(Format::Xml), expected);
}

/// Spec, "GET Service Request(s)", example response (JSON).
#[test]
fn service_requests_json_matches_the_spec_example() {
    let requests = [spec_request(
        "638344",
        Status::Closed,
        Some("Duplicate request."),
        "2010-04-14T06:37:38-08:00",
        "2010-04-15T06:37:38-08:00",
        "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
    )];
    let expected = json!([{
        "service_request_id":"638344","status":"closed","status_notes":"Duplicate request.",
        "service_name":"Sidewalk and Curb Issues","service_code":"006","description":null,
        "agency_responsible":null,"service_notice":null,
        "requested_datetime":"2010-04-14T06:37:38-08:00","updated_datetime":"2010-04-14T06:37:38-08:00",
        "expected_datetime":"2010-04-15T06:37:38-08:00","address":"8TH AVE and JUDAH ST",
        "address_id":"545483","zipcode":"94122","lat":37.762221815,"long":-122.4651145,
        "media_url":"http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"
    }]);
    let body = Payload::Requests(&requests).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        expected
    );
    let back: Vec<ServiceRequest> = serde_json::from_value(expected).unwrap();
    assert_eq!(back, requests);
}

/// Spec, "Errors", example (HTTP 403; XML and JSON).
#[test]
fn errors_match_the_spec_example() {
    let errors = [Open311Error::forbidden(
        "Invalid api_key received -- can't proceed with create_request.",
    )];
    let expected = squash(
        r#"<?xml version="1.0" encoding="utf-8"?>
        <errors>
            <error>
                <code>403</code>
                <description>Invalid api_key received -- can&apos;t proceed with create_request.</description>
            </error>
        </errors>"#,
    );
    // The spec writes the apostrophe raw; escaped, it is the same text.
    assert_eq!(Payload::Errors(&errors).render(Format::Xml), expected);
    let body = Payload::Errors(&errors).render(Format::Json);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        json!([{"code":403,"description":"Invalid api_key received -- can't proceed with create_request."}])
    );
    assert_eq!(http_status(&errors), 403);
    assert_eq!(
        http_status(&[Open311Error::bad_request("x"), Open311Error::not_found("y")]),
        404
    );
    assert_eq!(http_status(&[Open311Error::bad_request("x")]), 400);
}

#[test]
fn xml_text_is_escaped() {
    assert_eq!(
        xml::escape("a<b>&\"c\" 调解\u{1}\n"),
        "a&lt;b&gt;&amp;&quot;c&quot; 调解\n"
    );
    let s = Service {
        service_code: "x".into(),
        service_name: "<script>".into(),
        description: "A & B".into(),
        metadata: false,
        service_type: ServiceType::Batch,
        keywords: String::new(),
        group: String::new(),
    };
    let xml = Payload::Services(&[s]).render(Format::Xml);
    assert!(xml.contains("<service_name>&lt;script&gt;</service_name>"));
    assert!(xml.contains("<description>A &amp; B</description>"));
    assert!(xml.contains("<type>batch</type>"));
}

#[test]
fn our_types_map_onto_open311_services_and_definitions() {
    let catalog = ServiceRegistry::with_defaults().unwrap();
    let legal_aid = catalog.latest("legal_aid").unwrap();
    let zh = service_from_definition(legal_aid, Language::Zh);
    assert_eq!(
        (
            zh.service_code.as_str(),
            zh.service_name.as_str(),
            zh.metadata,
            zh.service_type
        ),
        ("legal_aid", "法律援助申请", true, ServiceType::Realtime)
    );
    assert!(zh.keywords.contains("法律援助, 法援"));
    let en = service_from_definition(legal_aid, Language::from_tag("en-GB"));
    assert_eq!(en.service_name, "Legal aid application");
    let doc = definition_doc(legal_aid, Language::En);
    let income = doc
        .attributes
        .iter()
        .find(|a| a.code == "monthly_household_income")
        .unwrap();
    assert_eq!(
        (income.datatype.as_str(), income.required, income.order),
        ("number", true, 4)
    );
    assert!(
        income
            .datatype_description
            .as_deref()
            .unwrap()
            .contains("after tax")
    );
    let case = doc
        .attributes
        .iter()
        .find(|a| a.code == "case_type")
        .unwrap();
    assert!(
        case.values
            .iter()
            .any(|v| v.key == "labour_pay" && v.name.contains("wages"))
    );
    let orders: Vec<u32> = doc.attributes.iter().map(|a| a.order).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]));
    // Every shipped type renders in both formats.
    for def in catalog.active() {
        let doc = definition_doc(def, Language::Zh);
        assert!(
            Payload::Definition(&doc)
                .render(Format::Xml)
                .starts_with(xml::XML_DECLARATION)
        );
    }
    assert_eq!(
        service_notice(legal_aid, Language::Zh)
            .as_deref()
            .map(|n| n.contains("审查")),
        Some(true)
    );
}

#[test]
fn order_states_map_onto_open_and_closed() {
    for s in [
        "submitted",
        "open",
        "claimed",
        "assigned",
        "in_progress",
        "transferred",
        "escalated",
    ] {
        assert_eq!(status_for_state(s), Some(Status::Open), "{s}");
    }
    for s in ["resolved", "evaluated", "closed", "cancelled"] {
        assert_eq!(status_for_state(s), Some(Status::Closed), "{s}");
    }
    assert_eq!(status_for_state("Resolved"), None);
    assert_eq!(status_for_state("archived"), None);
}

/// An Open311 POST becomes a validated application (the server stores it
/// as an order), and the order's status reads back in Open311 terms.
#[test]
fn an_open311_post_becomes_an_application_and_its_status_reads_back() {
    let catalog = ServiceRegistry::with_defaults().unwrap();
    let body = "service_code=mediation&lat=27.9400&long=120.7600&description=%E6%BC%8F%E6%B0%B4&first_name=%E4%B8%89&last_name=%E5%BC%A0\
        &attribute[dispute_type]=neighbour&attribute[other_party]=%E6%9D%8E%E5%9B%9B\
        &attribute[facts]=%E6%A5%BC%E4%B8%8A%E6%BC%8F%E6%B0%B4%E5%AF%BC%E8%87%B4%E5%A4%A9%E8%8A%B1%E6%9D%BF%E5%8F%97%E6%8D%9F%E5%B7%B2%E4%B8%A4%E5%91%A8\
        &attribute[claim]=%E8%B5%94%E5%81%BF&attribute[mode]=video";
    let post = parse_post(body.as_bytes()).unwrap();
    let app = intake(&catalog, &post, now()).unwrap();
    assert_eq!((app.service_code.as_str(), app.version), ("mediation", 1));
    assert_eq!(app.answers["mode"], AnswerValue::Choice("video".into()));
    assert_eq!(app.answers["other_party"], AnswerValue::Text("李四".into()));

    // What the server answers the POST with, and later GET requests/{id}.
    let def = catalog.get(&app.service_code, app.version).unwrap();
    let posted = [PostResponse {
        service_request_id: Some("ord-1".into()),
        token: None,
        service_notice: service_notice(def, Language::Zh),
        account_id: None,
    }];
    assert!(
        Payload::Posted(&posted)
            .render(Format::Xml)
            .contains("<service_request_id>ord-1</service_request_id>")
    );
    let requested = now().fixed_offset();
    let status = |state: &str| ServiceRequest {
        service_request_id: "ord-1".into(),
        status: status_for_state(state).unwrap(),
        status_notes: None,
        service_name: service_from_definition(def, Language::Zh).service_name,
        service_code: def.code.clone(),
        description: post.description.clone(),
        agency_responsible: Some("永中街道司法所".into()),
        service_notice: service_notice(def, Language::Zh),
        requested_datetime: requested,
        updated_datetime: Some(requested),
        expected_datetime: Some(expected_datetime(
            def,
            requested,
            crate::applications::weekdays_only,
        )),
        address: post.address_string.clone(),
        address_id: None,
        zipcode: None,
        lat: post.lat,
        long: post.long,
        media_url: None,
    };
    for (state, want) in [
        ("submitted", "open"),
        ("in_progress", "open"),
        ("resolved", "closed"),
    ] {
        let r = [status(state)];
        let json: serde_json::Value =
            serde_json::from_str(&Payload::Requests(&r).render(Format::Json)).unwrap();
        assert_eq!(json[0]["status"], want);
        assert_eq!(json[0]["service_code"], "mediation");
        // Wed 2024-03-06 + 5 working days = Wed 2024-03-13, same time.
        assert_eq!(json[0]["expected_datetime"], "2024-03-13T02:00:00Z");
        assert!(
            Payload::Requests(&r)
                .render(Format::Xml)
                .contains(&format!("<status>{want}</status>"))
        );
    }
}

#[test]
fn bad_open311_posts_get_every_attribute_fault_in_the_spec_format() {
    let catalog = ServiceRegistry::with_defaults().unwrap();
    let unknown = parse_post(b"service_code=potholes&address_id=1").unwrap();
    let errors = intake(&catalog, &unknown, now()).unwrap_err();
    assert_eq!(
        errors,
        vec![Open311Error::not_found(
            "service_code \"potholes\" was not found"
        )]
    );
    assert_eq!(http_status(&errors), 404);

    let body = "service_code=legal_aid&address_string=%E6%B0%B8%E4%B8%AD\
        &attribute[monthly_household_income]=lots&attribute[household_size]=0\
        &attribute[case_type]=labour_pay&attribute[case_type]=maintenance\
        &attribute[special_groups][]=migrant_worker&attribute[special_groups][]=alien&attribute[colour]=red";
    let post = parse_post(body.as_bytes()).unwrap();
    let errors = intake(&catalog, &post, now()).unwrap_err();
    let d: Vec<&str> = errors.iter().map(|e| e.description.as_str()).collect();
    assert_eq!(
        d,
        [
            "attribute[case_type]: only one value is allowed",
            "attribute[monthly_household_income]: not a number",
            "attribute[colour]: this form has no such question",
            "attribute[applicant_name]: an answer is required",
            "attribute[id_number]: an answer is required",
            "attribute[household_size]: the number must be at least 1",
            "attribute[special_groups]: \"alien\" is not one of the options",
            "attribute[facts]: an answer is required",
        ]
    );
    assert!(errors.iter().all(|e| e.code == 400));
    let xml = Payload::Errors(&errors).render(Format::Xml);
    assert!(
        xml.starts_with(r#"<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>"#)
    );
}

/// Spec, "GET Service Requests", sample URL query.
#[test]
fn the_requests_query_parses_with_the_90_day_rule() {
    let q = parse_requests_query(
        "start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open&jurisdiction_id=city.gov",
        now(),
    )
    .unwrap();
    assert_eq!(
        (q.start_date, q.end_date),
        (t("2010-05-24T00:00:00Z"), t("2010-06-24T00:00:00Z"))
    );
    assert_eq!(q.statuses, [Status::Open]);
    assert!(q.service_codes.is_empty() && q.service_request_ids.is_empty());

    let q = parse_requests_query(
        "?service_request_id=1,2&service_code=mediation,legal_aid&status=open,closed",
        now(),
    )
    .unwrap();
    assert_eq!(q.service_request_ids, ["1", "2"]);
    assert_eq!(q.service_codes, ["mediation", "legal_aid"]);
    assert_eq!(q.end_date, now().fixed_offset());
    assert_eq!(q.end_date - q.start_date, chrono::Duration::days(90));

    let errors = parse_requests_query(
        "start_date=2010-01-01T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=pending",
        now(),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 2);
    assert!(errors[1].description.contains("90 days"));
    let errors = parse_requests_query("start_date=2010-01-01", now()).unwrap_err();
    assert!(errors[0].description.contains("W3C"));
}
