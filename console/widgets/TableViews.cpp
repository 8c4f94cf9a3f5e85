// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/TableViews.h"

#include <QHeaderView>
#include <QTableView>

namespace Gestalt::Console {

void fitColumns(QTableView *view)
{
    const int count = view->model()->columnCount();
    const bool stretchLast = view->horizontalHeader()->stretchLastSection();
    for (int column = 0; column < count - (stretchLast ? 1 : 0); ++column) {
        view->resizeColumnToContents(column);
    }
}

void setUpTableView(QTableView *view, QAbstractItemModel *model)
{
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    QObject::connect(model, &QAbstractItemModel::modelReset, view, [view] { fitColumns(view); });
    // Appended rows (log lines) fit the columns when they are the first ones.
    QObject::connect(
        model, &QAbstractItemModel::rowsInserted, view, [view](const QModelIndex &, int first) {
            if (first == 0) {
                fitColumns(view);
            }
        });
}

QTableView *makeTableView(const QString &objectName, QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    setUpTableView(view, model);
    return view;
}

} // namespace Gestalt::Console
