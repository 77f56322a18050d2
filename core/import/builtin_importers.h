// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace memscope {
class ImporterRegistry;
void registerBuiltinImporters(ImporterRegistry& registry);
// /proc files and Prometheus text (process_importers.cpp).
void registerProcessImporters(ImporterRegistry& registry);
} // namespace memscope
