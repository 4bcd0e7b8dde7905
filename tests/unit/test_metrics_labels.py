"""Metric label values stay bounded whatever names clients send."""

from app.observability.metrics import OperationNames


def test_operation_names_are_bounded() -> None:
    names = OperationNames(limit=2)
    assert names.label(None) == "anonymous" and names.label("") == "anonymous"
    assert names.label("GetCustomer") == "GetCustomer"
    assert names.label('x"} 1\nfake_metric') == "invalid"
    assert names.label("a" * 65) == "invalid"
    assert names.label("Second") == "Second"
    assert names.label("Third") == "other"
    assert names.label("GetCustomer") == "GetCustomer", "names seen before keep their label"
