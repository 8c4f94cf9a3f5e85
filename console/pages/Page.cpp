// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "pages/Page.h"

#include "api/ApiClient.h"

namespace Gestalt::Console {

Page::Page(ApiClient &api, QWidget *parent)
    : QWidget(parent)
    , m_api(api)
    , m_admin(api)
{}

bool Page::check(const ApiReply &reply, const QString &what)
{
    if (reply.ok()) {
        return true;
    }
    if (reply.reached()) {
        //: %1 is what was being done ("Loading members"), %2 the server's message.
        Q_EMIT problem(tr("%1 failed: %2").arg(what, reply.errorMessage()));
    }
    return false;
}

} // namespace Gestalt::Console
