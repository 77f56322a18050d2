// SPDX-License-Identifier: GPL-3.0-or-later
// The `ss` importer, as a run-time plugin: socket snapshots taken with
// iproute2's ss land in the same tables as lsof's.
#include "import/importer.h"
#include "ss_parser.h"

namespace {

class SsImporter final : public memscope::Importer {
public:
    std::string format() const override { return "ss"; }
    std::string description() const override {
        return "iproute2 ss -tanp / -tanpi / -uanp socket snapshots (plugin)";
    }
    int sniff(std::string_view head) const override {
        return memscope::ss::looksLikeSs(head) ? 85 : 0;
    }
    memscope::Status import(const memscope::SourceFile& src, memscope::ImportSink& sink,
                            const memscope::Progress&) override {
        auto stream = src.open();
        auto snap = memscope::ss::parse(*stream);
        if (!snap)
            return snap.error();
        return memscope::importFdSnapshot(sink, *snap);
    }
};

} // namespace

extern "C" __attribute__((visibility("default"))) memscope::Importer*
memscope_create_importer(int abi) {
    if (abi != memscope::kImporterAbi)
        return nullptr;
    return new SsImporter;
}
