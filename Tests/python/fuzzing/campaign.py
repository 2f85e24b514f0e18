"""`make fuzz`: a long fuzz campaign over the public Python API.

    python Tests/python/fuzzing/campaign.py --examples 50000 [--seed N] [--jobs J]

Every case runs in a child interpreter (harness.Worker); the report counts the
outcomes and lists each crash, hang, undocumented exception or NumPy mismatch
with its input. Exit status 1 when there was any.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

import harness  # noqa: E402
import parsers  # noqa: E402
import strategies  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one case may take")
    parser.add_argument("--report-every", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=1, help="campaigns run side by side, seeds seed..seed+J-1")
    options = parser.parse_args()
    if options.jobs > 1:
        return run_jobs(options)

    campaign = harness.Campaign(timeout=options.timeout)

    # Generation only, no shrinking and no database: every example is a fresh
    # case, and failures are collected rather than raised so the run goes on.
    @hypothesis_seed(options.seed)
    @settings(max_examples=options.examples, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.cases | strategies.file_cases(parsers.seeds()))
    def fuzz(case):
        outcome, detail = campaign.run(case)
        if outcome in ("crash", "hang", "bad"):
            print(f"{outcome.upper()}: {detail}\n    {harness.describe(case)}", flush=True)
        if campaign.total % options.report_every == 0:
            print(f"... seed {options.seed}: {campaign.total} cases, {len(campaign.failures)} failures", flush=True)

    try:
        fuzz()
    finally:
        campaign.close()
    print(f"=== seed {options.seed}: " + campaign.report(), flush=True)
    return 1 if campaign.failures else 0


def run_jobs(options):
    """Splits the examples over `jobs` child campaigns with consecutive seeds, run
    side by side; their progress lines and reports interleave on stdout, each
    report headed by its seed. Exit 1 if any found a failure."""
    import subprocess
    share = -(-options.examples // options.jobs)
    children = [subprocess.Popen([sys.executable, "-W", "ignore", os.path.abspath(__file__), "--examples", str(share),
                                  "--seed", str(options.seed + j), "--timeout", str(options.timeout),
                                  "--report-every", str(options.report_every)])
                for j in range(options.jobs)]
    return 1 if any(child.wait() != 0 for child in children) else 0


if __name__ == "__main__":
    sys.exit(main())
