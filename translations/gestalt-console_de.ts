<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Gestalt::Console::ApiClient</name>
    <message>
        <source>HTTP status %1</source>
        <translation>HTTP-Status %1</translation>
    </message>
    <message>
        <source>Not connected to a server.</source>
        <translation>Mit keinem Server verbunden.</translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation>Der Server hat nicht rechtzeitig geantwortet.</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::ConnectPage</name>
    <message>
        <source>Remember the token in the system &amp;keychain</source>
        <translation>Token im &amp;Schlüsselbund des Systems speichern</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>&amp;Delete profile</source>
        <translation>Profil &amp;löschen</translation>
    </message>
    <message>
        <source>Saved servers</source>
        <translation>Gespeicherte Server</translation>
    </message>
    <message>
        <source>e.g. production</source>
        <translation>z. B. produktion</translation>
    </message>
    <message>
        <source>http://127.0.0.1:9090</source>
        <translation>http://127.0.0.1:9090</translation>
    </message>
    <message>
        <source>gst_api_… (empty when the operator surface is open)</source>
        <translation>gst_api_… (leer, wenn die Betreiberoberfläche offen ist)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>Server-&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Connect to the management listener of a gestaltd (or to its public listener when it has no separate one).</source>
        <translation>Mit dem Management-Listener eines gestaltd verbinden (oder mit seinem öffentlichen Listener, wenn es keinen eigenen gibt).</translation>
    </message>
    <message>
        <source>Enter the server&apos;s http:// or https:// URL.</source>
        <translation>Geben Sie die http://- oder https://-URL des Servers ein.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Cannot reach the server: %1</source>
        <translation>Der Server ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>The server refused the token: %1</source>
        <translation>Der Server hat das Token abgelehnt: %1</translation>
    </message>
    <message>
        <source>This listener has no operator routes: use the management listener&apos;s URL.</source>
        <translation>Dieser Listener hat keine Betreiber-Routen: Verwenden Sie die URL des Management-Listeners.</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation>Verbunden mit %1.</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>Nicht verbunden.</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::ErrorBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::LimitsPage</name>
    <message>
        <source>any</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>Gilt für</translation>
    </message>
    <message>
        <source>role %1</source>
        <translation>Rolle %1</translation>
    </message>
    <message>
        <source>token %1</source>
        <translation>Token %1</translation>
    </message>
    <message>
        <source>override: %1</source>
        <extracomment>An override of the limits; %1 says for whom (&quot;role admin&quot;).</extracomment>
        <translation>Ausnahme: %1</translation>
    </message>
    <message>
        <source>everyone</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operation</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Concurrent</source>
        <translation>Gleichzeitig</translation>
    </message>
    <message>
        <source>Counted for</source>
        <translation>Gezählt für</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <source>Limited</source>
        <translation>Begrenzt</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>Instanz</translation>
    </message>
    <message>
        <source>shared</source>
        <translation>gemeinsam</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Retry in</source>
        <translation>Erneut in</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>each caller</source>
        <translation>jeder Aufrufer</translation>
    </message>
    <message>
        <source>each caller, per app</source>
        <translation>jeder Aufrufer, je App</translation>
    </message>
    <message>
        <source>all callers of an app</source>
        <translation>alle Aufrufer einer App</translation>
    </message>
    <message>
        <source>each caller, per operation</source>
        <translation>jeder Aufrufer, je Operation</translation>
    </message>
    <message>
        <source>all callers of an operation</source>
        <translation>alle Aufrufer einer Operation</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <extracomment>A rate: %1 requests per %2 (&quot;600 / 1 min&quot;).</extracomment>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Configured limits</source>
        <translation>Konfigurierte Limits</translation>
    </message>
    <message>
        <source>Current use</source>
        <translation>Aktuelle Nutzung</translation>
    </message>
    <message>
        <source>Upstreams that asked to slow down</source>
        <translation>Upstreams, die um Drosselung gebeten haben</translation>
    </message>
    <message>
        <source>An upstream&apos;s 429 or 503 with Retry-After holds calls on that credential (on this replica) until the time it named.</source>
        <translation>Ein 429 oder 503 eines Upstreams mit Retry-After hält Aufrufe mit diesen Zugangsdaten (auf diesem Replikat) bis zur genannten Zeit zurück.</translation>
    </message>
    <message>
        <source>No rate limits or concurrency caps are configured.</source>
        <translation>Es sind keine Raten- oder Parallelitätslimits konfiguriert.</translation>
    </message>
    <message>
        <source>This server does not report rate limits.</source>
        <translation>Dieser Server meldet keine Ratenlimits.</translation>
    </message>
    <message>
        <source>Loading limits</source>
        <translation>Laden der Limits</translation>
    </message>
    <message>
        <source>Loading blocked upstream credentials</source>
        <translation>Laden der gesperrten Upstream-Zugangsdaten</translation>
    </message>
    <message>
        <source>No upstream has asked to slow down.</source>
        <translation>Kein Upstream hat um Drosselung gebeten.</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::MainWindow</name>
    <message>
        <source>Gestalt Console</source>
        <translation>Gestalt-Konsole</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>Seiten</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>Metriken</translation>
    </message>
    <message>
        <source>Console %1</source>
        <translation>Konsole %1</translation>
    </message>
    <message>
        <source>gestaltd %1</source>
        <translation>gestaltd %1</translation>
    </message>
    <message>
        <source>Refreshed %1</source>
        <translation>Aktualisiert %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>&amp;Verbinden…</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Trennen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>C&amp;onnection</source>
        <translation>&amp;Verbindung</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>&amp;Mitglieder</translation>
    </message>
    <message>
        <source>&amp;Runtime</source>
        <translation>&amp;Laufzeit</translation>
    </message>
    <message>
        <source>M&amp;etrics</source>
        <translation>M&amp;etriken</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Gestalt Console</source>
        <translation>&amp;Über Gestalt-Konsole</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>The server answers again.</source>
        <translation>Der Server antwortet wieder.</translation>
    </message>
    <message>
        <source>Offline: %1 does not answer</source>
        <translation>Offline: %1 antwortet nicht</translation>
    </message>
    <message>
        <source>The server at %1 does not answer. Retrying in %2 s…</source>
        <translation>Der Server unter %1 antwortet nicht. Neuer Versuch in %2 s…</translation>
    </message>
    <message>
        <source>About Gestalt Console</source>
        <translation>Über Gestalt-Konsole</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Gestalt Console %1&lt;/h3&gt;&lt;p&gt;The operator console of gestaltd: members, runtime sessions and live metrics.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Gestalt-Konsole %1&lt;/h3&gt;&lt;p&gt;Die Betreiberkonsole von gestaltd: Mitglieder, Laufzeitsitzungen und Live-Metriken.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <source>The new language applies when the console starts again.</source>
        <translation>Die neue Sprache gilt ab dem nächsten Start der Konsole.</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limits</translation>
    </message>
    <message>
        <source>L&amp;imits</source>
        <translation>L&amp;imits</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::MembersPage</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subjekt</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <source>config</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>dynamic</source>
        <translation>dynamisch</translation>
    </message>
    <message>
        <source>Effective</source>
        <translation>Wirksam</translation>
    </message>
    <message>
        <source>Mutable</source>
        <translation>Änderbar</translation>
    </message>
    <message>
        <source>Shadowed by</source>
        <translation>Verdeckt durch</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Change role</source>
        <translation>Rolle ä&amp;ndern</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Mitglied entfernen</translation>
    </message>
    <message>
        <source>Apps</source>
        <translation>Apps</translation>
    </message>
    <message>
        <source>Email or subject id (user:…, service_account:…)</source>
        <translation>E-Mail oder Subjekt-ID (user:…, service_account:…)</translation>
    </message>
    <message>
        <source>Add a member</source>
        <translation>Mitglied hinzufügen</translation>
    </message>
    <message>
        <source>Selected member</source>
        <translation>Ausgewähltes Mitglied</translation>
    </message>
    <message>
        <source>New role:</source>
        <translation>Neue Rolle:</translation>
    </message>
    <message>
        <source>Loading apps</source>
        <translation>Laden der Apps</translation>
    </message>
    <message>
        <source>Built-in admins</source>
        <translation>Eingebaute Administratoren</translation>
    </message>
    <message>
        <source>Who may use the operator surface (server.admin.authorizationPolicy)</source>
        <translation>Wer die Betreiberoberfläche benutzen darf (server.admin.authorizationPolicy)</translation>
    </message>
    <message>
        <source>%1 (policy %2)</source>
        <extracomment>an app and its authorization policy</extracomment>
        <translation>%1 (Richtlinie %2)</translation>
    </message>
    <message>
        <source>Members of %1 (policy %2)</source>
        <translation>Mitglieder von %1 (Richtlinie %2)</translation>
    </message>
    <message>
        <source>Loading members</source>
        <translation>Laden der Mitglieder</translation>
    </message>
    <message>
        <source>Your token may read this list but not change it (the server says X-Gestalt-Can-Write: false).</source>
        <translation>Ihr Token darf diese Liste lesen, aber nicht ändern (der Server meldet X-Gestalt-Can-Write: false).</translation>
    </message>
    <message>
        <source>Adding the member</source>
        <translation>Hinzufügen des Mitglieds</translation>
    </message>
    <message>
        <source>Changing the role</source>
        <translation>Ändern der Rolle</translation>
    </message>
    <message>
        <source>Remove %1 from %2?</source>
        <translation>%1 aus %2 entfernen?</translation>
    </message>
    <message>
        <source>the built-in admins</source>
        <translation>den eingebauten Administratoren</translation>
    </message>
    <message>
        <source>Removing the member</source>
        <translation>Entfernen des Mitglieds</translation>
    </message>
    <message>
        <source>Defined by the config (the admin policy): read-only</source>
        <translation>Durch die Konfiguration festgelegt (die Admin-Richtlinie): schreibgeschützt</translation>
    </message>
    <message>
        <source>Defined by config policy %1: read-only</source>
        <translation>Durch die Konfigurationsrichtlinie %1 festgelegt: schreibgeschützt</translation>
    </message>
    <message>
        <source>Not effective: shadowed by %1</source>
        <translation>Nicht wirksam: verdeckt durch %1</translation>
    </message>
    <message>
        <source>%1. Change it in the config file.</source>
        <translation>%1. Ändern Sie es in der Konfigurationsdatei.</translation>
    </message>
    <message>
        <source>Saved — pending reload: the change takes effect when the server reloads its authorization data; the list refreshes again shortly.</source>
        <translation>Gespeichert – Neuladen ausstehend: Die Änderung wirkt, sobald der Server seine Berechtigungsdaten neu lädt; die Liste wird gleich erneut aktualisiert.</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::MetricsPage</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <source>Errors/s</source>
        <translation>Fehler/s</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>Aktualisierungsintervall</translation>
    </message>
    <message>
        <source>Time window</source>
        <translation>Zeitfenster</translation>
    </message>
    <message>
        <source>5 minutes</source>
        <translation>5 Minuten</translation>
    </message>
    <message>
        <source>15 minutes</source>
        <translation>15 Minuten</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 Stunde</translation>
    </message>
    <message>
        <source>6 hours</source>
        <translation>6 Stunden</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Requests per second</source>
        <translation>Anfragen pro Sekunde</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>Anfr./s</translation>
    </message>
    <message>
        <source>Errors per second</source>
        <translation>Fehler pro Sekunde</translation>
    </message>
    <message>
        <source>errors/s</source>
        <translation>Fehler/s</translation>
    </message>
    <message>
        <source>Latency p50 / p95</source>
        <translation>Latenz p50 / p95</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>Process memory</source>
        <translation>Prozessspeicher</translation>
    </message>
    <message>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <source>Busiest apps</source>
        <translation>Meistgenutzte Apps</translation>
    </message>
    <message>
        <source>Waiting for the first scrape…</source>
        <translation>Warte auf die erste Abfrage…</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Reading /metrics</source>
        <translation>Lesen von /metrics</translation>
    </message>
    <message>
        <source>/metrics answered %1</source>
        <translation>/metrics antwortete mit %1</translation>
    </message>
    <message>
        <source>/metrics is not valid Prometheus text: %1</source>
        <translation>/metrics ist kein gültiger Prometheus-Text: %1</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>Aktualisiert %1</translation>
    </message>
    <message>
        <source>%1 p50</source>
        <translation>%1 p50</translation>
    </message>
    <message>
        <source>%1 p95</source>
        <translation>%1 p95</translation>
    </message>
    <message>
        <source>resident</source>
        <translation>belegt</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::Page</name>
    <message>
        <source>%1 failed: %2</source>
        <extracomment>%1 is what was being done (&quot;Loading members&quot;), %2 the server&apos;s message.</extracomment>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::RuntimePage</name>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>Treiber</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>Geladen</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <source>Advertised</source>
        <translation>Angeboten</translation>
    </message>
    <message>
        <source>Effective</source>
        <translation>Wirksam</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>#</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Load &amp;more sessions</source>
        <translation>&amp;Weitere Sitzungen laden</translation>
    </message>
    <message>
        <source>&amp;Follow new lines</source>
        <translation>Neuen Zeilen &amp;folgen</translation>
    </message>
    <message>
        <source>Runtime providers</source>
        <translation>Laufzeitanbieter</translation>
    </message>
    <message>
        <source>Select a session to see its logs.</source>
        <translation>Wählen Sie eine Sitzung, um ihre Protokolle zu sehen.</translation>
    </message>
    <message>
        <source>Logs of %1 (%2)</source>
        <translation>Protokolle von %1 (%2)</translation>
    </message>
    <message>
        <source>Loading runtime providers</source>
        <translation>Laden der Laufzeitanbieter</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Loading sessions</source>
        <translation>Laden der Sitzungen</translation>
    </message>
    <message>
        <source>Loading logs</source>
        <translation>Laden der Protokolle</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::RuntimeProfile</name>
    <message>
        <source>hosts apps</source>
        <translation>betreibt Apps</translation>
    </message>
    <message>
        <source>cannot host apps</source>
        <translation>kann keine Apps betreiben</translation>
    </message>
</context>
<context>
    <name>Gestalt::Console::SecretStore</name>
    <message>
        <source>No system keychain is available, so the token is kept for this session only.</source>
        <translation>Es ist kein Schlüsselbund des Systems verfügbar; das Token wird nur für diese Sitzung behalten.</translation>
    </message>
    <message>
        <source>The keychain refused access: %1</source>
        <translation>Der Schlüsselbund hat den Zugriff verweigert: %1</translation>
    </message>
</context>
</TS>
