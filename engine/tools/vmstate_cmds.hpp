// ppcmig-engine vmstate-dump / vmstate-diff: the static description of what a machine registers
// for migration, and the compatibility check of two such descriptions.
#pragma once

#include <string>
#include <vector>

namespace ppcmig::tools {

/// `vmstate-dump [--build B] --machine M [--cpu C] [--smp S] [-m SIZE] [--accel A] [--host-cpu C]
/// [--output PATH]`: writes describe_machine's JSON. Exit 0, 1 when the configuration is
/// rejected (QEMU's message), 2 for bad usage.
int cmd_vmstate_dump(const std::vector<std::string>& args);

/// `vmstate-diff [--json] SRC.json DST.json`: exit 0 without errors, 1 with errors, 2 for bad
/// usage or a malformed dump.
int cmd_vmstate_diff(const std::vector<std::string>& args);

}  // namespace ppcmig::tools
