"""`make fuzz`: a long fuzz campaign over the public Python API.

    python Tests/python/fuzzing/campaign.py --examples 50000 [--seed N]

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
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one case may take")
    parser.add_argument("--report-every", type=int, default=5_000)
    options = parser.parse_args()

    campaign = harness.Campaign(timeout=options.timeout)

    # Generation only, no shrinking and no database: every example is a fresh
    # case, and failures are collected rather than raised so the run goes on.
    @hypothesis_seed(options.seed)
    @settings(max_examples=options.examples, phases=[Phase.generate], database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategies.cases | strategies.file_cases(parsers.seeds()))
    def fuzz(case):
        campaign.run(case)
        if campaign.total % options.report_every == 0:
            print(f"... {campaign.total} cases, {len(campaign.failures)} failures", flush=True)

    try:
        fuzz()
    finally:
        campaign.close()
    print(campaign.report())
    return 1 if campaign.failures else 0


if __name__ == "__main__":
    sys.exit(main())
