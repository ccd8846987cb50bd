//! The chain as a GS1 EPCIS 2.0 document (JSON-LD), so the record can travel to other systems
//! and national platforms. Harvest is an ObjectEvent commissioning the lot (with its lot data
//! as ILMD), packing, shipping and receiving follow as ObjectEvents with their CBV business
//! steps, and inspections as ObjectEvents with bizStep inspecting.

use crate::domain::EventKind;
use crate::service::Record;
use serde_json::{Value, json};

/// The lot's class identifier: an LGTIN when the listing has a GTIN, otherwise a platform URI.
fn epc_class(record: &Record, gtin: Option<&str>) -> String {
    match gtin {
        Some(g) => format!("https://id.gs1.org/01/{g}/10/{}", record.batch.lot),
        None => format!("urn:farmgate:lot:{}", record.batch.code),
    }
}

fn uom(unit: &str) -> &'static str {
    // UN/CEFACT Recommendation 20 codes.
    match unit {
        "kg" => "KGM",
        "jin" => "JIN",
        "box" => "CT",
        "bag" => "BG",
        _ => "H87",
    }
}

pub fn document(record: &Record, gtin: Option<&str>, created: &str) -> Value {
    let facts = record.facts();
    let class = epc_class(record, gtin);
    let quantity = facts["quantity"].as_i64().unwrap_or(0);
    let unit = facts["quantity_unit"].as_str().unwrap_or("");
    let read_point = match (
        facts["plot"]["lat_e6"].as_i64(),
        facts["plot"]["lng_e6"].as_i64(),
    ) {
        (Some(lat), Some(lng)) => format!("geo:{:.6},{:.6}", lat as f64 / 1e6, lng as f64 / 1e6),
        _ => format!("urn:farmgate:plot:{}", record.batch.id),
    };
    let mut events = Vec::new();
    for e in &record.events {
        let step = match e.kind {
            EventKind::Created | EventKind::Harvest => "commissioning",
            EventKind::Packing => "packing",
            EventKind::Shipping => "shipping",
            EventKind::Receiving => "receiving",
            EventKind::Inspection | EventKind::LabCheck => "inspecting",
            EventKind::Planting | EventKind::Input | EventKind::Note | EventKind::Recall => {
                continue;
            }
        };
        let mut ev = json!({
            "type": "ObjectEvent",
            "eventID": format!("ni:///sha-256;{}?ver=CBV2.0", e.hash),
            "eventTime": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "eventTimeZoneOffset": "+08:00",
            "recordTime": e.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "action": if step == "commissioning" { "ADD" } else { "OBSERVE" },
            "bizStep": step,
            "quantityList": [{ "epcClass": class, "quantity": quantity, "uom": uom(unit) }],
            "readPoint": { "id": read_point },
            "farmgate:hash": e.hash,
            "farmgate:prevHash": e.prev_hash,
        });
        if e.seq == 0 {
            ev["ilmd"] = json!({
                "cbvmda:lotNumber": record.batch.lot,
                "cbvmda:countryOfOrigin": "CN",
                "cbvmda:harvestStartDate": facts["started_on"],
                "cbvmda:harvestEndDate": facts["harvest_date"],
            });
        }
        if matches!(e.kind, EventKind::Inspection | EventKind::LabCheck) {
            ev["farmgate:inspectionResult"] = e.body["data"]["result"].clone();
        }
        events.push(ev);
    }
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", { "farmgate": "urn:farmgate:epcis:" }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": { "eventList": events },
    })
}
