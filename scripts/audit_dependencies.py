"""Check the installed dependencies (requirements.txt and the test tools) for known vulnerabilities.

Runs pip-audit on this virtual environment and decides:

* an advisory against any installed version → exit 1, listing the package, the advisory and the fixed versions;
* the vulnerability service could not be asked (no network to it, or it knew none of the packages) → a loud
  warning and exit 0, unless ``PIP_AUDIT_REQUIRED=1`` (then exit 2). A machine that reaches only a package
  mirror cannot audit; failing there would block every change without finding anything, and passing silently
  would hide that nothing was checked. Set ``PIP_AUDIT_REQUIRED=1`` where the service is reachable.
* otherwise → "no known vulnerabilities" and exit 0.

Usage: ``.venv/bin/python scripts/audit_dependencies.py`` (``.ci/run`` runs it after the tests).
"""

import json
import os
import subprocess
import sys

SERVICES = ("pypi", "osv")


def run_audit(service: str) -> dict | None:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-f", "json", "--progress-spinner", "off", "-s", service],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        return None
    try:
        return json.loads(result.stdout)
    except ValueError:
        return None


def main(run=run_audit) -> int:
    """``run(service)`` → pip-audit's JSON report as a dict, or None when the service could not be asked."""
    required = os.environ.get("PIP_AUDIT_REQUIRED", "") in {"1", "true", "yes"}
    for service in SERVICES:
        report = run(service)
        if report is None:
            continue
        dependencies = report.get("dependencies", [])
        audited = [dep for dep in dependencies if "skip_reason" not in dep]
        if not audited:
            continue  # the service answered nothing useful: try the next one
        vulnerable = [dep for dep in audited if dep.get("vulns")]
        print(f"pip-audit ({service}): {len(audited)} packages audited, {len(dependencies) - len(audited)} skipped")
        if vulnerable:
            for dep in vulnerable:
                for vuln in dep["vulns"]:
                    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                    print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
            print("error: known vulnerabilities in pinned dependencies; upgrade the pins above", file=sys.stderr)
            return 1
        print("pip-audit: no known vulnerabilities")
        return 0
    banner = "!" * 100
    print(
        f"{banner}\nWARNING: pip-audit could not reach a vulnerability service ({', '.join(SERVICES)}): "
        f"dependencies were NOT audited.\n{banner}",
        file=sys.stderr,
    )
    return 2 if required else 0


if __name__ == "__main__":
    sys.exit(main())
