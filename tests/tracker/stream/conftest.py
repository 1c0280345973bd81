import pytest

from tracker.stream.tansu import TansuBroker


@pytest.fixture(scope="session")
def tansu():
    broker = TansuBroker().start()
    yield broker
    broker.stop()
