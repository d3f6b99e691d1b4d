use super::*;
use crate::SchemaTag;

/// `Reading { #[tag] sensor: String, #[rename = "count"] hits: i64, level: f64, text: String,
/// any: Value }`, as the derive describes it.
const READING: Schema = Schema::__new(
    "Reading",
    "reading",
    &["sensor"],
    &["any", "count", "level", "text"],
    &[SchemaTag::__new("sensor", "sensor")],
    &[
        SchemaField::__new("any", "any", "Value", None),
        SchemaField::__new("count", "hits", "i64", Some(FieldType::Integer)),
        SchemaField::__new("level", "level", "f64", Some(FieldType::Float)),
        SchemaField::__new("text", "text", "String", Some(FieldType::String)),
    ],
    true,
);

fn server(fields: &[(&str, &str)], tags: &[&str]) -> ServerKeys {
    ServerKeys {
        fields: fields
            .iter()
            .map(|(key, ty)| ((*key).to_owned(), (*ty).to_owned()))
            .collect(),
        tags: tags.iter().map(|&tag| tag.to_owned()).collect(),
    }
}

fn report(server: &ServerKeys) -> SchemaReport {
    let mut report = SchemaReport::default();
    compare(&READING, server, &mut report);
    report
}

#[test]
fn the_same_keys_and_types_or_none_at_all_are_compatible() {
    for keys in [
        server(&[], &[]),
        server(
            &[
                ("any", "boolean"),
                ("count", "integer"),
                ("level", "float"),
                ("text", "string"),
            ],
            &["sensor"],
        ),
        server(&[("level", "float")], &[]),
    ] {
        let report = report(&keys);
        assert!(report.is_compatible(), "{keys:?}");
        assert_eq!(report, SchemaReport::default(), "{keys:?}");
        assert_eq!(report.to_string(), "the schema matches the server's");
    }
}

#[test]
fn a_field_of_another_type_conflicts_and_names_the_rust_field() {
    let report = report(&server(
        &[("count", "float"), ("level", "float"), ("text", "integer")],
        &[],
    ));
    assert!(!report.is_compatible());
    let [count, text] = report.conflicts() else {
        panic!("{report:?}")
    };
    assert_eq!(
        (count.rust_type(), count.rust_field(), count.key()),
        ("Reading", "hits", "count")
    );
    assert_eq!(count.measurement(), "reading");
    assert_eq!(count.written_as(), Some(FieldType::Integer));
    assert_eq!(count.server(), &ServerKey::Field("float".to_owned()));
    assert_eq!(
        count.to_string(),
        "`Reading::hits` (i64, written as integer) conflicts with the server's float field `count` of measurement `reading`"
    );
    assert_eq!(
        text.to_string(),
        "`Reading::text` (String, written as string) conflicts with the server's integer field `text` of measurement `reading`"
    );
    assert!(report.server_only().is_empty());
}

#[test]
fn a_field_listed_with_two_types_conflicts_with_the_other_one() {
    // Shards of different times can hold one key with different types.
    let report = report(&server(&[("level", "float"), ("level", "string")], &[]));
    let [level] = report.conflicts() else {
        panic!("{report:?}")
    };
    assert_eq!(level.server(), &ServerKey::Field("string".to_owned()));
}

#[test]
fn a_tag_on_one_side_and_a_field_on_the_other_conflict() {
    let report = report(&server(&[("sensor", "string")], &["level"]));
    let [sensor, level] = report.conflicts() else {
        panic!("{report:?}")
    };
    assert_eq!(sensor.written_as(), None);
    assert_eq!(
        sensor.to_string(),
        "`Reading::sensor` (written as tag) conflicts with the server's string field `sensor` of measurement `reading`"
    );
    assert_eq!(level.server(), &ServerKey::Tag);
    assert_eq!(
        level.to_string(),
        "`Reading::level` (f64, written as float) conflicts with the server's tag `level` of measurement `reading`"
    );
}

#[test]
fn a_field_whose_value_decides_its_type_conflicts_with_nothing() {
    for keys in [server(&[("any", "string")], &[]), server(&[], &["any"])] {
        assert_eq!(report(&keys), SchemaReport::default(), "{keys:?}");
    }
}

#[test]
fn keys_only_the_server_has_are_information() {
    let report = report(&server(
        &[("count", "integer"), ("extra", "boolean")],
        &["host", "sensor"],
    ));
    assert!(report.is_compatible());
    let keys: Vec<_> = report
        .server_only()
        .iter()
        .map(|key| (key.measurement(), key.key(), key.server().clone()))
        .collect();
    assert_eq!(
        keys,
        [
            ("reading", "extra", ServerKey::Field("boolean".to_owned())),
            ("reading", "host", ServerKey::Tag)
        ]
    );
    assert_eq!(
        report.to_string(),
        "the server's boolean field `extra` of measurement `reading` is not written by the type\n\
         the server's tag `host` of measurement `reading` is not written by the type"
    );
}

