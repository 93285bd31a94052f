// RenderWarehouseRowForms: a row's stored forms, rendered by its producer.
#include "sinks/warehouse.h"

namespace pinpipe::sinks {

bool RenderWarehouseRowForms(WarehouseRow* row) {
  pin::PackedUuid id;
  if (!pin::PackUuid(row->record.unique_id, &id)) return false;
  WarehouseRowForms& forms = row->forms;
  forms.packed_id = id;
  forms.tag_list_json.clear();
  pin::AppendTagListJson(row->record.tag_list, &forms.tag_list_json);
  forms.ingested_at.clear();
  AppendRfc3339Micros(*row->record.ingested_at, &forms.ingested_at);
  return true;
}

}  // namespace pinpipe::sinks
