//! Helpers the migrations share. They build statements only; changing them must never change
//! what a landed migration creates.

use sea_orm_migration::prelude::*;

/// A foreign key from `from` (table, column) to `to`, cascading deletes when asked.
pub fn fk(
    name: &str,
    from: (&str, &str),
    to: (&str, &str),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.name(name)
        .from(from.0.to_owned(), from.1.to_owned())
        .to(to.0.to_owned(), to.1.to_owned());
    if cascade {
        f.on_delete(ForeignKeyAction::Cascade);
    }
    f.to_owned()
}

/// A plain (non-unique) index.
pub fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table.to_owned());
    for c in cols {
        i.col(String::from(*c));
    }
    i.to_owned()
}

/// Drops tables, children first, for a migration's `down`.
pub async fn drop_tables(m: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for t in tables {
        m.drop_table(Table::drop().table(String::from(*t)).if_exists().to_owned())
            .await?;
    }
    Ok(())
}
