// Web-form intake: POST /forms/NAME with a form body, mapped by the form's mapping
// file into a lead (source web_form). Spam and double submits are stopped before
// anything is stored: a honeypot field, a minimum fill time taken from a signed
// timestamp field, a per-client rate limit, and "the same e-mail on the same form
// within the window returns the first lead". Browsers get 303 to the success or
// error page; other clients get JSON.
#pragma once

#include <memory>
#include <vector>

#include "../framework/settings.hpp"
#include "api.hpp"
#include "router.hpp"

namespace leadhub::connectors::http {

class FormRoutes;  // the forms' state, owned by the connector
struct FormRoutesDeleter {
  void operator()(FormRoutes* routes) const;
};
using FormRoutesPtr = std::unique_ptr<FormRoutes, FormRoutesDeleter>;

// Adds the routes of every form in `forms` (the `forms:` list of the connector).
Result<FormRoutesPtr> add_form_routes(Router& router, ApiContext& ctx, const std::vector<Settings>& forms);

// The signed timestamp a form page carries in its hidden field: "MS.SIGNATURE".
std::string make_form_token(const std::string& secret, std::int64_t now_ms);
// Milliseconds since the token was made, or an error (forged, malformed).
Result<std::int64_t> form_token_age(const std::string& secret, std::string_view token, std::int64_t now_ms);

}  // namespace leadhub::connectors::http
