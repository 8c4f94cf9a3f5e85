// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <functional>

namespace Gestalt::Console {

// A read-only table of value rows whose columns are described once: a header and what a cell
// shows for each role. Every table of the console (members, providers, sessions, logs, busiest
// apps) is one of these; the pages keep the rows, the views only show them.
template<typename Row>
class RowTableModel final : public QAbstractTableModel
{
public:
    struct Column
    {
        QString header;
        // The cell's data for a role (Qt::DisplayRole, Qt::ToolTipRole, ...), or an invalid
        // QVariant.
        std::function<QVariant(const Row &row, int role)> data;
    };

    explicit RowTableModel(QList<Column> columns, QObject *parent = nullptr)
        : QAbstractTableModel(parent)
        , m_columns(std::move(columns))
    {}

    void setRows(QList<Row> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }
    void appendRows(const QList<Row> &rows)
    {
        if (rows.isEmpty()) {
            return;
        }
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - 1));
        m_rows.append(rows);
        endInsertRows();
    }
    // Drops the oldest rows beyond `keep`.
    void trimFront(qsizetype keep)
    {
        if (m_rows.size() <= keep) {
            return;
        }
        const int excess = int(m_rows.size() - keep);
        beginRemoveRows({}, 0, excess - 1);
        m_rows.remove(0, excess);
        endRemoveRows();
    }
    [[nodiscard]] const QList<Row> &rows() const { return m_rows; }
    [[nodiscard]] const Row *rowAt(int row) const
    {
        return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_columns.size());
    }
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index,
                        CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
            return {};
        }
        return m_columns[index.column()].data(m_rows[index.row()], role);
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0
            && section < m_columns.size()) {
            return m_columns[section].header;
        }
        return QAbstractTableModel::headerData(section, orientation, role);
    }

private:
    QList<Column> m_columns;
    QList<Row> m_rows;
};

// A column that shows text for the display role (and the same text as its tooltip).
template<typename Row>
typename RowTableModel<Row>::Column textColumn(const QString &header,
                                               std::function<QString(const Row &)> text)
{
    return {header, [text = std::move(text)](const Row &row, int role) -> QVariant {
                if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
                    return text(row);
                }
                return {};
            }};
}

} // namespace Gestalt::Console
