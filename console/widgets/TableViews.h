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

} // namespace Gestalt::Console
