// SPDX-FileCopyrightText: 2026 Gestalt authors
// SPDX-License-Identifier: Apache-2.0
#include "httpclient/EgressPolicy.h"

#include <QHostAddress>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Gestalt {

namespace {

bool isPublicIPv4(quint32 a)
{
    const auto in = [a](quint32 network, int bits) {
        const quint32 mask = bits == 0 ? 0 : ~quint32(0) << (32 - bits);
        return (a & mask) == network;
    };
    return !(in(0x00000000, 8)      // 0.0.0.0/8: "this network", unspecified
             || in(0x0A000000, 8)   // 10/8: private
             || in(0x64400000, 10)  // 100.64/10: shared address space (CGNAT)
             || in(0x7F000000, 8)   // 127/8: loopback
             || in(0xA9FE0000, 16)  // 169.254/16: link-local, 169.254.169.254 metadata
             || in(0xAC100000, 12)  // 172.16/12: private
             || in(0xC0000000, 24)  // 192.0.0/24: IETF protocol assignments
             || in(0xC0A80000, 16)  // 192.168/16: private
             || in(0xC6120000, 15)  // 198.18/15: benchmarking
             || in(0xE0000000, 4)   // 224/4: multicast
             || in(0xF0000000, 4)); // 240/4: reserved, 255.255.255.255 broadcast
}

quint32 ipv4At(const Q_IPV6ADDR &b, int i)
{
    return (quint32(b[i]) << 24) | (quint32(b[i + 1]) << 16) | (quint32(b[i + 2]) << 8)
           | quint32(b[i + 3]);
}

bool allZero(const Q_IPV6ADDR &b, int from, int to)
{
    for (int i = from; i < to; ++i) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

bool isPublicIPv6(const Q_IPV6ADDR &b)
{
    if (allZero(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) {
        return isPublicIPv4(ipv4At(b, 12)); // ::ffff:a.b.c.d, IPv4-mapped
    }
    if (allZero(b, 0, 12)) {
        return isPublicIPv4(ipv4At(b, 12)); // ::a.b.c.d, IPv4-compatible; :: and ::1 too
    }
    const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b;
    if (nat64 && allZero(b, 4, 12)) {
        return isPublicIPv4(ipv4At(b, 12)); // 64:ff9b::a.b.c.d, NAT64
    }
    if (nat64 && b[4] == 0x00 && b[5] == 0x01) {
        return false; // 64:ff9b:1::/48, local-use NAT64
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
        return isPublicIPv4(ipv4At(b, 2)); // 2002:aabb:ccdd::/48, 6to4
    }
    if (b[0] == 0x01 && b[1] == 0x00 && allZero(b, 2, 8)) {
        return false; // 100::/64, discard-only
    }
    if ((b[0] & 0xfe) == 0xfc) {
        return false; // fc00::/7, unique local
    }
    if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) {
        return false; // fe80::/10 link-local, fec0::/10 site-local
    }
    return b[0] != 0xff; // ff00::/8, multicast
}

QString normalizedHost(const QString &host)
{
    QString name = host.trimmed().toLower();
    while (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.startsWith(u'[') && name.endsWith(u']')) {
        name = name.mid(1, name.size() - 2);
    }
    return name;
}

} // namespace

Result<void> EgressPolicy::checkHost(const QString &host) const
{
    const bool allowed =
        allowedHosts.isEmpty() ? defaultAction == EgressAction::Allow : matches(host, allowedHosts);
    if (!allowed) {
        return Error::forbidden(u"egress to host \"%1\" is not allowed"_s.arg(host));
    }
    return {};
}

bool EgressPolicy::requiresPublicAddress(const QString &host) const
{
    const QString name = normalizedHost(host);
    if (name.isEmpty()) {
        return true;
    }
    const auto named = [&name](const QString &entry) {
        return !entry.contains(u'*') && normalizedHost(entry) == name;
    };
    return std::none_of(namedHosts.cbegin(), namedHosts.cend(), named)
           && std::none_of(allowedHosts.cbegin(), allowedHosts.cend(), named);
}

void EgressPolicy::addNamedUrl(const QString &url)
{
    const QString text = url.trimmed();
    const qsizetype start = text.indexOf(u"//"_s);
    if (start < 0) {
        return; // relative, or not a URL with an authority
    }
    qsizetype end = text.size();
    for (const QChar c : {u'/', u'?', u'#'}) {
        const qsizetype at = text.indexOf(c, start + 2);
        if (at >= 0) {
            end = std::min(end, at);
        }
    }
    if (QStringView(text).mid(start + 2, end - start - 2).contains(u'{')) {
        return; // filled at run time from connection params or upstream answers
    }
    const QString host = QUrl(text).host();
    if (!host.isEmpty() && !namedHosts.contains(host)) {
        namedHosts.append(host);
    }
}

bool EgressPolicy::matches(const QString &host, const QStringList &patterns)
{
    QString name = host.toLower();
    while (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.isEmpty()) {
        return false;
    }
    for (const QString &entry : patterns) {
        const QString pattern = entry.trimmed().toLower();
        if (pattern.startsWith(u"*.")) {
            const QStringView suffix = QStringView(pattern).mid(1); // ".example.com"
            if (name.size() > suffix.size() && name.endsWith(suffix)) {
                return true;
            }
        } else if (!pattern.isEmpty() && name == pattern) {
            return true;
        }
    }
    return false;
}

bool EgressPolicy::isPublicAddress(const QHostAddress &address)
{
    bool ok = false;
    const quint32 ipv4 = address.toIPv4Address(&ok);
    if (ok && address.protocol() == QAbstractSocket::IPv4Protocol) {
        return isPublicIPv4(ipv4);
    }
    if (address.protocol() != QAbstractSocket::IPv6Protocol) {
        return false; // null or unknown
    }
    return isPublicIPv6(address.toIPv6Address());
}

} // namespace Gestalt
