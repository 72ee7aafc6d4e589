// The engine's source revision, as `git describe --always --dirty` saw it when the binary was
// built ("unknown" outside a git checkout). Two engine processes driven over the serve protocol
// announce it, so a report can say exactly which revisions migrated to each other.
#pragma once

#include <string_view>

namespace ppcmig::tools {

std::string_view engine_version();

}  // namespace ppcmig::tools
