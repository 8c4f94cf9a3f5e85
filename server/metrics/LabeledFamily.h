// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "metrics/MetricBase.h"

#include <QMutex>
#include <QMutexLocker>

#include <map>
#include <memory>

namespace Gestalt {

// A metric family whose children (one per combination of label values) are created on first use
// and live as long as the family, so a reference returned by labels() may be cached. At most
// seriesLimit() children are exposed: beyond it, a new combination gets a shared child that is
// never exposed, and the family counts the update as dropped.
template<typename Child>
class LabeledFamily : public MetricBase
{
public:
    // The child for values, given in the order of labelNames() (none for a family without
    // labels). Thread-safe; the reference stays valid for the family's (the registry's) lifetime.
    Child &labels(const QStringList &values = {})
    {
        const QStringList key = checkedLabelValues(values);
        const QMutexLocker locker(&m_mutex);
        auto it = m_children.find(key);
        if (it == m_children.end()) {
            if (static_cast<qsizetype>(m_children.size()) >= seriesLimit()) {
                noteDroppedSeries();
                if (!m_overflow) {
                    m_overflow = createChild();
                }
                return *m_overflow;
            }
            it = m_children.emplace(key, createChild()).first;
        }
        return *it->second;
    }

protected:
    using MetricBase::MetricBase;

    [[nodiscard]] virtual std::unique_ptr<Child> createChild() const = 0;

    // Calls function(labelValues, child) for every child, sorted by label values.
    template<typename Function>
    void forEachChild(Function &&function) const
    {
        const QMutexLocker locker(&m_mutex);
        for (const auto &[values, child] : m_children) {
            function(values, *child);
        }
    }

private:
    mutable QMutex m_mutex;
    std::map<QStringList, std::unique_ptr<Child>> m_children;
    std::unique_ptr<Child> m_overflow; // the sink for combinations beyond the limit
};

} // namespace Gestalt
