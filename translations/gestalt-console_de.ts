<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Gestalt::Console::MainWindow</name>
    <message>
        <source>Gestalt Console</source>
        <translation>Gestalt-Konsole</translation>
    </message>
    <message>
        <source>Version %1 - not connected</source>
        <translation>Version %1 – nicht verbunden</translation>
    </message>
</context>
</TS>
