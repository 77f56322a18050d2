// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace memscope {
class ImporterRegistry;
void registerBuiltinImporters(ImporterRegistry& registry);
} // namespace memscope
