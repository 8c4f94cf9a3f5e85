// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace Gestalt::Console {

// A strip above the pages for what went wrong (or an info note), never a modal dialog: the
// server's own message, a dismiss button; a newer message replaces the older one.
class ErrorBanner final : public QFrame
{
    Q_OBJECT

public:
    enum class Kind {
        Error,
        Warning,
        Info,
    };

    explicit ErrorBanner(QWidget *parent = nullptr);

    void showMessage(const QString &message, Kind kind = Kind::Error);
    [[nodiscard]] QString message() const;
    [[nodiscard]] Kind kind() const { return m_kind; }

public Q_SLOTS: // NOLINT(readability-redundant-access-specifiers): moc reads the slots section
    void dismiss();

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
    Kind m_kind = Kind::Error;
};

} // namespace Gestalt::Console