#[test]
fn conflicts_come_before_information_in_the_report() {
    let report = report(&server(&[("extra", "float"), ("count", "string")], &[]));
    assert_eq!(
        report.to_string(),
        "`Reading::hits` (i64, written as integer) conflicts with the server's string field `count` of measurement `reading`\n\
         the server's float field `extra` of measurement `reading` is not written by the type"
    );
}

fn partial_write(reason: &str) -> Error {
    Error::new(
        ErrorKind::PartialWrite,
        format!("partial write: {reason} dropped=1"),
    )
    .with_status(400)
    .with_dropped(Some(1))
}

#[test]
fn a_type_conflict_of_a_partial_write_names_the_rust_field() {
    let message = "partial write: field type conflict: input field \"count\" on measurement \"reading\" is type integer, already exists as type float dropped=1";
    let error = name_conflicting_field(
        partial_write(
            "field type conflict: input field \"count\" on measurement \"reading\" is type integer, already exists as type float",
        ),
        &[READING],
    );
    assert_eq!(error.message(), message, "the server's message is kept");
    assert_eq!(
        error.to_string(),
        format!(
            "partial write (HTTP 400): {message} (`Reading::hits` (i64, written as integer) conflicts with the server's float field `count`)"
        )
    );
}

#[test]
fn names_are_matched_as_the_server_writes_them_unescaped() {
    const ODD: Schema = Schema::__new(
        "Odd",
        "we \"ir,d\\x€",
        &[],
        &["f \"q\\\\=x,"],
        &[],
        &[SchemaField::__new(
            "f \"q\\\\=x,",
            "f",
            "bool",
            Some(FieldType::Boolean),
        )],
        false,
    );
    // The server's own text for these names (InfluxDB 1.6.7).
    let reason = "field type conflict: input field \"f \"q\\\\=x,\" on measurement \"we \"ir,d\\x€\" is type boolean, already exists as type float";
    let error = name_conflicting_field(partial_write(reason), &[READING, ODD]);
    assert!(
        error.to_string().ends_with(
            " (`Odd::f` (bool, written as boolean) conflicts with the server's float field `f \"q\\\\=x,`)"
        ),
        "{error}"
    );
}

#[test]
fn other_errors_and_reasons_are_left_as_they_are() {
    let unchanged = |error: Error| {
        let before = error.to_string();
        let after = name_conflicting_field(error, &[READING]).to_string();
        assert_eq!(after, before);
    };
    // Another measurement, another field, a prefix of the key, another reason, a cut reason.
    for reason in [
        "field type conflict: input field \"count\" on measurement \"other\" is type integer, already exists as type float",
        "field type conflict: input field \"counter\" on measurement \"reading\" is type integer, already exists as type float",
        "field type conflict: input field \"coun\" on measurement \"reading\" is type integer, already exists as type float",
        "points beyond retention policy",
        "field type conflict: input field \"count\" on measurement \"reading\" is type integer",
    ] {
        unchanged(partial_write(reason));
    }
    unchanged(Error::new(
        ErrorKind::WriteFailed,
        "field type conflict: input field \"count\" on measurement \"reading\" is type integer, already exists as type float",
    ));
    unchanged(name_conflicting_field(partial_write("x"), &[]));
}

#[test]
fn a_session_refuses_to_commit_on_a_conflict_only() {
    // Keys only the server has are information, not a reason to refuse.
    let informative = report(&server(&[("count", "integer"), ("extra", "float")], &[]));
    assert_eq!(informative.server_only().len(), 1);
    assert!(refuse_conflicts(&informative).is_ok());
    assert!(refuse_conflicts(&SchemaReport::default()).is_ok());

    let conflicting = report(&server(
        &[("count", "float"), ("extra", "float")],
        &["level"],
    ));
    let err = refuse_conflicts(&conflicting).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaConflict);
    assert_eq!(err.message(), conflicting.to_string());
    assert_eq!(
        err.to_string(),
        "schema conflict: `Reading::hits` (i64, written as integer) conflicts with the server's float field `count` of measurement `reading`\n\
         `Reading::level` (f64, written as float) conflicts with the server's tag `level` of measurement `reading`\n\
         the server's float field `extra` of measurement `reading` is not written by the type"
    );
}
