#include "atomic_file.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace ppcmig::tools {

void write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp));
        out << text;
        if (!out.flush()) {
            out.close();
            std::remove(tmp.c_str());
            throw std::runtime_error(fmt::format("cannot write {}", tmp));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw std::runtime_error(fmt::format("cannot rename {} to {}", tmp, path));
    }
}

}  // namespace ppcmig::tools
