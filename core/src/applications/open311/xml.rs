//! The XML renderings of the Open311 shapes, as the specification shows
//! them: `<?xml version="1.0" encoding="utf-8"?>`, then `<services>
//! <service>…`, `<service_definition>…`, `<service_requests><request>…`
//! or `<errors><error>…`; no attributes, no namespace. An absent value is
//! an empty element (`<status_notes></status_notes>`), as in the spec's
//! examples, except the POST answer's `service_request_id`/`token`, of
//! which only the one returned appears.

use super::{
    Attribute, Open311Error, Payload, PostResponse, Service, ServiceDefinitionDoc, ServiceRequest,
    TokenResponse, w3_datetime,
};

/// The XML declaration every body starts with.
pub const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// Escapes text for an XML element, and drops the characters XML 1.0
/// cannot carry at all (controls other than tab, line feed, return).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

struct Writer {
    out: String,
}

impl Writer {
    fn new() -> Self {
        Writer {
            out: XML_DECLARATION.to_string(),
        }
    }

    fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn text(&mut self, name: &str, value: &str) {
        self.open(name);
        self.out.push_str(&escape(value));
        self.close(name);
    }

    fn opt(&mut self, name: &str, value: Option<&str>) {
        self.text(name, value.unwrap_or(""));
    }

    fn display(&mut self, name: &str, value: impl std::fmt::Display) {
        self.text(name, &value.to_string());
    }

    fn list<T>(&mut self, root: &str, item: &str, items: &[T], each: impl Fn(&mut Self, &T)) {
        self.open(root);
        for i in items {
            self.open(item);
            each(self, i);
            self.close(item);
        }
        self.close(root);
    }
}

fn service(w: &mut Writer, s: &Service) {
    w.text("service_code", &s.service_code);
    w.text("service_name", &s.service_name);
    w.text("description", &s.description);
    w.display("metadata", s.metadata);
    w.text("type", s.service_type.as_str());
    w.text("keywords", &s.keywords);
    w.text("group", &s.group);
}

fn attribute(w: &mut Writer, a: &Attribute) {
    w.display("variable", a.variable);
    w.text("code", &a.code);
    w.text("datatype", a.datatype.as_str());
    w.display("required", a.required);
    w.opt("datatype_description", a.datatype_description.as_deref());
    w.display("order", a.order);
    w.text("description", &a.description);
    if !a.values.is_empty() {
        w.list("values", "value", &a.values, |w, v| {
            w.text("key", &v.key);
            w.text("name", &v.name);
        });
    }
}

fn definition(w: &mut Writer, d: &ServiceDefinitionDoc) {
    w.open("service_definition");
    w.text("service_code", &d.service_code);
    w.list("attributes", "attribute", &d.attributes, attribute);
    w.close("service_definition");
}

fn request(w: &mut Writer, r: &ServiceRequest) {
    w.text("service_request_id", &r.service_request_id);
    w.text("status", r.status.as_str());
    w.opt("status_notes", r.status_notes.as_deref());
    w.text("service_name", &r.service_name);
    w.text("service_code", &r.service_code);
    w.opt("description", r.description.as_deref());
    w.opt("agency_responsible", r.agency_responsible.as_deref());
    w.opt("service_notice", r.service_notice.as_deref());
    w.text("requested_datetime", &w3_datetime(&r.requested_datetime));
    w.opt(
        "updated_datetime",
        r.updated_datetime.as_ref().map(w3_datetime).as_deref(),
    );
    w.opt(
        "expected_datetime",
        r.expected_datetime.as_ref().map(w3_datetime).as_deref(),
    );
    w.opt("address", r.address.as_deref());
    w.opt("address_id", r.address_id.as_deref());
    w.opt("zipcode", r.zipcode.as_deref());
    w.opt("lat", r.lat.map(|v| v.to_string()).as_deref());
    w.opt("long", r.long.map(|v| v.to_string()).as_deref());
    w.opt("media_url", r.media_url.as_deref());
}

fn posted(w: &mut Writer, p: &PostResponse) {
    if let Some(id) = &p.service_request_id {
        w.text("service_request_id", id);
    }
    if let Some(token) = &p.token {
        w.text("token", token);
    }
    w.opt("service_notice", p.service_notice.as_deref());
    w.opt("account_id", p.account_id.as_deref());
}

fn token(w: &mut Writer, t: &TokenResponse) {
    w.opt("service_request_id", t.service_request_id.as_deref());
    w.text("token", &t.token);
}

fn error(w: &mut Writer, e: &Open311Error) {
    w.display("code", e.code);
    w.text("description", &e.description);
}

/// The XML body of a payload.
pub fn render(payload: &Payload<'_>) -> String {
    let mut w = Writer::new();
    match payload {
        Payload::Services(v) => w.list("services", "service", v, service),
        Payload::Definition(d) => definition(&mut w, d),
        Payload::Requests(v) => w.list("service_requests", "request", v, request),
        Payload::Posted(v) => w.list("service_requests", "request", v, posted),
        Payload::Tokens(v) => w.list("service_requests", "request", v, token),
        Payload::Errors(v) => w.list("errors", "error", v, error),
    }
    w.out
}
