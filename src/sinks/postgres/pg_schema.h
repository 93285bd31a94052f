// The live tables' schema in PostgreSQL, created and migrated on open:
// pins_live, pins_rejected, pinpipe_offsets, versioned in pinpipe_migrations
// (component 'live'). Migration runs under an advisory lock, so two
// processes opening one database at once do not race.
#pragma once

#include "core/status.h"
#include "sinks/postgres/pg_connection.h"

namespace pinpipe::sinks::postgres {

// The newest schema version this build knows.
int LiveSchemaVersion();

// Brings the schema to LiveSchemaVersion() in one transaction. Idempotent.
// kInvalidArgument when the database holds a newer version than this build
// knows (an older pinpipe against a newer schema).
Status MigrateLiveSchema(PgConnection* conn);

// Per-connection session state the sink needs: temporary staging tables that
// empty themselves at every commit. Call once after each (re)connect.
Status CreateStagingTables(PgConnection* conn);

}  // namespace pinpipe::sinks::postgres
