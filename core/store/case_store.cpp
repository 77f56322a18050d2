// SPDX-License-Identifier: GPL-3.0-or-later
// Opening a case. The rest of CaseStore lives beside this file: the schema
// (schema.cpp), importing (import_writer.cpp) and the readers (readers_*.cpp).
#include "store/case_store.h"

#include "store/db.h"

namespace memscope {

// ---- CaseStore ---------------------------------------------------------------

Result<std::unique_ptr<CaseStore>> CaseStore::open(const std::string& path, bool readOnly) {
    std::unique_ptr<CaseStore> store(new CaseStore);
    store->m_path = path;
    if (auto st = store->m_db->open(path, readOnly, !readOnly); !st)
        return st.error();
    if (auto st = store->initSchema(readOnly); !st)
        return st.error();
    return store;
}

CaseStore::CaseStore() : m_db(std::make_unique<Db>()) {}

CaseStore::~CaseStore() = default;

bool CaseStore::readOnly() const { return m_db->readOnly(); }

Status CaseStore::checkpoint() { return m_db->exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

} // namespace memscope
