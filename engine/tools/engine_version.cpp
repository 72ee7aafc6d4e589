// Kept in its own translation unit: only this file recompiles when the revision changes.
#include "engine_version.hpp"

#include "ppcmig/engine_version_generated.hpp"

namespace ppcmig::tools {

std::string_view engine_version() { return PPCMIG_ENGINE_VERSION; }

}  // namespace ppcmig::tools
