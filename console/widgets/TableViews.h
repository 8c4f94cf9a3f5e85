// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

class QAbstractItemModel;
class QString;
class QTableView;
class QWidget;

namespace Gestalt::Console {

// The console's read-only tables look and behave alike: whole rows selected one at a time,
// alternating colours, one line per row, columns fitted to their content after every reload.
QTableView *makeTableView(const QString &objectName, QAbstractItemModel *model, QWidget *parent);
// The same for a view a .ui form made.
void setUpTableView(QTableView *view, QAbstractItemModel *model);

// Every column to its content, but a stretching last one, which keeps the width that is left:
// sizing it to its content too would stop it stretching (Qt 6.4). Views of makeTableView() do
// this after a reset and when the first rows arrive.
void fitColumns(QTableView *view);

} // namespace Gestalt::Console
