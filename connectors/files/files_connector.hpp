// The `files` connector: a drop folder for batch files. Lettershops and partners
// deliver response files (by SFTP) into an inbox; the connector takes each file
// once it is complete, moves it to processing/, imports it with the batch import
// of `leadhub import` and POST /api/v1/imports, and files it in done/ (or failed/
// when nothing of it could be read) with a report NAME.report.json. A file the hub
// was importing when it stopped or crashed is imported again at the next start,
// and its records are not stored twice. Settings: `leadhub connectors`; the
// README's "Batch files: the drop folder".
#pragma once

#include "../framework/connector.hpp"

namespace leadhub::connectors::files {

ConnectorType connector_type();

}  // namespace leadhub::connectors::files
