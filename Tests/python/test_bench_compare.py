"""bench/compare.py's table row: medians over alternating rounds, each ratio's median and
range, latency ratios inverted (lower is better), and '-' where PyTorch has no figure."""
import importlib.util
import os

spec = importlib.util.spec_from_file_location(
    "compare", os.path.join(os.path.dirname(__file__), "..", "..", "bench", "compare.py"))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def figures(train, evaluation, latency, rss):
    return {"train": train, "eval": evaluation, "latency_ms": latency, "rss_mb": rss}


def test_medians_ratios_and_ranges_over_rounds():
    rounds = [(figures(100, 400, 1.0, 50), figures(50, 400, 3.0, 70)),
              (figures(300, 200, 2.0, 52), figures(100, 100, 4.0, 71)),
              (figures(200, 300, 4.0, 51), figures(200, 300, 4.0, 72))]
    cells = compare.row(rounds, 17).split()
    # train: medians 200 / 100; ratios 2.0, 3.0, 1.0 -> median 2.00, range 1.00-3.00
    assert cells[:4] == ["200.0", "100.0", "2.00", "(1.00-3.00)"]
    # eval: medians 300 / 300; ratios 1.0, 2.0, 1.0
    assert cells[4:8] == ["300.0", "300.0", "1.00", "(1.00-2.00)"]
    # latency: PyTorch's time over swiftnn's (3.0, 2.0, 1.0)
    assert cells[8:12] == ["2.00", "4.00", "2.00", "(1.00-3.00)"]
    assert cells[12] == "51/71"


def test_one_round_prints_no_range_and_no_torch_prints_dashes():
    ours = figures(100, 400, 1.0, 50)
    assert compare.row([(ours, figures(50, 100, 2.0, 70))], 7).split()[:3] == ["100.0", "50.0", "2.00"]
    cells = compare.row([(ours, {})], 7).split()
    assert cells == ["100.0", "-", "-", "400.0", "-", "-", "1.00", "-", "-", "50/-"]
