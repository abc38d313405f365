"""Adds up the JUnit reports of every suite into one closing line: 'N passed, N failed'."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

reports, database = Path(sys.argv[1]), sys.argv[2]
passed = failed = skipped = 0
for report in sorted(reports.glob("*.xml")):
    for suite in ET.parse(report).getroot().iter("testsuite"):
        tests = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        passed += tests - bad - skip
        failed += bad
        skipped += skip
print(f"all suites on {database}:")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
