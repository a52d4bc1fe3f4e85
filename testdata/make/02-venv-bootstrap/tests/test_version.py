import ranker


def test_version():
    assert ranker.__version__ == "0.3.1"
