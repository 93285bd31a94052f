// The SQL of the PostgreSQL live sink, in one place: both commit paths
// (binary COPY through staging tables for large batches, pipelined binary
// array parameters for small ones) write the same rows with the same
// newer-wins rule. Every value is a bound parameter or COPY data.
#pragma once

#include <cstdint>

namespace pinpipe::sinks::postgres::sql {

#define PINPIPE_LIVE_COLUMNS                                                                          \
  "unique_id, ind, title, description, poster_name, follower_count, tag_list, is_video, media_type, " \
  "image_src, downloaded, save_location, category, ingested_at, bus_partition, bus_offset"
// Newer = greater (ingested_at, bus_partition, bus_offset), as the batch
// path's dedupe orders versions: an older version leaves the stored row alone.
#define PINPIPE_LIVE_UPSERT_TAIL                                                                           \
  " ON CONFLICT (unique_id) DO UPDATE SET ind = EXCLUDED.ind, title = EXCLUDED.title,"                     \
  " description = EXCLUDED.description, poster_name = EXCLUDED.poster_name,"                               \
  " follower_count = EXCLUDED.follower_count, tag_list = EXCLUDED.tag_list, is_video = EXCLUDED.is_video," \
  " media_type = EXCLUDED.media_type, image_src = EXCLUDED.image_src, downloaded = EXCLUDED.downloaded,"   \
  " save_location = EXCLUDED.save_location, category = EXCLUDED.category,"                                 \
  " ingested_at = EXCLUDED.ingested_at, bus_partition = EXCLUDED.bus_partition,"                           \
  " bus_offset = EXCLUDED.bus_offset"                                                                      \
  " WHERE (EXCLUDED.ingested_at, EXCLUDED.bus_partition, EXCLUDED.bus_offset)"                             \
  " > (t.ingested_at, t.bus_partition, t.bus_offset)"

inline constexpr int16_t kLiveColumns = 16;
inline constexpr int16_t kDeadColumns = 7;

// Serializes commits of the same partitions across sessions ($1:
// PartitionLockKeys, ascending; taken in that order).
inline constexpr char kLock[] =
    "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS u(k) ORDER BY k) AS keys";
inline constexpr char kPositions[] =
    "SELECT bus_partition, next_offset FROM pinpipe_offsets WHERE topic = $1";
// $1 topic, $2 partitions, $3 next offsets.
inline constexpr char kStorePositions[] = R"sql(
INSERT INTO pinpipe_offsets (topic, bus_partition, next_offset)
SELECT $1, p, o FROM unnest($2::integer[], $3::bigint[]) AS u(p, o)
ON CONFLICT (topic, bus_partition) DO UPDATE SET next_offset = EXCLUDED.next_offset)sql";

// --- COPY path: session-temporary staging tables, then INSERT … SELECT.
inline constexpr char kCopyStage[] =
    "COPY pinpipe_stage_live (" PINPIPE_LIVE_COLUMNS ") FROM STDIN (FORMAT binary)";
inline constexpr char kCopyStageDead[] = "COPY pinpipe_stage_rejected FROM STDIN (FORMAT binary)";
inline constexpr char kUpsertFromStage[] =
    "INSERT INTO pins_live AS t (" PINPIPE_LIVE_COLUMNS ") SELECT " PINPIPE_LIVE_COLUMNS
    " FROM pinpipe_stage_live " PINPIPE_LIVE_UPSERT_TAIL;
inline constexpr char kInsertDeadFromStage[] = R"sql(
INSERT INTO pins_rejected (reason, field, detail, raw, bus_partition, bus_offset, ingested_at)
SELECT reason, field, detail, raw, bus_partition, bus_offset, ingested_at
FROM pinpipe_stage_rejected ORDER BY bus_partition, bus_offset
ON CONFLICT (bus_partition, bus_offset) DO NOTHING)sql";

// --- Array path: one binary array parameter per column.
inline constexpr char kUpsertFromArrays[] =
    "INSERT INTO pins_live AS t (" PINPIPE_LIVE_COLUMNS
    ") SELECT unique_id, ind, title, description, poster_name, "
    "follower_count, tag_list::text[], is_video, media_type, image_src, downloaded, save_location, category, "
    "ingested_at, bus_partition, bus_offset FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], "
    "$5::text[], $6::bigint[], $7::text[], $8::boolean[], $9::text[], $10::text[], $11::boolean[], "
    "$12::text[], "
    "$13::text[], $14::timestamptz[], $15::integer[], $16::bigint[]) AS u(" PINPIPE_LIVE_COLUMNS
    ") " PINPIPE_LIVE_UPSERT_TAIL;
inline constexpr char kInsertDeadFromArrays[] = R"sql(
INSERT INTO pins_rejected (reason, field, detail, raw, bus_partition, bus_offset, ingested_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[],
                     $7::timestamptz[])
ON CONFLICT (bus_partition, bus_offset) DO NOTHING)sql";
// How many of the batch's partitions have a stored position other than the
// batch's `from` ($3, -1 = none stored). Runs after kLock in the same transaction.
inline constexpr char kCountMoved[] = R"sql(
SELECT count(*) FROM unnest($2::integer[], $3::bigint[]) AS u(p, f)
LEFT JOIN pinpipe_offsets o ON o.topic = $1 AND o.bus_partition = u.p
WHERE coalesce(o.next_offset, -1) <> u.f)sql";

#undef PINPIPE_LIVE_UPSERT_TAIL
#undef PINPIPE_LIVE_COLUMNS

}  // namespace pinpipe::sinks::postgres::sql
