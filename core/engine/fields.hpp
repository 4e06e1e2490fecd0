// The window fields are defined with the KPI catalogue that reads them
// (core/window_fields.hpp); the engine, which counts them, names them
// unqualified.
#pragma once

#include "core/window_fields.hpp"

namespace ccmon::core::engine_detail {

using namespace window_fields;  // NOLINT(google-build-using-namespace)

}  // namespace ccmon::core::engine_detail
