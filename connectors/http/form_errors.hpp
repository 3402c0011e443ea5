// A mapping error of a form post, told in the page's own input names: the web
// developer reads `errors[].field` (and the error page's `field=`) to mark the
// input at fault, and knows `email`, not `prospect.email`.
#pragma once

#include "mapping/mapping_error.hpp"
#include "mapping/spec.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

// `field` is the form field the value came from, or the first one the mapping
// fills the canonical field from; the reason starts with the canonical field.
// A rule over several fields ("prospect: needs at least one of email, phone,
// family_name or company") keeps the canonical name and lists the form fields
// that fill the ones it names.
FieldError form_field_error(const mapping::MappingSpec& spec, const mapping::MappingError& error);

}  // namespace leadhub::connectors::http
