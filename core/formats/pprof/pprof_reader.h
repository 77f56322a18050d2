// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "base/result.h"
#include "model/profile.h"

#include <string_view>

namespace memscope {

// True when `decoded` (already un-gzipped) plausibly is a profile.proto;
// isPrefix: the bytes are only the start of the file.
bool looksLikePprof(std::string_view decoded, bool isPrefix = false);

// Parses an uncompressed profile.proto. Errors carry the byte offset into
// `decoded` where the problem was found.
Result<Profile> parsePprof(std::string_view decoded);

// Reads a file: gzip'd or plain profile.proto. Errors name the file.
Result<Profile> readPprofFile(const std::string& path);

// Reads any profile memscope knows by content: profile.proto or legacy heap text.
Result<Profile> readProfileFile(const std::string& path);

} // namespace memscope
