// Internal to core/store: the write steps other store files reuse inside their own
// write transactions (lead_writes.cpp defines them).
#pragma once

#include "store/lead_store.hpp"
#include "store/outbox.hpp"
#include "store/processor.hpp"
#include "store/write_queue.hpp"

namespace leadhub {

// The stored lead, decoded; not_found when there is none.
Result<Lead> load_lead(const store::WriteTxn& txn, RecordId id);
// The actor of a command is valid (user and connector names).
Status check_actor(const Actor& actor);

// ChangeLead inside `txn`: checks, then the new version, indexes, audit entries,
// processing and events. Refuses (an Error) before writing anything. `cause` says
// why the change is made when the patch does not (a duplicate create, a manual
// assignment); the "processed" entry explains it.
Result<Lead> apply_change_lead(store::WriteTxn& txn, const ChangeLeadCommand& cmd, TimeMs now, store::Outbox& outbox,
                               store::Processor* processor, const store::ChangeCause& cause = {});

}  // namespace leadhub
