// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "widgets/ErrorBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Gestalt::Console {

ErrorBanner::ErrorBanner(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setObjectName(u"errorBanner"_s);
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setObjectName(u"errorBannerLabel"_s);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setObjectName(u"errorBannerCloseButton"_s);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Dismiss"));
    m_close->setAccessibleName(tr("Dismiss"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &ErrorBanner::dismiss);
    hide();
}

void ErrorBanner::showMessage(const QString &message, Kind kind)
{
    m_kind = kind;
    const QStyle::StandardPixmap pixmap = kind == Kind::Error ? QStyle::SP_MessageBoxCritical
                                          : kind == Kind::Warning
                                              ? QStyle::SP_MessageBoxWarning
                                              : QStyle::SP_MessageBoxInformation;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(pixmap).pixmap(QSize(size, size), devicePixelRatioF()));
    const QString color = kind == Kind::Error     ? u"#fde2e1"_s
                          : kind == Kind::Warning ? u"#fff4d6"_s
                                                  : u"#e3eefc"_s;
    setStyleSheet(u"#errorBanner { background: %1; color: #1f1f1f; border: 1px solid palette(mid);"
                  " border-radius: 4px; } #errorBannerLabel { color: #1f1f1f; }"_s.arg(color));
    m_text->setText(message);
    setAccessibleDescription(message);
    show();
}

QString ErrorBanner::message() const
{
    return isVisibleTo(parentWidget()) ? m_text->text() : QString();
}

void ErrorBanner::dismiss()
{
    m_text->clear();
    hide();
}

} // namespace Gestalt::Console
