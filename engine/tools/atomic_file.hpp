// Output files of the command-line tools: written completely or not at all.
#pragma once

#include <string>

namespace ppcmig::tools {

/// Writes `text` to a temporary file next to `path` and renames it into place; on any failure
/// the temporary file is removed and std::runtime_error names the file.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ppcmig::tools
