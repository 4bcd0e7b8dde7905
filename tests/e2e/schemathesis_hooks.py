"""Schemathesis hooks (SCHEMATHESIS_HOOKS): how to generate the schema's own scalars.

`Decimal` is a string of a fixed-point number; generated values are mostly such strings
and sometimes any text, so the refusal of a bad amount is fuzzed too.
"""

import graphql
import schemathesis
from hypothesis import strategies as st

decimal_text = st.from_regex(r"\A-?[0-9]{1,7}(\.[0-9]{1,4})?\Z", fullmatch=True)
schemathesis.graphql.scalar(
    "Decimal", st.one_of(decimal_text, st.text(max_size=12)).map(lambda v: graphql.StringValueNode(value=v))
)
