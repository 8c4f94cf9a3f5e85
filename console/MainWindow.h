// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMainWindow>

namespace Gestalt::Console {

// The operator console's top-level window. Pages (members, runtime, metrics) arrive with the
// operator-surface work; for now it shows the product and version.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;
};

} // namespace Gestalt::Console
