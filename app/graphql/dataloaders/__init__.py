"""Per-request DataLoaders, one module per area, mirroring app/graphql/types/.

Every nested field is served in batches, so the number of SQL statements of a query does
not grow with the number of objects it returns (tests/api/test_customers.py counts them).
"""
