"""Test stand-ins and process helpers shared by the contract and end-to-end suites."""
