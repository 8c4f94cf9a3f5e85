#!/usr/bin/env python3
"""Writes the German texts of de.py into translations/gestalt-console_de.ts (after
`cmake --build <dir> --target update_translations` added new source texts) and fails, naming
them, when a source text has no German text yet. Usage: fill_ts.py [--check]"""
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from de import DE  # noqa: E402

path = os.path.join(os.path.dirname(__file__), '..', 'gestalt-console_de.ts')
tree = ET.parse(path)
missing = []
changed = False
for message in tree.getroot().iter('message'):
    source = message.find('source').text
    translation = message.find('translation')
    if source not in DE:
        missing.append(source)
        continue
    if translation.text != DE[source] or translation.get('type'):
        changed = True
        translation.text = DE[source]
        translation.attrib.pop('type', None)
if missing:
    sys.exit('no German text for:\n' + '\n'.join(repr(s) for s in missing))
if '--check' in sys.argv:
    sys.exit('gestalt-console_de.ts is not up to date: run translations/tools/fill_ts.py' if changed else 0)
if changed:
    with open(path, 'w', encoding='utf-8') as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        out.write(ET.tostring(tree.getroot(), encoding='unicode'))
        out.write('\n')
